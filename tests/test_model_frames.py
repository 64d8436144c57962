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
    pd.testing.assert_frame_equal(obs, merged.observations)
    got = [(row.fiscal_year, row.fiscal_label, row.value_status, row.raw, row.source_line, row.report_year, row.source_file)
           for row in obs.itertuples(index=False)]
    assert got == [(2019, "R1年度", "reported", "6", 4, 2021, "t.csv"),  # the newer report's line and value
                   (2020, "R2年度", "no_value", "-", 2, 2020, "t.csv"),
                   (2021, "R3年度", "reported", "7", 4, 2021, "t.csv")]
    assert obs.value.isna().tolist() == [False, True, False] and obs.value[2] == 7.0
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


def test_a_revision_is_each_change_from_the_value_before_it_in_report_order():
    rows = ["a,1,p,0086,i,人,2019,5,2020", "a,1,p,0086,i,人,2019,6,2021", "a,1,p,0086,i,人,2019,6,2022",
            "a,1,p,0086,i,人,2020,,2022", "a,1,p,0086,i,人,2019,-,2023", "b,1,p,0086,i,人,2019,1,2023"]
    reports, findings = template.read_template_bytes((HEADER + "\n".join(rows) + "\n").encode(), "t.csv")
    assert not findings
    revisions = model.build_frames(reports)["revisions"]
    # 5 -> 6 is one; 6 again changes nothing; the blank 2020 is not reported; 6 -> "-" is another; b is another city
    got = [(r.municipality, r.old_value, r.old_status, r.new_status, r.old_report_year, r.new_report_year)
           for r in revisions.itertuples(index=False)]
    assert got == [("a", 5.0, "reported", "reported", 2020, 2021), ("a", 6.0, "reported", "no_value", 2022, 2023)]
    assert revisions.new_value[0] == 6.0 and pd.isna(revisions.new_value[1])
