-- The report years loaded per municipality, for the source line (出典: 苫小牧市 施策評価表 R1年度).
SELECT municipality, string_agg(DISTINCT report_label, '・' ORDER BY report_label) AS labels, count(*) AS reports
FROM reports
WHERE len($muni::VARCHAR[]) = 0 OR list_contains($muni::VARCHAR[], municipality)
GROUP BY municipality
ORDER BY municipality;
