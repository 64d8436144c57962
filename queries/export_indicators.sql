-- Indicators for the PowerPoint deck and the Excel views: the shared filter, narrowed by optional lists of
-- 施策番号 ($measures) and indicator ids ($indicators) (empty = all) and by a minimum |Δ%| ($min_abs_pct,
-- 0 = no minimum), with the policy, the measure, the change between the two latest years with a value,
-- and the indicator's own source (file, line, report year). The limit caps the indicators, in this order (NULL =
-- all): a store of many cities with no filter has 510,000, more than a deck or a workbook from the dashboard can hold.
SELECT i.municipality, m.policy_no, m.policy_name, m.initiative_no, m.initiative_name, i.measure_id,
       m.purpose, m.reflection, m.reflection_label, m.departments,
       m.source_file AS measure_source_file, m.source_line AS measure_source_line,
       i.indicator_id, i.ord, i.indicator, i.unit, i.note,
       c.prev_year, c.prev_label, c.prev_value, c.latest_year, c.latest_label, c.latest_value,
       c.delta, c.delta_pct, c.direction, c.summary,
       i.source_file, i.source_line, i.report_year, r.report_label
FROM indicators i
JOIN measures m USING (municipality, measure_id)
LEFT JOIN indicator_changes c
  ON c.municipality = i.municipality AND c.indicator_id = i.indicator_id
 AND (len($muni::VARCHAR[]) = 0 OR list_contains($muni::VARCHAR[], c.municipality))
LEFT JOIN reports r
  ON r.source_file = i.source_file AND r.municipality = i.municipality AND r.report_year = i.report_year
SEMI JOIN selected_indicators($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR) s
  ON s.municipality = i.municipality AND s.indicator_id = i.indicator_id
WHERE (len($muni::VARCHAR[]) = 0 OR list_contains($muni::VARCHAR[], i.municipality))
  AND (len($measures::VARCHAR[]) = 0 OR list_contains($measures::VARCHAR[], i.measure_id))
  AND (len($indicators::VARCHAR[]) = 0 OR list_contains($indicators::VARCHAR[], i.indicator_id))
  AND ($min_abs_pct::DOUBLE = 0 OR abs(c.delta_pct) >= $min_abs_pct::DOUBLE)
ORDER BY m.policy_no, i.measure_id, i.municipality, i.ord, i.indicator_id
LIMIT $limit::BIGINT;
