-- 現況と課題, 基本目標 and 関連する個別計画 of one 運営方針.
SELECT municipality, policy_no, policy_name, situation, goals, plans, source_file, source_line
FROM policies
WHERE policy_no = $policy_no
  AND (len($muni::VARCHAR[]) = 0 OR list_contains($muni::VARCHAR[], municipality))
ORDER BY municipality;
