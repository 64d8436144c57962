-- 具体的な取組 of one measure, in report order.
SELECT municipality, ord, section, text, source_line
FROM actions
WHERE measure_id = $measure_id AND municipality = $municipality
ORDER BY ord;
