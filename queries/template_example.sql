-- 取込's template: the first rows of the flat table, as an example filled in. A literal LIMIT, not flat.sql's cap
-- (a parameter): DuckDB takes the first rows of the sorted table from its row groups' statistics (4 ms on the national
-- store, where flat.sql with no filter and a cap of 4 took 200–370 ms choosing indicators first).
SELECT * FROM flat_indicators
ORDER BY municipality, policy_no, measure_id, indicator_id, fiscal_year
LIMIT 4;
