-- The flat indicator table (the export contract) for the filter; $limit caps the rows (NULL = all).
SELECT f.*
FROM flat_indicators f
SEMI JOIN selected_indicators($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR) s USING (municipality, indicator_id)
WHERE len($muni::VARCHAR[]) = 0 OR list_contains($muni::VARCHAR[], f.municipality)
ORDER BY f.municipality, f.policy_no, f.measure_id, f.indicator_id, f.fiscal_year
LIMIT $limit::BIGINT;
