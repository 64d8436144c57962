-- Indicators in the filter, grouped policy -> measure -> indicator, for pickers.
SELECT i.municipality, m.policy_no, m.policy_name, i.measure_id, m.purpose, m.reflection,
       i.indicator_id, i.indicator, i.unit, i.ord
FROM indicators i
JOIN measures m USING (municipality, measure_id)
SEMI JOIN selected_indicators($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR) s USING (municipality, indicator_id)
ORDER BY m.policy_no, i.measure_id, i.ord, i.municipality;
