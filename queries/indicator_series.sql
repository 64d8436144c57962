-- Values by fiscal year of the chosen indicators, with the reason when there is no value.
WITH k AS (
  SELECT municipality, indicator_id FROM indicators WHERE list_contains($ids::VARCHAR[], indicator_id)
)
SELECT o.municipality, i.measure_id, o.indicator_id, i.indicator, i.unit, i.note, m.policy_no,
       o.fiscal_year, o.fiscal_label, o.value, o.value_status, o.report_label, o.source_file, o.source_line
FROM k
JOIN observations o ON o.municipality = k.municipality AND o.indicator_id = k.indicator_id
JOIN indicators i ON i.municipality = o.municipality AND i.indicator_id = o.indicator_id
JOIN measures m ON m.municipality = i.municipality AND m.measure_id = i.measure_id
WHERE o.value_status <> 'not_reported'
ORDER BY i.measure_id, i.ord, o.municipality, o.fiscal_year;
