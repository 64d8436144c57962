-- Where each measure the filter finds matched the search: in an indicator's name (the first with every word, else
-- the first with one), its purpose (目的) or its actions (具体的な取組). A measure matched elsewhere only (運営方針,
-- 施策名, 担当, 今後の方向性) has none of the three. $limit caps the rows.
WITH hits AS (
    SELECT * FROM selected_measures($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR)
), named AS (
    SELECT i.municipality, i.measure_id, arg_min(i.indicator, (NOT search_all(i.indicator, $q::VARCHAR), i.ord)) AS indicator
    FROM indicators i SEMI JOIN hits USING (municipality, measure_id)
    WHERE search_any(i.indicator, $q::VARCHAR)
    GROUP BY ALL
), acted AS (
    SELECT DISTINCT a.municipality, a.measure_id
    FROM actions a SEMI JOIN hits USING (municipality, measure_id)
    WHERE search_any(a.text, $q::VARCHAR)
)
SELECT m.municipality, m.measure_id, m.initiative_name,
       named.indicator IS NOT NULL AS in_indicator, named.indicator,
       search_any(m.purpose, $q::VARCHAR) AS in_purpose,
       acted.measure_id IS NOT NULL AS in_actions
FROM measures m
SEMI JOIN hits USING (municipality, measure_id)
LEFT JOIN named USING (municipality, measure_id)
LEFT JOIN acted USING (municipality, measure_id)
ORDER BY m.measure_id, m.municipality
LIMIT $limit::BIGINT;
