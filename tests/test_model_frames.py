"""The observations table, built column by column, holds each merged observation as it is."""

from __future__ import annotations

import pandas as pd

from evaldash import model, template

HEADER = "municipality,policy_no,policy_name,measure_id,indicator,unit,fiscal_year,value,report_year\n"


def test_observations_hold_the_newest_report_value_with_its_source():
    rows = ["a,1,p,0086,i,人,2019,5,2020", "a,1,p,0086,i,人,2020,-,2020",
            "a,1,p,0086,i,人,2019,6,2021", "a,1,p,0086,i,人,2021,7,2021"]
    reports, findings = template.read_template_bytes((HEADER + "\n".join(rows) + "\n").encode(), "t.csv")
    assert not findings
    merged = model.merge(model._order(reports))
    obs = model.build_frames(reports)["observations"]
    assert list(obs.columns) == list(model.TABLE_TYPES["observations"])
    assert len(obs) == len(merged.observations) == 3
    for row in obs.itertuples(index=False):
        o = merged.observations[(row.municipality, row.indicator_id, row.fiscal_year)]
        assert (row.fiscal_label, row.value_status, row.raw, row.source_line) == (o.label, o.status, o.raw, o.line)
        assert row.report_year == o.report.report_year and row.source_file == o.report.source_file
        assert (row.value != row.value) if o.value is None else row.value == o.value
    newest = obs[obs.fiscal_year == 2019].iloc[0]
    assert (newest.value, newest.report_year) == (6.0, 2021)  # the newer report's value wins
    assert str(obs.value.dtype) == "float64" and str(obs.fiscal_year.dtype) == "int64"


def test_no_observations_give_the_same_empty_table_as_before():
    rows = ["a,1,p,0086,i,人,2019,,2020"]  # not reported: no observation
    reports, _ = template.read_template_bytes((HEADER + "\n".join(rows) + "\n").encode(), "t.csv")
    frames = model.build_frames(reports)
    empty = model._frame("observations", [])
    assert frames["observations"].empty and frames["observations"].dtypes.equals(empty.dtypes)
    assert len(frames["indicator_changes"]) == 1


def test_a_preview_compares_the_tables_a_build_makes():
    rows = ["a,1,p,0086,i,人,2019,5,2020", "a,1,p,0086,i,人,2020,-,2020", "a,1,p,0086,j,%,2020,1.5,2020",
            "a,1,p,0086,i,人,2019,6,2021", "a,2,q,A-12,i,人,2021,7,2021"]
    reports, _ = template.read_template_bytes((HEADER + "\n".join(rows) + "\n").encode(), "t.csv")
    built, compared = model.build_frames(reports), model.compared_frames(reports)
    assert set(compared) == {"measures", "indicators", "observations"}
    for table, frame in compared.items():
        pd.testing.assert_frame_equal(frame, built[table])
