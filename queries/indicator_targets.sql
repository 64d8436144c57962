-- Targets (and the good direction) from data/indicator_meta.csv of the chosen indicators that have a target.
SELECT i.municipality, i.indicator_id, i.indicator, i.unit, meta.good_direction, meta.target, meta.target_year
FROM indicators i
JOIN indicator_meta meta
  ON meta.measure_id = i.measure_id AND meta.indicator = i.indicator
 AND (meta.municipality IS NULL OR meta.municipality = i.municipality)
WHERE list_contains($ids::VARCHAR[], i.indicator_id) AND meta.target IS NOT NULL;
