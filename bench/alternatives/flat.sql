-- The flat indicator table (the export contract) for the filter.
-- Proposed: the municipality filter on flat_indicators itself, so its scan skips other cities.
SELECT f.*
FROM flat_indicators f
SEMI JOIN selected_indicators_alt($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR) s USING (municipality, indicator_id)
WHERE len($muni::VARCHAR[]) = 0 OR list_contains($muni::VARCHAR[], f.municipality)
ORDER BY f.municipality, f.policy_no, f.measure_id, f.indicator_id, f.fiscal_year;
