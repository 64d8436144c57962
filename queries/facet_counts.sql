-- Measures each sidebar option would select under the other filters, for 運営方針, 部, 課 and 反映区分: the
-- sidebar shows the count beside the option (「03 地域活動の促進（12）」), so a choice that gives nothing says so.
-- A facet's own choice is left out of its count (choosing a second 運営方針 adds to the first).
WITH units AS (
    SELECT m.municipality, m.measure_id, unnest(m.units, recursive := true)
    FROM measures m
)
SELECT 'pol' AS facet, CAST(m.policy_no AS VARCHAR) AS value, count(*) AS measures
FROM measures m
SEMI JOIN selected_measures($muni::VARCHAR[], []::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR) s USING (municipality, measure_id)
GROUP BY m.policy_no
UNION ALL
SELECT 'dept', u.dept, count(DISTINCT (u.municipality, u.measure_id))
FROM units u
SEMI JOIN selected_measures($muni::VARCHAR[], $pol::INTEGER[], []::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR) s USING (municipality, measure_id)
WHERE len($sec::VARCHAR[]) = 0 OR list_contains($sec::VARCHAR[], u.section)
GROUP BY u.dept
UNION ALL
SELECT 'sec', u.section, count(DISTINCT (u.municipality, u.measure_id))
FROM units u
SEMI JOIN selected_measures($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], []::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR) s USING (municipality, measure_id)
WHERE len($dept::VARCHAR[]) = 0 OR list_contains($dept::VARCHAR[], u.dept)
GROUP BY u.section
UNION ALL
SELECT 'refl', m.reflection, count(*)
FROM measures m
SEMI JOIN selected_measures($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], []::VARCHAR[], $q::VARCHAR) s USING (municipality, measure_id)
WHERE m.reflection IS NOT NULL
GROUP BY m.reflection;
