-- One measure with its policy and initiative, for the measure card.
SELECT m.*, p.situation, p.goals
FROM measures m
JOIN policies p USING (municipality, policy_no)
WHERE m.measure_id = $measure_id
  AND (len($muni::VARCHAR[]) = 0 OR list_contains($muni::VARCHAR[], m.municipality))
ORDER BY m.municipality;
