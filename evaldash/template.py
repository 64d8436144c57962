"""The flat import template: CSV or Excel with the export's column names.

A template becomes one Report per municipality and report year, so it merges
with report texts by the same rules (see model.py). Row numbers in findings
count the header as row 1, as a spreadsheet shows them.

Cells are read as text (a code 0086 stays 0086), only the documented columns are
kept, and the size is bounded (limits.py) before anything is built in memory.
Each distinct cell text is cleaned and checked once: a template repeats its
municipality, policy, code and unit on every row.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import limits
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
# Columns of the flat export that the store derives again: read past without a warning.
DERIVED = ["indicator_id", "source_file", "source_line"]

# A measure's code as any city writes it: 施策番号 1110321, 事業番号 0086, A-12, 3-1-2.
CODE_RE = re.compile(r"[A-Za-z0-9._-]{1,32}")
# Words other systems write for a missing value, in the value or value_status column.
# (To be folded into normalize's one missing-value rule.)
MISSING_WORDS = frozenset({"missing", "欠測", "―"})
# What an export puts before text that a spreadsheet would run as a formula (OWASP's
# CSV-injection advice); NFKC has turned the full-width forms into these.
FORMULA_STARTS = ("=", "+", "-", "@", "−")


@lru_cache(maxsize=1)
def header_names() -> dict[str, str]:
    """Header text -> template column: the column names themselves and the Japanese
    labels the dashboard's downloads carry."""
    from .model import FLAT_TABLE  # the one list of the flat table's Japanese labels

    names = {c: c for c in REQUIRED + OPTIONAL + DERIVED}
    for column, (label, _doc) in FLAT_TABLE.items():
        names.setdefault(nz.nfkc(label), column)
    names.setdefault("指標名", "indicator")
    return names


def _column(header: str) -> str | None:
    """'value', '値', 'value（値）' and 'value (値)' all name the value column."""
    text = nz.nfkc(str(header)).strip()
    names = header_names()
    if text in names:
        return names[text]
    m = re.fullmatch(r"(.+?)\s*\((.+)\)", text)
    if m:
        return names.get(m.group(1).strip()) or names.get(m.group(2).strip())
    return None


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


def _fail(name: str, message: str, line: int = 0) -> ParseError:
    finding = limits.whole_file(name, message) if line == 0 else Finding(name, line, "error", message)
    return ParseError([finding])


def _too_many_rows(name: str) -> ParseError:
    return _fail(name, f"データの行が {limits.MAX_ROWS:,} 行を超えています: {limits.MAX_ROWS:,} 行までです"
                 "（ファイルを分けて取り込んでください）")


def _layout(header: list, name: str, findings: list[Finding]) -> dict[str, int]:
    """Template column -> its position in the header; unknown headers are a warning."""
    if len(header) > limits.MAX_COLUMNS:
        raise _fail(name, f"見出しの列が {len(header):,} 列あります: {limits.MAX_COLUMNS} 列までです", 1)
    layout: dict[str, int] = {}
    unknown = []
    for k, cell in enumerate(header):
        column = _column(cell) if cell is not None and str(cell).strip() else None
        if column is None:
            if cell is not None and str(cell).strip():
                unknown.append(str(cell).strip()[:30])
        elif column not in layout and column not in DERIVED:
            layout[column] = k
    if unknown:
        listed = "、".join(repr(u) for u in unknown[:10]) + (" ほか" if len(unknown) > 10 else "")
        findings.append(Finding(name, 1, "warning", f"テンプレートにない列 {listed} は読み飛ばします"
                                f"（使える列は README の「取込テンプレート」を参照）"))
    return layout


def _csv_columns(data: bytes, name: str, findings: list[Finding]) -> dict[str, list[str]]:
    if b"\x00" in data[:65536]:
        raise _fail(name, "バイナリファイルです（NUL バイトを含みます）: CSV のテキストが必要です")
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _fail(name, "CSV の文字コードが UTF-8 でも Shift_JIS (CP932) でもありません")
    header = next(csv.reader(io.StringIO(text[: text.find("\n") + 1 or len(text)])), [])
    layout = _layout(header, name, findings)
    if not layout:
        return {}
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False,
                            header=0, usecols=sorted(layout.values()), nrows=limits.MAX_ROWS + 1, engine="c")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise _fail(name, f"CSV として読めません（{str(exc)[:120]}）: 見出しと同じ数の列が並ぶ行が必要です",
                    int(line.group(1)) if line else 0) from exc
    if len(frame) > limits.MAX_ROWS:
        raise _too_many_rows(name)
    by_position = {k: c for c, k in layout.items()}
    # usecols keeps header order; blank lines read as NaN
    return {by_position[k]: frame.iloc[:, j].fillna("") for j, k in enumerate(sorted(layout.values()))}


def _xlsx_columns(data: bytes, name: str, findings: list[Finding]) -> dict[str, list[str]]:
    from .xlsx import Book

    if not data.startswith(b"PK"):
        raise _fail(name, "Excel (.xlsx) のファイルではありません")
    bomb = limits.xlsx_bomb(data, name)
    if bomb is not None:
        raise ParseError([bomb])
    try:
        book = Book(data)
        sheets = book.sheets()
        if not sheets:
            raise _fail(name, "Excel ファイルにシートがありません")
        return _sheet_columns(book, _template_sheet(book, sheets), name, findings)
    except ParseError:
        raise
    except Exception as exc:  # a damaged workbook fails in many ways (zip, XML, numbers)
        raise _fail(name, f"Excel ファイルを読めません（{type(exc).__name__}）: Excel で開いて保存し直してください") from exc


def _template_sheet(book, sheets: list[str]) -> str:
    """An export workbook has several sheets: take the one with the template's columns."""
    for path in sheets:
        _, header = next(book.rows(path), (0, {}))
        if set(REQUIRED) <= {_column(h) for k, h in header.items() if k <= limits.MAX_COLUMNS}:
            return path
    return sheets[0]


def _sheet_columns(book, path: str, name: str, findings: list[Finding]) -> dict[str, list[str]]:
    rows = book.rows(path)
    first, cells = next(rows, (1, {}))
    width = max(cells, default=-1) + 1
    layout = _layout([cells.get(k) for k in range(min(width, limits.MAX_COLUMNS + 1))], name, findings)
    columns: dict[str, list[str]] = {c: [] for c in layout}
    wanted = list(layout.items())
    line = first
    for number, cells in rows:
        if number - first > limits.MAX_ROWS:
            raise _too_many_rows(name)
        if cells and max(cells) >= limits.MAX_COLUMNS:
            raise _fail(name, f"{max(cells) + 1:,} 列目に値があります: {limits.MAX_COLUMNS} 列までです", number)
        while line + 1 < number:  # rows without a cell are blank rows
            line += 1
            for column, _ in wanted:
                columns[column].append("")
        line = max(line + 1, number)
        for column, k in wanted:
            columns[column].append(cells.get(k, ""))
    return columns


def _frame_columns(data: bytes, name: str, findings: list[Finding]) -> dict[str, list[str]]:
    if not data.strip():
        raise _fail(name, "空のファイルです: テンプレートの列名を並べた見出し行が必要です")
    if len(data) > MAX_REPORT_BYTES:
        raise _fail(name, f"{len(data):,} バイトあります: {MAX_REPORT_BYTES:,} バイトまでです")
    if name.lower().endswith(".xlsx"):
        return _xlsx_columns(data, name, findings)
    return _csv_columns(data, name, findings)


def _uncell(text: str) -> str:
    """A cell's text as stored: cleaned, and without the ' an export puts before formula-like text."""
    text = nz.clean(text)
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
        return text[1:]
    return text


def read_template_bytes(data: bytes, name: str) -> tuple[list[Report], list[Finding]]:
    """Rows to Reports and the findings about them. Raises ParseError when unreadable."""
    with limits.bulk():
        return _read(data, name)


def _cleaned(cells) -> list[str]:
    """A column's cells cleaned, each distinct text once; equal cells share one string."""
    series = cells if isinstance(cells, pd.Series) else pd.Series(cells, dtype=object)
    codes, uniques = pd.factorize(series, use_na_sentinel=False)  # in Arrow for a CSV's column
    texts = np.array([_uncell(str(u)) for u in uniques] + [""], dtype=object)
    return texts[codes].tolist()


def _read(data: bytes, name: str) -> tuple[list[Report], list[Finding]]:
    findings: list[Finding] = []
    columns = _frame_columns(data, name, findings)
    missing = [c for c in REQUIRED if c not in columns]
    if "fiscal_year" not in columns and "fiscal_label" not in columns:
        missing.append("fiscal_year か fiscal_label")
    if missing:
        raise _fail(name, f"テンプレートの列 {', '.join(missing)} がありません: 見出し行に必要です", 1)
    for column, cells in columns.items():
        columns[column] = _cleaned(cells)
    names = list(columns)
    rows = zip(*(columns[c] for c in names))
    groups: dict = defaultdict(list)
    check = _RowCheck(name, findings, columns)
    for k, values in enumerate(rows, start=2):
        row = dict(zip(names, values))
        parsed = check.row(row, k)
        if parsed:
            groups[parsed["municipality"]].append(parsed)
    if not groups:
        raise ParseError(findings or [limits.whole_file(name, "データの行がありません: 見出しの下に1行以上必要です")])
    reports = []
    for muni, muni_rows in groups.items():
        for year, year_rows in _by_report_year(muni_rows).items():
            reports.append(_report(muni, year, year_rows, name, findings))
    return reports, findings


class _RowCheck:
    """Checks one row; what a distinct cell text means is worked out once."""

    def __init__(self, name: str, findings: list[Finding], columns: dict[str, list[str]]):
        self.name, self.findings, self.columns = name, findings, columns
        self.ints = _memo(_int)
        self.years = _memo(_year)
        self.values = _memo(_value)
        self.codes = _memo(lambda code: CODE_RE.fullmatch(code) is not None)
        self.labels = _memo(nz.wareki_label)

    def row(self, row: dict, line: int) -> dict | None:
        problem = self._problem(row, line)
        if isinstance(problem, str):
            self.findings.append(Finding(self.name, line, "error", problem))
            return None
        return problem

    def _problem(self, row: dict, line: int) -> dict | str | None:
        if not any(row.values()):
            return None
        for col in ("municipality", "measure_id", "indicator", "policy_name"):
            if not row.get(col):
                return f"{col} が空です: 値が必要です"
        policy_no = self.ints(row["policy_no"])
        if policy_no is None:
            return f"policy_no {row['policy_no'][:20]!r} は整数ではありません: 1 のような運営方針の番号が必要です"
        if not self.codes(row["measure_id"]):
            return (f"measure_id {row['measure_id'][:40]!r}: 英数字と - _ . だけの 32 文字までのコード"
                    "（例 1110321、0086、A-12、3-1-2）が必要です")
        year = self.years(row["fiscal_year"]) if row.get("fiscal_year") else None
        if year is None and row.get("fiscal_label"):
            year = self.years(row["fiscal_label"])
        if year is None:
            return (f"年度 {(row.get('fiscal_year') or row.get('fiscal_label') or '')[:20]!r}: "
                    "2019、R1年度、H30年度 のような年度が必要です")
        value = self.values(row["value"])
        if value.status == nz.STATUS_INVALID:
            return f"value {row['value'][:20]!r} は数値ではありません: 1,365、-、欠測 または空欄が必要です"
        status = _status(row.get("value_status"), value)
        if status is None:
            return (f"value_status {row['value_status'][:20]!r} が値 {row['value'][:20]!r} と合いません: "
                    "reported（数値）、no_value・missing・欠測（値なし）、not_reported（空欄）のどれかが必要です")
        return self._rest(row, line, policy_no, year, value, status)

    def _rest(self, row: dict, line: int, policy_no: int, year: int, value: nz.Value, status: str) -> dict | str:
        reflection = (row.get("reflection") or "").upper() or None
        if reflection and (len(reflection) != 1 or not reflection.isalpha()):
            return f"reflection {reflection[:20]!r}: A や B のような1文字の反映区分が必要です"
        if reflection and reflection not in KNOWN_REFLECTIONS:
            self.findings.append(Finding(self.name, line, "warning",
                                         f"反映区分 {reflection!r} は知られていない記号です: A か B が普通です"))
        report_year = None
        if row.get("report_year"):
            report_year = self.years(row["report_year"])
            if report_year is None:
                return f"report_year {row['report_year'][:20]!r}: 2019、R1年度 のような年度か空欄が必要です"
        initiative_no = self.ints(row.get("initiative_no") or "0")
        if initiative_no is None:
            return (f"initiative_no {row['initiative_no'][:20]!r} は整数ではありません: "
                    "主な取組の番号か空欄が必要です")
        return _Row(self.columns, line, policy_no, initiative_no, year, row.get("fiscal_label") or self.labels(year),
                    value.value, status, reflection, report_year)


class _Row:
    """A checked row: what was worked out from it, and its other cells read from the columns when asked
    (a million rows kept as dicts would hold every cell again)."""

    __slots__ = ("columns", "line", "policy_no", "initiative_no", "fiscal_year", "fiscal_label", "value",
                 "value_status", "reflection", "report_year")

    def __init__(self, columns, line, policy_no, initiative_no, fiscal_year, fiscal_label, value, value_status,
                 reflection, report_year):
        self.columns, self.line, self.policy_no, self.initiative_no = columns, line, policy_no, initiative_no
        self.fiscal_year, self.fiscal_label, self.value = fiscal_year, fiscal_label, value
        self.value_status, self.reflection, self.report_year = value_status, reflection, report_year

    def __getitem__(self, key: str):
        if key == "raw":
            return self.columns["value"][self.line - 2]
        if key in _Row.__slots__:
            return getattr(self, key)
        return self.columns[key][self.line - 2]

    def get(self, key: str, default=""):
        if key in _Row.__slots__ or key == "raw":
            return self[key]
        column = self.columns.get(key)
        return column[self.line - 2] if column is not None else default


def _memo(func):
    cache: dict = {}

    def get(text):
        try:
            return cache[text]
        except KeyError:
            result = cache[text] = func(text)
            return result
    return get


def _value(text: str) -> nz.Value:
    if text.lower() in MISSING_WORDS or text in MISSING_WORDS:
        return nz.Value(None, nz.STATUS_NO_VALUE, text)
    return nz.parse_value(text)


def _status(given: str | None, value: nz.Value) -> str | None:
    """The row's status: the value's own, or the value_status column's when it fits the value."""
    if not given:
        return value.status
    if given.lower() in MISSING_WORDS or given in MISSING_WORDS:
        given = nz.STATUS_NO_VALUE
    if given not in (nz.STATUS_REPORTED, nz.STATUS_NO_VALUE, nz.STATUS_NOT_REPORTED):
        return None
    if (given == nz.STATUS_REPORTED) != (value.status == nz.STATUS_REPORTED):
        return None
    return given


def _by_report_year(rows: list[dict]) -> dict[int, list[dict]]:
    given = [r["fiscal_year"] for r in rows if r["value_status"] != nz.STATUS_NOT_REPORTED]
    latest = max(given) if given else max(r["fiscal_year"] for r in rows)
    out: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        out[r["report_year"] or latest].append(r)
    return out


def _report(muni: str, year: int, rows: list[_Row], name: str, findings: list[Finding]) -> Report:
    label = next((r["report_label"] for r in rows if r.get("report_label")), None) or nz.wareki_label(year)
    report = Report(name, muni, year, label, "template")
    policies: dict[int, Policy] = {}
    initiatives: dict = {}
    measures: dict[str, tuple[Measure, tuple, int]] = {}
    indicators: dict = {}  # (code, name) -> the indicator and the years it has
    columns = rows[0].columns
    codes, names, texts = columns["measure_id"], columns["indicator"], columns["value"]
    for r in rows:
        k = r.line - 2
        code, ind_name, ikey = codes[k], names[k], (r.policy_no, r.initiative_no)
        known = measures.get(code)
        if known is not None and known[1] != ikey:
            findings.append(Finding(name, r.line, "error", (
                f"measure_id {code!r} は {known[2]} 行目で別の運営方針・主な取組に使われています: "
                f"コードは {muni} の中で1つの施策だけを指す必要があります")))
            continue
        if known is None:
            measure = _measure(r)
            _initiative(report, policies, initiatives, r, ikey).measures.append(measure)
            known = measures[code] = (measure, ikey, r.line)
        entry = indicators.get((code, ind_name))
        if entry is None:
            ind = Indicator(ind_name, ind_name, r["unit"], [], r.line)
            if r.get("note"):
                ind.notes.append(r["note"])
            entry = indicators[(code, ind_name)] = (ind, set())
            known[0].indicators.append(ind)
        if r.fiscal_year in entry[1]:
            findings.append(Finding(name, r.line, "error", (
                f"{ind_name!r} の {r.fiscal_label} が {muni} で2回あります: 指標と年度ごとに1行が必要です")))
            continue
        entry[1].add(r.fiscal_year)
        entry[0].cells.append(Cell(r.fiscal_year, r.fiscal_label, r.value, r.value_status, texts[k]))
    return report


def _initiative(report: Report, policies: dict, initiatives: dict, r: dict, ikey: tuple) -> Initiative:
    policy = policies.get(r["policy_no"])
    if policy is None:
        policy = policies[r["policy_no"]] = Policy(r["policy_no"], r["policy_name"], r["line"])
        report.policies.append(policy)
    initiative = initiatives.get(ikey)
    if initiative is None:
        initiative = initiatives[ikey] = Initiative(r["initiative_no"], r.get("initiative_name", ""), r["line"])
        policy.initiatives.append(initiative)
    return initiative


def _measure(r: dict) -> Measure:
    purpose = r.get("measure_purpose", "")
    measure = Measure(r["measure_id"], purpose, purpose, r["line"])
    for part in (r.get("departments") or "").split("/"):
        measure.departments.extend(parse_departments(part, lambda msg: None))
    measure.reflection = r["reflection"]
    measure.reflection_label = r.get("reflection_label") or KNOWN_REFLECTIONS.get(r["reflection"] or "")
    return measure
