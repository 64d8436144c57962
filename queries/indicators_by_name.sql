-- The indicators in the filter that bear one of the chosen names, every city's, in indicator_options' order, and how
-- many there are in all (total): the limit caps the rows (NULL = all), as 推移 charts 60 series at most and eight
-- names of a national store are 13,600 indicators.
SELECT i.indicator_id, i.municipality, i.indicator, count(*) OVER () AS total
FROM indicators i
JOIN measures m USING (municipality, measure_id)
SEMI JOIN selected_indicators($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR) s USING (municipality, indicator_id)
WHERE list_contains($names::VARCHAR[], i.indicator)
ORDER BY m.policy_no, i.measure_id, i.ord, i.municipality
LIMIT $limit::BIGINT;
