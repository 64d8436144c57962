-- The flat indicator table (the export contract) for the filter; $limit caps the rows (NULL = all).
-- The first $limit rows come from at most the first $limit indicators that have rows, so those are chosen first:
-- a LIMIT given as a parameter does not become DuckDB's top-N, and ORDER BY … LIMIT $limit on the rows themselves
-- sorted every row (all 5.1 M of the national table, past the memory limit) to keep a few thousand.
WITH chosen AS (
  SELECT s.municipality, s.indicator_id
  FROM selected_indicators($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR) s
  JOIN measures m USING (municipality, measure_id)
  WHERE EXISTS (SELECT 1 FROM flat_indicators f WHERE f.municipality = s.municipality AND f.indicator_id = s.indicator_id)
  ORDER BY s.municipality, m.policy_no, s.measure_id, s.indicator_id
  LIMIT $limit::BIGINT
)
SELECT f.*
FROM flat_indicators f
SEMI JOIN chosen c USING (municipality, indicator_id)
WHERE len($muni::VARCHAR[]) = 0 OR list_contains($muni::VARCHAR[], f.municipality)
ORDER BY f.municipality, f.policy_no, f.measure_id, f.indicator_id, f.fiscal_year
LIMIT $limit::BIGINT;
