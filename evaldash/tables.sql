-- Every table of a store, its columns and their types: the one place they are written. A build creates these
-- and inserts its frames by column name (store.write_store); evaldash.model reads the columns from here, so a
-- table keeps its types when it is empty or a column holds only NULLs. The README documents flat_indicators
-- (the export contract) and indicator_meta (the staff-edited file).

CREATE TABLE reports (
    source_file VARCHAR, source_kind VARCHAR, sha256 VARCHAR, imported_at TIMESTAMP, municipality VARCHAR,
    report_year BIGINT, report_label VARCHAR, encoding VARCHAR, measures BIGINT, indicators BIGINT,
    warnings BIGINT
);

CREATE TABLE policies (
    municipality VARCHAR, policy_no BIGINT, policy_name VARCHAR, situation VARCHAR[], goals VARCHAR[],
    plans VARCHAR[], situation_raw VARCHAR[], goals_raw VARCHAR[], plans_raw VARCHAR[], report_year BIGINT,
    source_file VARCHAR, source_line BIGINT
);

CREATE TABLE initiatives (
    municipality VARCHAR, policy_no BIGINT, initiative_no BIGINT, initiative_name VARCHAR, report_year BIGINT,
    source_file VARCHAR, source_line BIGINT
);

CREATE TABLE measures (
    municipality VARCHAR, measure_id VARCHAR, policy_no BIGINT, policy_name VARCHAR, initiative_no BIGINT,
    initiative_name VARCHAR, purpose VARCHAR, purpose_raw VARCHAR, reflection VARCHAR, reflection_label VARCHAR,
    departments VARCHAR, report_year BIGINT, report_label VARCHAR, source_file VARCHAR, source_line BIGINT,
    search_text VARCHAR,
    -- The rows of measure_departments as a list on the measure: the filter macros test them without a join.
    units STRUCT(dept VARCHAR, section VARCHAR)[]
);

CREATE TABLE measure_departments (
    municipality VARCHAR, measure_id VARCHAR, ord BIGINT, dept VARCHAR, section VARCHAR
);

CREATE TABLE actions (
    municipality VARCHAR, measure_id VARCHAR, ord BIGINT, section VARCHAR, text VARCHAR, text_raw VARCHAR,
    source_line BIGINT
);

CREATE TABLE directions (
    municipality VARCHAR, measure_id VARCHAR, ord BIGINT, section VARCHAR, text VARCHAR, text_raw VARCHAR,
    source_line BIGINT
);

CREATE TABLE indicators (
    municipality VARCHAR, measure_id VARCHAR, indicator_id VARCHAR, ord BIGINT, indicator VARCHAR,
    indicator_raw VARCHAR, unit VARCHAR, note VARCHAR, report_year BIGINT, source_file VARCHAR,
    source_line BIGINT, search_text VARCHAR
);

CREATE TABLE observations (
    municipality VARCHAR, indicator_id VARCHAR, fiscal_year BIGINT, fiscal_label VARCHAR, value DOUBLE,
    value_status VARCHAR, raw VARCHAR, report_year BIGINT, report_label VARCHAR, source_file VARCHAR,
    source_line BIGINT
);

CREATE TABLE revisions (
    municipality VARCHAR, measure_id VARCHAR, indicator_id VARCHAR, indicator VARCHAR, fiscal_year BIGINT,
    fiscal_label VARCHAR, old_value DOUBLE, old_status VARCHAR, new_value DOUBLE, new_status VARCHAR,
    old_report VARCHAR, new_report VARCHAR, old_report_year BIGINT, new_report_year BIGINT
);

CREATE TABLE report_changes (
    municipality VARCHAR, from_report VARCHAR, to_report VARCHAR, from_year BIGINT, to_year BIGINT,
    kind VARCHAR, measure_id VARCHAR, indicator VARCHAR, old VARCHAR, new VARCHAR
);

CREATE TABLE indicator_changes (
    municipality VARCHAR, indicator_id VARCHAR, prev_year BIGINT, prev_label VARCHAR, prev_value DOUBLE,
    latest_year BIGINT, latest_label VARCHAR, latest_value DOUBLE, delta DOUBLE, delta_pct DOUBLE,
    direction VARCHAR, summary VARCHAR
);

-- The export contract, in this order; its Japanese names and descriptions are model.FLAT_TABLE.
CREATE TABLE flat_indicators (
    municipality VARCHAR, report_year BIGINT, report_label VARCHAR, policy_no BIGINT, policy_name VARCHAR,
    initiative_no BIGINT, initiative_name VARCHAR, measure_id VARCHAR, measure_purpose VARCHAR,
    departments VARCHAR, reflection VARCHAR, reflection_label VARCHAR, indicator_id VARCHAR, indicator VARCHAR,
    unit VARCHAR, fiscal_year BIGINT, fiscal_label VARCHAR, value DOUBLE, value_status VARCHAR, note VARCHAR,
    source_file VARCHAR, source_line BIGINT
);

-- The staff-edited data/indicator_meta.csv: which direction is good, and targets.
CREATE TABLE indicator_meta (
    municipality VARCHAR, measure_id VARCHAR, indicator VARCHAR, good_direction VARCHAR, target DOUBLE,
    target_year INTEGER, note VARCHAR
);

CREATE TABLE meta (
    key VARCHAR PRIMARY KEY, value VARCHAR
);
