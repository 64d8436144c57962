-- 部 and 課 pairs for the sidebar, restricted to the chosen municipalities and 運営方針.
SELECT d.dept, d.section, count(DISTINCT d.measure_id) AS measures
FROM measure_departments d
JOIN measures m USING (municipality, measure_id)
WHERE (len($muni::VARCHAR[]) = 0 OR list_contains($muni::VARCHAR[], m.municipality))
  AND (len($pol::INTEGER[]) = 0 OR list_contains($pol::INTEGER[], m.policy_no))
GROUP BY d.dept, d.section
ORDER BY d.dept, d.section;
