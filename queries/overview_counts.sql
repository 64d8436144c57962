-- Headline numbers for the filtered set.
WITH m AS (
  SELECT ms.municipality, ms.policy_no, ms.reflection FROM measures ms
  SEMI JOIN selected_measures($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR) s USING (municipality, measure_id)
  WHERE len($muni::VARCHAR[]) = 0 OR list_contains($muni::VARCHAR[], ms.municipality)
), mc AS (
  SELECT count(DISTINCT (municipality, policy_no)) AS policies, count(*) AS measures,
         count(*) FILTER (WHERE reflection = 'A') AS reflection_a,
         count(*) FILTER (WHERE reflection = 'B') AS reflection_b,
         count(*) FILTER (WHERE reflection NOT IN ('A', 'B')) AS reflection_other
  FROM m
), ic AS (
  SELECT count(*) AS indicators,
         count(*) FILTER (WHERE c.direction = 'up') AS rose,
         count(*) FILTER (WHERE c.direction = 'down') AS fell,
         count(*) FILTER (WHERE c.direction = 'flat') AS stayed,
         count(*) FILTER (WHERE c.indicator_id IS NOT NULL AND c.direction IS NULL) AS not_comparable
  FROM selected_indicators($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR) i
  LEFT JOIN indicator_changes c
    ON c.municipality = i.municipality AND c.indicator_id = i.indicator_id
   AND (len($muni::VARCHAR[]) = 0 OR list_contains($muni::VARCHAR[], c.municipality))
)
SELECT mc.policies, mc.measures, ic.indicators, mc.reflection_a, mc.reflection_b, mc.reflection_other,
       ic.rose, ic.fell, ic.stayed, ic.not_comparable
FROM mc, ic;
