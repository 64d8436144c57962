-- Proposed filter macros (a drop-in for evaldash/schema.sql, here as TEMP macros with an _alt suffix so
-- bench/alternatives.py can time them beside the store's own on the same connection).
-- Changes: every table scan carries the municipality filter (the store is sorted by municipality, so
-- DuckDB skips the other cities' row groups); selected_indicators no longer joins measures a second
-- time, and its "a search that names an indicator keeps just that indicator" rule looks only at the
-- selected measures' indicators (a window over the selection) instead of a NOT EXISTS over the whole
-- indicators table, which DuckDB ran as a full scan even with no search text.
CREATE OR REPLACE TEMP MACRO selected_measures_alt(muni, pol, dept, sec, refl, q) AS TABLE
SELECT m.municipality, m.measure_id
FROM measures m
WHERE (len(muni) = 0 OR list_contains(muni, m.municipality))
  AND (len(pol) = 0 OR list_contains(pol, m.policy_no))
  AND (len(refl) = 0 OR list_contains(refl, m.reflection))
  AND (q = '' OR contains(m.search_text, lower(q)))
  AND (
    (len(dept) = 0 AND len(sec) = 0)
    OR EXISTS (
      SELECT 1 FROM measure_departments d
      WHERE d.municipality = m.municipality AND d.measure_id = m.measure_id
        AND (len(dept) = 0 OR list_contains(dept, d.dept))
        AND (len(sec) = 0 OR list_contains(sec, d.section))
    )
  );

CREATE OR REPLACE TEMP MACRO selected_indicators_alt(muni, pol, dept, sec, refl, q) AS TABLE
SELECT i.municipality, i.measure_id, i.indicator_id
FROM indicators i
SEMI JOIN selected_measures_alt(muni, pol, dept, sec, refl, q) s USING (municipality, measure_id)
WHERE len(muni) = 0 OR list_contains(muni, i.municipality)
QUALIFY q = ''
     OR contains(i.search_text, lower(q))
     OR NOT bool_or(contains(i.search_text, lower(q))) OVER (PARTITION BY i.municipality, i.measure_id);
