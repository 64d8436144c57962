"""The flat import template: CSV or Excel with the export's column names.

A template becomes one Report per municipality and report year, so it merges
with report texts by the same rules (see model.py). Row numbers in findings
count the header as row 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from pathlib import Path

import pandas as pd

from . import normalize as nz
from .parse import KNOWN_REFLECTIONS, parse_departments
from .report import Cell, Finding, Indicator, Initiative, Measure, ParseError, Policy, Report
from .source import MAX_REPORT_BYTES

TEMPLATE_SUFFIXES = (".csv", ".xlsx")
REQUIRED = ["municipality", "policy_no", "policy_name", "measure_id", "indicator", "unit", "value"]
OPTIONAL = [
    "report_year", "report_label", "initiative_no", "initiative_name", "measure_purpose", "departments",
    "reflection", "reflection_label", "fiscal_year", "fiscal_label", "value_status", "note",
]


def _int(text: str) -> int | None:
    """'3', '3.0' to 3; anything else (words, nan, inf, 3.5) to None."""
    try:
        number = float(text)
    except (TypeError, ValueError):
        return None
    if number != number or number in (float("inf"), float("-inf")) or number != int(number):
        return None
    return int(number)


def _year(text: str) -> int | None:
    """2019, 2019.0, R1年度 or 平成31年度 to 2019; a number outside 1900..2200 is not a year."""
    year = _int(text)
    if year is None:
        year = nz.fiscal_year(text)
    return year if year is not None and 1900 <= year <= 2200 else None


def is_template(path: Path | str) -> bool:
    return Path(path).suffix.lower() in TEMPLATE_SUFFIXES


def read_template(path: Path | str) -> tuple[list[Report], list[Finding]]:
    path = Path(path)
    return read_template_bytes(path.read_bytes(), path.name)


def _frame(data: bytes, name: str) -> pd.DataFrame:
    fail = lambda msg: ParseError([Finding(name, 0, "error", msg)])  # noqa: E731
    if not data.strip():
        raise fail("the file is empty: expected a header row with the template's columns")
    if len(data) > MAX_REPORT_BYTES:
        raise fail(f"the file is {len(data):,} bytes: the limit is {MAX_REPORT_BYTES:,} bytes")
    if name.lower().endswith(".xlsx"):
        if not data.startswith(b"PK"):
            raise fail("not an Excel .xlsx file")
        try:
            sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str, keep_default_na=False)
        except Exception as exc:  # openpyxl raises many kinds on damaged files
            raise fail(f"cannot read the Excel file: {type(exc).__name__}") from exc
        # An export workbook has several sheets: take the one with the template's columns.
        for frame in sheets.values():
            if set(REQUIRED) <= {str(c).strip() for c in frame.columns}:
                return frame
        return next(iter(sheets.values()))
    if b"\x00" in data[:65536]:
        raise fail("the file is binary (it holds NUL bytes): expected CSV text")
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise fail("the CSV is neither UTF-8 nor Shift_JIS (CP932)")
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise fail(f"cannot read the CSV: {exc}") from exc


def read_template_bytes(data: bytes, name: str) -> tuple[list[Report], list[Finding]]:
    """Rows to Reports and the findings about them. Raises ParseError when unreadable."""
    frame = _frame(data, name)
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if "fiscal_year" not in frame.columns and "fiscal_label" not in frame.columns:
        missing.append("fiscal_year or fiscal_label")
    if missing:
        raise ParseError([Finding(name, 1, "error", f"missing template columns: {', '.join(missing)}")])
    findings: list[Finding] = []
    groups: dict = defaultdict(list)
    for k, row in enumerate(frame.to_dict("records"), start=2):
        row = {c: nz.clean(str(v)) for c, v in row.items()}
        parsed = _row(row, k, name, findings)
        if parsed:
            groups[parsed["municipality"]].append(parsed)
    if not groups:
        raise ParseError(findings or [Finding(name, 0, "error", "the template has no data rows")])
    reports = []
    for muni, rows in groups.items():
        for year, year_rows in _by_report_year(rows).items():
            reports.append(_report(muni, year, year_rows, name, findings))
    return reports, findings


def _row(row: dict, line: int, name: str, findings: list[Finding]) -> dict | None:
    def err(msg):
        findings.append(Finding(name, line, "error", msg))

    if not any(row.values()):
        return None
    for col in ("municipality", "measure_id", "indicator", "policy_name"):
        if not row.get(col):
            err(f"{col} is empty")
            return None
    policy_no = _int(row["policy_no"])
    if policy_no is None:
        err(f"policy_no {row['policy_no'][:20]!r} is not a whole number: expected the 運営方針 number such as 1")
        return None
    if not re.fullmatch(r"[0-9]{7}", row["measure_id"]):
        err(f"measure_id {row['measure_id'][:20]!r}: expected a 7-digit 施策番号")
        return None
    year = _year(row["fiscal_year"]) if row.get("fiscal_year") else None
    if year is None and row.get("fiscal_label"):
        year = _year(row["fiscal_label"])
    if year is None:
        err(f"fiscal year {row.get('fiscal_year') or row.get('fiscal_label')!r}: expected 2019, R1年度 or H30年度")
        return None
    label = row.get("fiscal_label") or nz.wareki_label(year)
    value = nz.parse_value(row["value"])
    if value.status == nz.STATUS_INVALID:
        err(f"value {row['value'][:20]!r} is not a number (expected e.g. 1,365, - or blank)")
        return None
    status = value.status
    given = row.get("value_status")
    if given:
        if given not in (nz.STATUS_REPORTED, nz.STATUS_NO_VALUE, nz.STATUS_NOT_REPORTED):
            err(f"value_status {given!r}: expected reported, no_value or not_reported")
            return None
        if (given == nz.STATUS_REPORTED) != (value.status == nz.STATUS_REPORTED):
            err(f"value_status {given!r} does not fit the value {row['value'][:20]!r}")
            return None
        status = given
    reflection = (row.get("reflection") or "").upper() or None
    if reflection and (len(reflection) != 1 or not reflection.isalpha()):
        err(f"reflection {reflection!r}: expected a letter such as A or B")
        return None
    if reflection and reflection not in KNOWN_REFLECTIONS:
        findings.append(Finding(name, line, "warning", f"unknown 反映区分 letter {reflection!r}: expected A or B"))
    report_year = None
    if row.get("report_year"):
        report_year = _year(row["report_year"])
        if report_year is None:
            err(f"report_year {row['report_year'][:20]!r}: expected 2019, R1年度 or blank")
            return None
    initiative_no = _int(row.get("initiative_no") or "0")
    if initiative_no is None:
        err(f"initiative_no {row['initiative_no'][:20]!r} is not a whole number: expected the 主な取組 number or blank")
        return None
    return {
        **row,
        "policy_no": policy_no,
        "initiative_no": initiative_no,
        "fiscal_year": year,
        "fiscal_label": label,
        "value": value.value,
        "value_status": status,
        "raw": row["value"],
        "reflection": reflection,
        "report_year": report_year,
        "line": line,
    }


def _by_report_year(rows: list[dict]) -> dict[int, list[dict]]:
    latest = max(r["fiscal_year"] for r in rows if r["value_status"] != nz.STATUS_NOT_REPORTED) if any(
        r["value_status"] != nz.STATUS_NOT_REPORTED for r in rows
    ) else max(r["fiscal_year"] for r in rows)
    out: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        out[r["report_year"] or latest].append(r)
    return out


def _report(muni: str, year: int, rows: list[dict], name: str, findings: list[Finding]) -> Report:
    label = next((r["report_label"] for r in rows if r.get("report_label")), None) or nz.wareki_label(year)
    report = Report(name, muni, year, label, "template")
    policies: dict[int, Policy] = {}
    initiatives: dict = {}
    measures: dict[str, Measure] = {}
    indicators: dict = {}
    for r in rows:
        policy = policies.get(r["policy_no"])
        if policy is None:
            policy = policies[r["policy_no"]] = Policy(r["policy_no"], r["policy_name"], r["line"])
            report.policies.append(policy)
        ikey = (r["policy_no"], r["initiative_no"])
        initiative = initiatives.get(ikey)
        if initiative is None:
            initiative = initiatives[ikey] = Initiative(r["initiative_no"], r.get("initiative_name", ""), r["line"])
            policy.initiatives.append(initiative)
        measure = measures.get(r["measure_id"])
        if measure is None:
            purpose = r.get("measure_purpose", "")
            measure = measures[r["measure_id"]] = Measure(r["measure_id"], purpose, purpose, r["line"])
            for part in (r.get("departments") or "").split("/"):
                measure.departments.extend(parse_departments(part, lambda msg: None))
            measure.reflection = r["reflection"]
            measure.reflection_label = r.get("reflection_label") or KNOWN_REFLECTIONS.get(r["reflection"] or "")
            initiative.measures.append(measure)
        ind = indicators.get((r["measure_id"], r["indicator"]))
        if ind is None:
            ind = Indicator(r["indicator"], r["indicator"], r["unit"], [], r["line"])
            if r.get("note"):
                ind.notes.append(r["note"])
            indicators[(r["measure_id"], r["indicator"])] = ind
            measure.indicators.append(ind)
        if any(c.fiscal_year == r["fiscal_year"] for c in ind.cells):
            findings.append(
                Finding(name, r["line"], "error", f"{r['indicator']!r} {r['fiscal_label']} appears twice for {muni}")
            )
            continue
        ind.cells.append(Cell(r["fiscal_year"], r["fiscal_label"], r["value"], r["value_status"], r["raw"]))
    return report
