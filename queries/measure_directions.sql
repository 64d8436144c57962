-- 今後の取組の方向性 of one measure, in report order.
SELECT municipality, ord, section, text, source_line
FROM directions
WHERE measure_id = $measure_id AND municipality = $municipality
ORDER BY ord;
