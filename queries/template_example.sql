-- 取込's template: the first rows of the flat table, as an example filled in. A literal LIMIT, not flat.sql's cap
-- (a parameter): DuckDB takes the first rows of the sorted table from its row groups' statistics, where flat.sql with
-- no filter chooses indicators first (BENCHMARKS.md, decisions log: 取込's template example).
SELECT * FROM flat_indicators
ORDER BY municipality, policy_no, measure_id, indicator_id, fiscal_year
LIMIT 4;
