-- Between report years: measures added or dropped, 反映区分 changes, indicators added or removed.
SELECT r.municipality, r.from_year, r.to_year, r.kind, r.measure_id, r.indicator, r.old, r.new
FROM report_changes r
WHERE (len($muni::VARCHAR[]) = 0 OR list_contains($muni::VARCHAR[], r.municipality))
  AND (r.kind = 'measure_dropped' OR (r.municipality, r.measure_id) IN (SELECT (municipality, measure_id) FROM selected_measures($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR)))
ORDER BY r.municipality, r.to_year, r.kind, r.measure_id, r.indicator;
