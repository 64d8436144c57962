-- Values by fiscal year of the chosen indicators, with the reason when there is no value.
SELECT o.municipality, i.measure_id, o.indicator_id, i.indicator, i.unit, i.note, m.policy_no,
       o.fiscal_year, o.fiscal_label, o.value, o.value_status, o.report_label, o.source_file, o.source_line
FROM observations o
JOIN indicators i USING (municipality, indicator_id)
JOIN measures m USING (municipality, measure_id)
WHERE list_contains($ids::VARCHAR[], o.indicator_id)
  AND o.value_status <> 'not_reported'
ORDER BY i.measure_id, i.ord, o.municipality, o.fiscal_year;
