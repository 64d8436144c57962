-- Indicator names in the filter, one row a name, for 推移's picker when the store holds several cities (the page
-- compares a name across them). In the order of each name's first indicator, as indicator_options orders its rows;
-- a name with other units in other cities takes its first one's. A national store with no filter has 510,000
-- indicators of 1,920 names: handing every indicator to pandas took 1.3-1.8 s, these rows 0.2 s.
SELECT i.indicator, arg_min(i.unit, (m.policy_no, i.measure_id, i.ord, i.municipality)) AS unit
FROM indicators i
JOIN measures m USING (municipality, measure_id)
SEMI JOIN selected_indicators($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR) s USING (municipality, indicator_id)
GROUP BY i.indicator
ORDER BY min((m.policy_no, i.measure_id, i.ord, i.municipality));
