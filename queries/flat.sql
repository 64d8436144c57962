-- The flat indicator table (the export contract) for the filter.
SELECT f.*
FROM flat_indicators f
SEMI JOIN selected_indicators($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR) s USING (municipality, indicator_id)
ORDER BY f.municipality, f.policy_no, f.measure_id, f.indicator_id, f.fiscal_year;
