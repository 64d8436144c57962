-- Filter macros stored in every built store, so each named query in queries/
-- filters the same way. All arguments come in as bound parameters.
--   muni  VARCHAR[]  municipalities (empty = all)
--   pol   INTEGER[]  運営方針 numbers (empty = all)
--   dept  VARCHAR[]  部 (empty = all)
--   sec   VARCHAR[]  課 (empty = all)
--   refl  VARCHAR[]  反映区分 letters (empty = all)
--   q     VARCHAR    words searched in measure and indicator texts ('' = no search): every word must appear
--                    (half- or full-width spaces between words), katakana and hiragana alike. The store's texts and
--                    the search box are NFKC already (normalize.clean, filters.clean_search): full- and half-width
--                    letters and digits meet there.

-- The form both sides of a search are compared in: lower case, katakana as hiragana.
CREATE MACRO search_fold(t) AS translate(lower(t),
  'ァアィイゥウェエォオカガキギクグケゲコゴサザシジスズセゼソゾタダチヂッツヅテデトドナニヌネノハバパヒビピフブプヘベペホボポマミムメモャヤュユョヨラリルレロヮワヰヱヲンヴヵヶ',
  'ぁあぃいぅうぇえぉおかがきぎくぐけげこごさざしじすずせぜそぞただちぢっつづてでとどなにぬねのはばぱひびぴふぶぷへべぺほぼぽまみむめもゃやゅゆょよらりるれろゎわゐゑをんゔゕゖ');

-- The words of a search, folded.
CREATE MACRO search_words(q) AS list_filter(string_split_regex(search_fold(q), '[\s　]+'), lambda w: w <> '');

-- Every word of `q` is in `t`; any word of `q` is in `t` (where a hit matched).
CREATE MACRO search_all(t, q) AS coalesce(list_bool_and(list_transform(search_words(q), lambda w: contains(search_fold(t), w))), false);
CREATE MACRO search_any(t, q) AS coalesce(list_bool_or(list_transform(search_words(q), lambda w: contains(search_fold(t), w))), false);

CREATE MACRO selected_measures(muni, pol, dept, sec, refl, q) AS TABLE
SELECT m.municipality, m.measure_id
FROM measures m
WHERE (len(muni) = 0 OR list_contains(muni, m.municipality))
  AND (len(pol) = 0 OR list_contains(pol, m.policy_no))
  AND (len(refl) = 0 OR list_contains(refl, m.reflection))
  -- One (部, 課) pair of the measure matches both lists. The pairs are a list on the measure (measures.units):
  -- a correlated EXISTS on measure_departments was planned as a join and a grouping in every filtered query,
  -- a large part of their time (BENCHMARKS.md, decisions log: a measure's (部, 課) pairs as a list).
  AND (
    (len(dept) = 0 AND len(sec) = 0)
    OR len(list_filter(m.units, lambda u: (len(dept) = 0 OR list_contains(dept, u.dept))
                                      AND (len(sec) = 0 OR list_contains(sec, u.section)))) > 0
  )
  AND (q = '' OR search_all(m.search_text, q));

CREATE MACRO selected_indicators(muni, pol, dept, sec, refl, q) AS TABLE
SELECT i.municipality, i.measure_id, i.indicator_id
FROM indicators i
SEMI JOIN selected_measures(muni, pol, dept, sec, refl, q) s USING (municipality, measure_id)
-- The city filter on this scan too: the store is sorted by municipality, so DuckDB skips
-- other cities' row groups instead of hashing the whole table (BENCHMARKS.md, decisions log: filter macros).
WHERE len(muni) = 0 OR list_contains(muni, i.municipality)
-- A search that names an indicator keeps just that indicator; one that matches only the
-- measure's own text keeps all of the measure's indicators. The window looks at the selected
-- measures' indicators only, not at the whole table.
QUALIFY q = ''
     OR search_all(i.search_text, q)
     OR NOT bool_or(search_all(i.search_text, q)) OVER (PARTITION BY i.municipality, i.measure_id);
