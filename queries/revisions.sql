-- Values that a newer report changed, with both values and both reports.
SELECT v.municipality, v.measure_id, v.indicator, v.fiscal_label, v.old_value, v.new_value, v.old_report, v.new_report
FROM revisions v
SEMI JOIN selected_indicators($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR) s USING (municipality, indicator_id)
ORDER BY v.municipality, v.measure_id, v.indicator, v.fiscal_label;
