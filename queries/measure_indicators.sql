-- Indicators of one measure with their change summary.
SELECT i.indicator_id, i.indicator, i.unit, i.note, i.source_file, i.source_line, c.prev_label, c.prev_value,
       c.latest_label, c.latest_value, c.delta, c.delta_pct, c.summary
FROM indicators i
LEFT JOIN indicator_changes c USING (municipality, indicator_id)
WHERE i.measure_id = $measure_id AND i.municipality = $municipality
ORDER BY i.ord;
