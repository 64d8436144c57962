-- 運営方針 choices for the sidebar, restricted to the chosen municipalities.
SELECT DISTINCT policy_no, policy_name
FROM policies
WHERE len($muni::VARCHAR[]) = 0 OR list_contains($muni::VARCHAR[], municipality)
ORDER BY policy_no;
