"""Text from outside never becomes a spreadsheet formula in an export; numbers stay numbers."""

from __future__ import annotations

import csv
import io
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.util import Inches

from evaldash import formulas, store, template
from evaldash import normalize as nz
from evaldash.export import flat_csv_bytes
from evaldash.export.deck import shapes
from evaldash.model import FLAT_COLUMNS
from tests.conftest import run_cli

HOSTILE = ['=HYPERLINK("http://example.invalid","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "＝1+1", "\t=1"]


def _flat_frame(indicator: str) -> pd.DataFrame:
    row = {c: None for c in FLAT_COLUMNS}
    row.update(municipality="苫小牧市", measure_id="1110321", indicator=indicator, unit="人", fiscal_year=2019,
               value=-3.0, policy_no=1, policy_name="地域活動の促進")
    return pd.DataFrame([row], columns=FLAT_COLUMNS).astype({"value": float, "fiscal_year": int, "policy_no": int})


def _reimported_indicator(indicator: str) -> str:
    """The indicator's name after a flat CSV export and the template reader."""
    reports, found = template.read_template_bytes(flat_csv_bytes(_flat_frame(indicator)), "flat.csv")
    assert found == []
    (measure,) = reports[0].policies[0].initiatives[0].measures
    return measure.indicators[0].name


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_is_neutralised_and_read_back(text):
    assert formulas.looks_like_formula(text)
    assert formulas.neutralise(text) == "'" + text
    if not text[0].isspace():  # stored text is cleaned, so no exported value begins with a tab or a space
        assert _reimported_indicator(text) == nz.clean(text)  # cleaned: ＝ is =


@pytest.mark.parametrize("text", ["-", "+", "-3", "+1.5", "1,234", "女性人材バンク登録者数", "'quoted", "", None, 5.0])
def test_numbers_signs_and_plain_text_are_left_alone(text):
    assert formulas.neutralise(text) == text
    if isinstance(text, str) and text:
        assert _reimported_indicator(text) == text


def test_flat_csv_quotes_formula_text_and_keeps_numbers():
    data = flat_csv_bytes(_flat_frame(HOSTILE[0]), bom=True)
    (row,) = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    assert row["indicator"] == "'" + HOSTILE[0]
    assert row["value"] == "-3.0" and row["fiscal_year"] == "2019"


def _chart_workbook(chart_data_cls, series_name: str):
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    if chart_data_cls is None:
        shapes.add_chart(slide, 0, 0, Inches(4), Inches(3), ["H30年度", "R1年度"], [(series_name, [1, 2])], "人", 0,
                         legend=True)
    else:
        from pptx.enum.chart import XL_CHART_TYPE

        data = chart_data_cls()
        data.categories = ["H30年度", "R1年度"]
        data.add_series(series_name, [1, 2])
        slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, 0, 0, Inches(4), Inches(3), data)
    chart = next(s for s in slide.shapes if s.has_chart).chart
    blob = chart.part.chart_workbook.xlsx_part.blob
    return load_workbook(io.BytesIO(blob))["Sheet1"]


def test_the_decks_chart_workbook_keeps_a_formula_like_name_as_text():
    name = "=1+1"
    plain = _chart_workbook(CategoryChartData, name)["B1"]
    assert plain.data_type == "f"  # what python-pptx writes by itself: the reason for our writer
    ours = _chart_workbook(None, name)["B1"]
    assert ours.data_type == "s" and ours.value == name


def test_cli_csv_export_of_a_template_with_formula_text(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    with open(folder / "t.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([
            ["municipality", "policy_no", "policy_name", "measure_id", "indicator", "unit", "fiscal_year", "value",
             "report_year"],
            ["白老市", 1, "@地域", "1110101", HOSTILE[0], "%", 2019, -1.5, 2019],
        ])
    db = tmp_path / "s.duckdb"
    store.build(folder, db)
    done = run_cli("export", "--bom", "--db", db)
    assert done.returncode == 0, done.stderr
    (row,) = csv.DictReader(io.StringIO(done.stdout.lstrip("\ufeff")))
    assert row["indicator"] == "'" + HOSTILE[0] and row["policy_name"] == "'@地域"
    assert row["value"] == "-1.5"
