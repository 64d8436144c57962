-- What changed: previous vs latest fiscal year with data for every indicator in the filter, or only for the
-- indicators listed ($indicators, empty = all); $limit caps the rows (NULL = all): 510,000 rows of a national store
-- with no filter took 2.5 s to hand to pandas, the first 1,000 in the order asked 0.3 s.
-- order: abs_delta_pct, delta_pct, delta, indicator, measure_id, policy_no
SELECT i.municipality, m.policy_no, m.policy_name, i.measure_id, m.initiative_name, m.reflection, i.indicator_id,
       i.indicator, i.unit,
       c.prev_label, c.prev_value, c.latest_label, c.latest_value, c.delta, c.delta_pct,
       abs(c.delta_pct) AS abs_delta_pct, c.direction, c.summary, i.note,
       meta.good_direction, meta.target, meta.target_year,
       CASE
         WHEN c.direction IS NULL OR c.direction = 'flat' OR meta.good_direction IS NULL THEN 'neutral'
         WHEN c.direction = meta.good_direction THEN 'good'
         ELSE 'bad'
       END AS assessment
FROM indicator_changes c
JOIN indicators i USING (municipality, indicator_id)
JOIN measures m USING (municipality, measure_id)
LEFT JOIN indicator_meta meta
  ON meta.measure_id = i.measure_id AND meta.indicator = i.indicator
 AND (meta.municipality IS NULL OR meta.municipality = i.municipality)
SEMI JOIN selected_indicators($muni::VARCHAR[], $pol::INTEGER[], $dept::VARCHAR[], $sec::VARCHAR[], $refl::VARCHAR[], $q::VARCHAR) s USING (municipality, indicator_id)
WHERE (len($muni::VARCHAR[]) = 0 OR list_contains($muni::VARCHAR[], c.municipality))
  AND ($min_abs_pct::DOUBLE = 0 OR abs(c.delta_pct) >= $min_abs_pct::DOUBLE)
  AND (len($indicators::VARCHAR[]) = 0 OR list_contains($indicators::VARCHAR[], c.indicator_id))
ORDER BY {order}, i.measure_id, i.ord, i.municipality, i.indicator_id  -- a total order: the cap keeps the same rows
LIMIT $limit::BIGINT;
