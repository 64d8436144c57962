-- Measures in the filter, for the measure card picker; $limit caps them (NULL = all): a national store with no
-- filter has 170,000, more than a picker can offer.
SELECT m.municipality, m.measure_id, m.policy_no, m.policy_name, m.initiative_name, m.purpose, m.reflection
FROM measures m
SEMI JOIN selected_measures($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR) s USING (municipality, measure_id)
ORDER BY m.measure_id, m.municipality
LIMIT $limit::BIGINT;
