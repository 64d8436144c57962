"""The template's rows are checked column by column; each row must come out as it does checked alone."""

from __future__ import annotations

import csv
import dataclasses
import io
import random

import pytest

from evaldash import template
from evaldash.report import Finding

COLUMNS = template.REQUIRED + ["fiscal_year", "fiscal_label", "report_year", "initiative_no", "reflection",
                               "value_status", "note"]
# Per column: a sound text first, then texts that are odd, blank or wrong in the ways a template can be.
CHOICES = {
    "municipality": ["a", "b", ""],
    "policy_no": ["1", "2.0", "x", "", "2.5"],
    "policy_name": ["p", "", "'=SUM(1)"],
    "measure_id": ["0086", "A-12", "bad code", "", "x" * 40],
    "indicator": ["i", "j (令和2年4月1日現在)", ""],
    "unit": ["", "人"],
    "value": ["1", "1,365", "-", "欠測", "missing", "abc", "", "△5"],
    "fiscal_year": ["2019", "2019.0", "R1年度", "", "x", "1800"],
    "fiscal_label": ["", "H30年度", "bad"],
    "report_year": ["", "2020", "bad"],
    "initiative_no": ["", "1", "1.5"],
    "reflection": ["", "A", "b", "C", "AB", "1"],
    "value_status": ["", "reported", "no_value", "not_reported", "欠測", "bogus"],
    "note": ["", "※ n"],
}


def random_template(seed: int, count: int) -> list[list[str]]:
    rnd = random.Random(seed)
    rows = []
    for _ in range(count):
        if rnd.random() < 0.05:
            rows.append([""] * len(COLUMNS))
            continue
        rows.append([CHOICES[c][0] if rnd.random() < 0.7 else rnd.choice(CHOICES[c]) for c in COLUMNS])
    return rows


def as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([COLUMNS, *rows])
    return out.getvalue().encode()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_row_is_checked_as_it_is_alone(seed):
    rows = random_template(seed, 400)
    data = template._Rows({c: template._coded([r[k] for r in rows]) for k, c in enumerate(COLUMNS)})
    found: list[Finding] = []
    data.check("t.csv", found)
    expected: list[Finding] = []
    for k, row in enumerate(rows):
        alone = template._Rows({c: template._coded([row[j]]) for j, c in enumerate(COLUMNS)})
        said: list[Finding] = []
        alone.check("t.csv", said)
        expected += [dataclasses.replace(f, line=k + 2) for f in said]
        assert bool(data.parsed[k]) == bool(alone.parsed[0]), (k, row)
        if alone.parsed[0]:
            assert {f: data.fields[f][k] for f in alone.fields} == {f: v[0] for f, v in alone.fields.items()}, (k, row)
    assert found == expected
    assert 0 < data.parsed.sum() < len(rows)  # both kinds of row were there


def test_report_years_and_findings_follow_the_rows_order():
    rows = [["a", "1", "p", "m1", "i", "", "1", "2020", "", "", "", "", "", ""],
            ["b", "1", "p", "m1", "i", "", "1", "2020", "", "", "", "", "", ""],
            ["a", "1", "p", "m1", "i", "", "1", "2019", "", "2019", "", "", "", ""],
            ["a", "2", "p", "m1", "j", "", "1", "2020", "", "", "", "", "", ""],
            ["a", "1", "p", "m1", "i", "", "2", "2020", "", "", "", "", "", ""]]
    reports, findings = template.read_template_bytes(as_csv(rows), "t.csv")
    assert [(r.municipality, r.report_year) for r in reports] == [("a", 2020), ("a", 2019), ("b", 2020)]
    assert [f.line for f in findings] == [5, 6]  # the code's other policy, then the indicator's second 2020
    assert "2 行目" in findings[0].message and "2回" in findings[1].message
    cells = reports[0].policies[0].initiatives[0].measures[0].indicators[0].cells
    assert [(c.fiscal_year, c.value) for c in cells] == [(2020, 1.0)]
