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
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from . import limits
from . import normalize as nz
from .model import FLAT_TABLE  # the one list of the flat table's columns and their Japanese labels
from .parse import KNOWN_REFLECTIONS, parse_departments
from .report import Cell, Finding, Indicator, Initiative, Measure, ParseError, Policy, Report
from .source import ENCODINGS, read_report, refuse_too_big

REQUIRED = ["municipality", "policy_no", "policy_name", "measure_id", "indicator", "unit", "value"]
# Columns of the flat export that the store derives again: read past without a warning.
DERIVED = ["indicator_id", "source_file", "source_line"]
COLUMNS = frozenset(FLAT_TABLE) - set(DERIVED)  # every column a template may carry: the export's own

# A measure's code as any city writes it: 施策番号 1110321, 事業番号 0086, A-12, 3-1-2.
CODE_RE = re.compile(r"[A-Za-z0-9._-]{1,32}")
# The starts of text after which a leading ' is taken off (OWASP's CSV-injection prefix); NFKC has turned the
# full-width forms into these.
FORMULA_STARTS = ("=", "+", "-", "@", "−")


# Header text -> template column: the column names themselves, the Japanese labels the dashboard's downloads
# carry, and the report's own word for the indicator column.
HEADER_NAMES = {
    **{column: column for column in FLAT_TABLE},
    **{nz.nfkc(label): column for column, (label, _doc) in FLAT_TABLE.items()},
    "指標名": "indicator",
}


def _column(header: str) -> str | None:
    """'value', '値', 'value（値）' and 'value (値)' all name the value column."""
    text = nz.nfkc(header).strip()
    if text in HEADER_NAMES:
        return HEADER_NAMES[text]
    m = re.fullmatch(r"(.+?)\s*\((.+)\)", text)
    if m:
        return HEADER_NAMES.get(m.group(1).strip()) or HEADER_NAMES.get(m.group(2).strip())
    return None


def _int(text: str) -> int | None:
    """'3', '3.0' to 3; anything else (words, nan, inf, 3.5) to None."""
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None  # nan and inf are not integers


def _year(text: str) -> int | None:
    """2019, 2019.0, R1年度 or 平成31年度 to 2019; a number outside 1900..2200 is not a year."""
    year = _int(text)
    if year is None:
        year = nz.fiscal_year(text)
    return year if year is not None and 1900 <= year <= 2200 else None


def read_template(path: Path) -> tuple[list[Report], list[Finding]]:
    return read_template_bytes(read_report(path), path.name)


def _fail(name: str, message: str, line: int = 0) -> ParseError:
    return ParseError([Finding(name, line, "error", message)])


def _too_many_rows(name: str) -> ParseError:
    return _fail(name, f"データの行が {limits.MAX_ROWS:,} 行を超えています: {limits.MAX_ROWS:,} 行までです"
                 "（ファイルを分けて取り込んでください）")


def _layout(header: list[str], name: str, findings: list[Finding]) -> dict[str, int]:
    """Template column -> its position in the header; unknown headers are a warning."""
    if len(header) > limits.MAX_COLUMNS:
        raise _fail(name, f"見出しの列が {len(header):,} 列あります: {limits.MAX_COLUMNS} 列までです", 1)
    layout: dict[str, int] = {}
    unknown = []
    for k, cell in enumerate(header):
        text = cell.strip()
        if not text:
            continue
        column = _column(text)
        if column is None:
            unknown.append(text[:30])
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
    for encoding in ENCODINGS:
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
    # usecols keeps the header's order, as the layout does; blank lines read as NaN
    return dict(frame.set_axis(list(layout), axis=1).fillna("").items())


def _xlsx_columns(data: bytes, name: str, findings: list[Finding]) -> dict[str, list[str]]:
    from .xlsx import Book

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
    layout = _layout([cells.get(k, "") for k in range(min(width, limits.MAX_COLUMNS + 1))], name, findings)
    columns: dict[str, list[str]] = {c: [] for c in layout}
    wanted = list(layout.items())
    line = first
    for number, cells in rows:
        if number - first > limits.MAX_ROWS:
            raise _too_many_rows(name)
        if cells and max(cells) >= limits.MAX_COLUMNS:
            raise _fail(name, f"{max(cells) + 1:,} 列目に値があります: {limits.MAX_COLUMNS} 列までです", number)
        for column in columns:  # rows without a cell are blank rows
            columns[column].extend([""] * (number - line - 1))
        line = max(line + 1, number)
        for column, k in wanted:
            columns[column].append(cells.get(k, ""))
    return columns


def read_columns(data: bytes, name: str) -> tuple[dict[str, list[str]], list[Finding]]:
    """The template's columns as text, by template column, and the findings about its header.
    Raises ParseError when unreadable."""
    findings: list[Finding] = []
    refuse_too_big(name, len(data))
    if not data.strip():
        raise _fail(name, "空のファイルです: テンプレートの列名を並べた見出し行が必要です")
    read = _xlsx_columns if name.lower().endswith(".xlsx") else _csv_columns
    return read(data, name, findings), findings


def _uncell(text: str) -> str:
    """A cell's text as stored: cleaned, and without the ' an export puts before formula-like text.
    Wider than the export's formulas.looks_like_formula: other tools put the quote before any sign, numbers
    included ('-5)."""
    text = nz.clean(text)
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
        return text[1:]
    return text


def _coded(cells) -> tuple[np.ndarray, np.ndarray]:
    """A column as codes into its distinct cleaned texts: each distinct text is cleaned once."""
    series = cells if isinstance(cells, pd.Series) else pd.Series(cells, dtype=object)
    codes, uniques = pd.factorize(series, use_na_sentinel=False)  # in Arrow for a CSV's column
    return codes, _objects([_uncell(str(u)) for u in uniques])


def _objects(values: list) -> np.ndarray:
    """A list as a numpy array of its objects (never read as nested sequences)."""
    return np.fromiter(values, dtype=object, count=len(values))


@limits.bulk()  # a context manager made with contextlib is a decorator too: each call runs in it
def read_template_bytes(data: bytes, name: str) -> tuple[list[Report], list[Finding]]:
    """Rows to Reports and the findings about them. Raises ParseError when unreadable."""
    columns, findings = read_columns(data, name)
    return reports_from_columns(columns, name, findings)


@limits.bulk()
def reports_from_columns(columns: dict, name: str, findings: list[Finding]) -> tuple[list[Report], list[Finding]]:
    """read_template_bytes from the columns read_columns gave; `findings` grows by the rows' findings."""
    missing = [c for c in REQUIRED if c not in columns]
    if "fiscal_year" not in columns and "fiscal_label" not in columns:
        missing.append("fiscal_year か fiscal_label")
    if missing:
        raise _fail(name, f"テンプレートの列 {', '.join(missing)} がありません: 見出し行に必要です", 1)
    rows = _Rows({column: _coded(cells) for column, cells in columns.items()})
    rows.check(name, findings)
    groups = rows.groups()
    if not groups:
        raise ParseError(findings or [limits.whole_file(name, "データの行がありません: 見出しの下に1行以上必要です")])
    return [_report(rows, muni, year, indices, name, findings) for muni, year, indices in groups], findings


class _Rows:
    """The template's rows, held column by column.

    Each check (_checks, the one statement of the rules and their messages) is worked out once per distinct cell
    text and spread over the rows by the column's codes; only a row that fails one is looked at alone.
    """

    def __init__(self, coded: dict[str, tuple[np.ndarray, np.ndarray]]):
        self.coded = coded
        self.count = len(next(iter(coded.values()))[0])
        self.texts = {column: texts[codes] for column, (codes, texts) in coded.items()}

    def text(self, column: str) -> np.ndarray:
        """A column's cleaned text per row; a column the template lacks is blank."""
        if column in self.texts:
            return self.texts[column]
        codes, texts = self.codes(column)
        return texts[codes]

    def codes(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """A column's codes and distinct texts; a column the template lacks is one blank text."""
        return self.coded.get(column, (np.zeros(self.count, dtype=np.intp), _objects([""])))

    def mapped(self, column: str, func) -> tuple[np.ndarray, np.ndarray]:
        """func of each row's text, and where it is not None; func runs once per distinct text."""
        codes, texts = self.codes(column)
        results = _objects([func(t) for t in texts])
        known = np.array([r is not None for r in results], dtype=bool)
        return results[codes], known[codes]

    def filled(self, column: str) -> np.ndarray:
        codes, texts = self.codes(column)
        return (texts != "")[codes]

    def check(self, name: str, findings: list[Finding]) -> None:
        """Every row's fields, and which rows pass every error (parsed); findings in row order."""
        blank = ~np.logical_or.reduce([self.filled(c) for c in self.coded])
        checks, self.fields = _checks(self)
        self.parsed = ~blank & np.logical_and.reduce([ok for ok, severity, _ in checks if severity == "error"])
        for k in np.flatnonzero(~blank & ~np.logical_and.reduce([ok for ok, _, _ in checks])).tolist():
            row = {c: t[k] for c, t in self.texts.items()}
            for ok, severity, message in checks:
                if not ok[k]:
                    findings.append(Finding(name, k + 2, severity, message(row)))
                    if severity == "error":
                        break

    def get(self, column: str, k: int):
        """A checked field of row k (policy_no is a number), else the cell's text; blank for a column not there."""
        values = self.fields.get(column, self.texts.get(column))
        return values[k] if values is not None else ""

    def groups(self) -> list[tuple[str, int, np.ndarray]]:
        """(municipality, report year, its parsed rows) in the order the rows first name them.

        A row without a report_year belongs to its municipality's latest fiscal year with a value
        (or its latest fiscal year when none has one)."""
        at = np.flatnonzero(self.parsed)
        frame = pd.DataFrame({
            "muni": pd.factorize(self.text("municipality")[at])[0],
            "fiscal_year": self.fields["fiscal_year"][at].astype(np.int64),
            "given": self.fields["value_status"][at] != nz.STATUS_NOT_REPORTED,
            "report_year": pd.array(list(self.fields["report_year"][at]), dtype="Int64"),
            "row": at,
        })
        latest = frame.groupby("muni").fiscal_year.max()
        latest.update(frame[frame.given].groupby("muni").fiscal_year.max())
        frame["year"] = frame.report_year.fillna(frame.muni.map(latest)).astype(np.int64)
        # Sorted by municipality, then by the year's first row; the year is in the key only to carry it along.
        first_row = frame.groupby(["muni", "year"]).row.transform("min")
        munis = self.text("municipality")
        return [(munis[first], int(year), rows.to_numpy())
                for (_, first, year), rows in frame.row.groupby([frame.muni, first_row, frame.year])]


def _checks(rows: _Rows) -> tuple[list[tuple[np.ndarray, str, Callable[[dict], str]]], dict[str, np.ndarray]]:
    """The rules a row must pass, in the order a row's first problem is said: per rule, which rows pass it, the
    finding's severity, and its message from the row's texts (an error stops the row). And each row's checked
    fields, right for the rows that pass every error."""
    checks = [(rows.filled(c), "error", lambda r, c=c: f"{c} が空です: 値が必要です")
              for c in ("municipality", "measure_id", "indicator", "policy_name")]
    policy_no, ok = rows.mapped("policy_no", _int)
    checks.append((ok, "error", lambda r: f"policy_no {r['policy_no'][:20]!r} は整数ではありません: "
                   "1 のような運営方針の番号が必要です"))
    checks.append((rows.mapped("measure_id", lambda code: CODE_RE.fullmatch(code) or None)[1], "error",
                   lambda r: f"measure_id {r['measure_id'][:40]!r}: 英数字と - _ . だけの 32 文字までのコード"
                   "（例 1110321、0086、A-12、3-1-2）が必要です"))
    by_number, ok_number = rows.mapped("fiscal_year", _year)
    by_label, ok_label = rows.mapped("fiscal_label", _year)
    year = np.where(ok_number, by_number, by_label)
    checks.append((ok_number | ok_label, "error", lambda r: "年度 "
                   f"{(r.get('fiscal_year') or r.get('fiscal_label') or '')[:20]!r}: 2019、R1年度、H30年度 のような年度が必要です"))
    values, _ = rows.mapped("value", lambda text: nz.parse_value(text).value)
    checks.append((rows.mapped("value", lambda text: nz.parse_value(text).status != nz.STATUS_INVALID or None)[1], "error",
                   lambda r: f"value {r['value'][:20]!r} は数値ではありません: 1,365、-、欠測 または空欄が必要です"))
    status = _statuses(rows)
    checks.append((pd.notna(status), "error",
                   lambda r: f"value_status {r['value_status'][:20]!r} が値 {r['value'][:20]!r} と合いません: "
                   "reported（数値）、no_value・missing・欠測（値なし）、not_reported（空欄）のどれかが必要です"))
    reflection, _ = rows.mapped("reflection", lambda text: text.upper() or None)
    letter = lambda text: len(text.upper()) == 1 and text.upper().isalpha()  # noqa: E731
    checks.append((rows.mapped("reflection", lambda text: not text or letter(text) or None)[1], "error",
                   lambda r: f"reflection {r['reflection'].upper()[:20]!r}: A や B のような1文字の反映区分が必要です"))
    checks.append((rows.mapped("reflection", lambda text: not text or text.upper() in KNOWN_REFLECTIONS or None)[1],
                   "warning", lambda r: f"反映区分 {r['reflection'].upper()!r} は知られていない記号です: A か B が普通です"))
    report_year, ok = rows.mapped("report_year", _year)
    checks.append((ok | ~rows.filled("report_year"), "error",
                   lambda r: f"report_year {r['report_year'][:20]!r}: 2019、R1年度 のような年度か空欄が必要です"))
    initiative_no, ok = rows.mapped("initiative_no", lambda text: _int(text or "0"))
    checks.append((ok, "error", lambda r: f"initiative_no {r['initiative_no'][:20]!r} は整数ではありません: "
                   "主な取組の番号か空欄が必要です"))
    label_of = {y: nz.wareki_label(y) for y in set(year[ok_number | ok_label].tolist())}
    given = rows.text("fiscal_label")
    labels = np.where(given != "", given, pd.Series(year, dtype=object).map(label_of).to_numpy(object))
    return checks, {
        "policy_no": policy_no, "initiative_no": initiative_no, "fiscal_year": year, "fiscal_label": labels,
        "value": values, "value_status": status, "reflection": reflection, "report_year": report_year,
    }


def _statuses(rows: _Rows) -> np.ndarray:
    """Each row's status (_status of its value_status and value), once per distinct pair; None where they clash."""
    given, given_texts = rows.codes("value_status")
    value, value_texts = rows.codes("value")
    pairs = _pairs(given, value)
    firsts = pd.Series(pairs).drop_duplicates().index  # each pair's first row, in the pairs' order
    return _objects([_status(given_texts[given[k]], nz.parse_value(value_texts[value[k]])) for k in firsts])[pairs]


def _status(given: str | None, value: nz.Value) -> str | None:
    """The row's status: the value's own, or the value_status column's when it fits the value."""
    if not given:
        return value.status
    if nz.says_no_value(given):
        given = nz.STATUS_NO_VALUE
    if given not in (nz.STATUS_REPORTED, nz.STATUS_NO_VALUE, nz.STATUS_NOT_REPORTED):
        return None
    if (given == nz.STATUS_REPORTED) != (value.status == nz.STATUS_REPORTED):
        return None
    return given


def _report(rows: _Rows, muni: str, year: int, at: np.ndarray, name: str, findings: list[Finding]) -> Report:
    """One municipality's report year from its rows (indices into rows, in order)."""
    given = rows.text("report_label")[at]
    filled = np.flatnonzero(given != "")
    report = Report(name, muni, year, given[filled[0]] if len(filled) else nz.wareki_label(year), "template")
    kept = at[_kept(rows, muni, at, name, findings)]
    _add_indicators(rows, kept, _add_measures(report, rows, kept))
    return report


def _pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Codes of the distinct (a, b) pairs of two code columns, numbered in the order they first appear."""
    return pd.factorize(a.astype(np.int64) * (int(b.max(initial=0)) + 1) + b)[0]


def _kept(rows: _Rows, muni: str, at: np.ndarray, name: str, findings: list[Finding]) -> np.ndarray:
    """Which rows make the report: a code keeps the policy and initiative of its first row, an indicator
    has one row per fiscal year. The other rows are findings, in row order."""
    codes = pd.factorize(rows.text("measure_id")[at])[0]
    policies, initiatives = (pd.factorize(rows.fields[f][at])[0] for f in ("policy_no", "initiative_no"))
    frame = pd.DataFrame({
        "code": codes, "position": np.arange(len(at)), "ikey": _pairs(policies, initiatives),
        "indicator": _pairs(codes, pd.factorize(rows.text("indicator")[at])[0]),
        "year": rows.fields["fiscal_year"][at].astype(np.int64),
    })
    first = frame.groupby("code", sort=False)[["ikey", "position"]].transform("first")
    clash = (frame.ikey != first.ikey).to_numpy()
    repeated = np.zeros(len(at), dtype=bool)
    repeated[~clash] = frame[~clash].duplicated(["indicator", "year"]).to_numpy()
    for j in np.flatnonzero(clash | repeated).tolist():
        k = int(at[j])
        code, ind_name = rows.text("measure_id")[k], rows.text("indicator")[k]
        findings.append(Finding(name, k + 2, "error", (
            f"measure_id {code!r} は {int(at[first.position[j]]) + 2} 行目で別の運営方針・主な取組に使われています: "
            f"コードは {muni} の中で1つの施策だけを指す必要があります") if clash[j] else (
            f"{ind_name!r} の {rows.fields['fiscal_label'][k]} が {muni} で2回あります: 指標と年度ごとに1行が必要です")))
    return ~(clash | repeated)


def _add_measures(report: Report, rows: _Rows, kept: np.ndarray) -> dict[str, Measure]:
    """Each code's measure, made from its first row, under its policy and initiative; code -> measure."""
    firsts = pd.Series(rows.text("measure_id")[kept]).drop_duplicates().index.to_numpy()
    policies: dict[int, Policy] = {}
    initiatives: dict[tuple[int, int], Initiative] = {}
    measures: dict[str, Measure] = {}
    for k in kept[firsts].tolist():
        number = rows.get("policy_no", k)
        ikey = (number, rows.get("initiative_no", k))
        if number not in policies:
            policies[number] = Policy(number, rows.get("policy_name", k), k + 2)
        if ikey not in initiatives:
            initiatives[ikey] = Initiative(ikey[1], rows.get("initiative_name", k), k + 2)
            policies[number].initiatives.append(initiatives[ikey])
        measure = measures[rows.get("measure_id", k)] = _measure(rows, k)
        initiatives[ikey].measures.append(measure)
    report.policies = list(policies.values())  # a dict keeps the order the rows first name them
    return measures


def _add_indicators(rows: _Rows, kept: np.ndarray, measures: dict[str, Measure]) -> None:
    """Each indicator from its first row, with a cell from each of its rows, in row order."""
    codes, names = rows.text("measure_id"), rows.text("indicator")
    key = _pairs(pd.factorize(codes[kept])[0], pd.factorize(names[kept])[0])
    by_key = np.argsort(key, kind="stable")
    order = kept[by_key]  # an indicator's rows together, indicators as they first appear
    starts = np.flatnonzero(np.r_[True, key[by_key][1:] != key[by_key][:-1]])
    columns = [rows.fields[f][order].tolist() for f in ("fiscal_year", "fiscal_label", "value", "value_status")]
    cells = [Cell(*c) for c in zip(*columns, rows.text("value")[order].tolist())]
    firsts = order[starts]
    ends = np.r_[starts[1:], len(order)].tolist()
    notes = rows.text("note")[firsts].tolist()
    for k, name, unit, code, note, a, b in zip(firsts.tolist(), names[firsts].tolist(), rows.text("unit")[firsts].tolist(),
                                               codes[firsts].tolist(), notes, starts.tolist(), ends):
        measures[code].indicators.append(Indicator(name, name, unit, cells[a:b], k + 2, [note] if note else []))


def _measure(rows: _Rows, k: int) -> Measure:
    purpose = rows.get("measure_purpose", k)
    measure = Measure(rows.get("measure_id", k), purpose, purpose, k + 2)
    for part in rows.get("departments", k).split("/"):
        measure.departments.extend(parse_departments(part, lambda msg: None))
    measure.reflection = rows.get("reflection", k)
    measure.reflection_label = rows.get("reflection_label", k) or KNOWN_REFLECTIONS.get(measure.reflection or "")
    return measure
