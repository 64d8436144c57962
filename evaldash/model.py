"""Reports to the store's tables: merge many report years, record revisions and changes.

Next year's report repeats earlier years and adds one. Reports are merged per
municipality + 施策番号 + indicator name, oldest first, so the newest report
wins; a cell left blank ("not reported") never overrides a value an older
report gave. Every value that a newer report changes is kept as a revision.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from . import normalize as nz
from .report import Cell, Finding, FindingsError, Indicator, Report, quoted
from .summary import change_sentences, decimals_of

# The flat table (the export contract), column -> (Japanese name, description), in the table's order: shown on the
# データ page and in the Excel export's 列の説明 sheet, and checked against the README by a test.
FLAT_TABLE: dict[str, tuple[str, str]] = {
    "municipality": ("自治体", "自治体名（本文から検出、または取込テンプレートの値）"),
    "report_year": ("報告書の年度（西暦）", "値を採用した報告書の年度（西暦の年度、例 2019）"),
    "report_label": ("報告書の年度", "その報告書の年度表記（例 R1年度）"),
    "policy_no": ("運営方針番号", "運営方針の番号"),
    "policy_name": ("運営方針", "運営方針の名称"),
    "initiative_no": ("主な取組番号", "主な取組の番号（運営方針の中での番号）"),
    "initiative_name": ("主な取組", "主な取組の名称"),
    "measure_id": ("施策番号", "施策・事業のコード（英数字と - _ .、32文字まで。苫小牧市の報告書では7桁の施策番号）"),
    "measure_purpose": ("施策の目的", "施策の目的（本文、OCR 補正後）"),
    "departments": ("担当部・課", "担当部・課（複数は「 / 」区切り）"),
    "reflection": ("反映区分", "反映区分の記号（A、B …）"),
    "reflection_label": ("反映区分の説明", "反映区分の説明（例 趣旨に沿って措置したもの）"),
    "indicator_id": ("指標ID", "指標の識別子（施策番号~自治体・施策番号・名前のハッシュ16桁。報告書が変わっても同じ指標なら同じ、自治体をまたいでも重ならない）"),
    "indicator": ("指標", "指標名（(令和2年4月1日現在) などの但し書きを含む）"),
    "unit": ("単位", "単位"),
    "fiscal_year": ("年度（西暦）", "年度（西暦の年度、例 H30年度 = 2018）"),
    "fiscal_label": ("年度", "報告書での年度表記（例 H30年度）"),
    "value": ("値", "値（数値。値なしのときは空）"),
    "value_status": ("値の状態", "reported = 報告値、no_value = 報告書に「-」（値なし）"),
    "note": ("注記", "指標の注記（※ で始まる行）"),
    "source_file": ("出典ファイル", "値を採用した報告書のファイル名"),
    "source_line": ("出典の行", "その報告書で指標の行がある行番号"),
}
FLAT_COLUMNS = list(FLAT_TABLE)

TABLES_SQL = Path(__file__).with_name("tables.sql")


def _declared_tables() -> dict[str, dict[str, str]]:
    """Each table's columns and their types, in order, as tables.sql declares them."""
    with duckdb.connect() as con:
        con.execute(TABLES_SQL.read_text(encoding="utf-8"))
        rows = con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE NOT internal "
            "ORDER BY table_oid, column_index"
        ).fetchall()
    tables: dict[str, dict[str, str]] = {}
    for table, column, kind in rows:
        tables.setdefault(table, {})[column] = kind
    return tables


TABLE_TYPES = _declared_tables()


def flat_dictionary() -> pd.DataFrame:
    """列の説明: the flat table's columns with their Japanese names and descriptions."""
    return pd.DataFrame([(c, label, doc) for c, (label, doc) in FLAT_TABLE.items()], columns=["列名", "日本語名", "説明"])


ID_SEPARATOR = "~"


def indicator_id(municipality: str, measure_id: str, key: str) -> str:
    """Stable across report years: `key` is the indicator's name without its date qualifier (…現在,
    normalize.indicator_key).

    Unique across municipalities too: queries, pages and exports pick indicators by id alone. Eight hex digits were
    not (two pairs of a generated national store of 510,000 indicators shared an id, and 推移 or a card would have
    drawn another city's values with the chosen one's); sixteen leave a collision at about 1 in 10⁸ for that store,
    and build_frames refuses one rather than merge two indicators.

    `~` joins the code and the digest: a measure's code may hold `-` (`A-12`, `3-1-2`), never `~`, and `~` needs no
    escaping in a URL. Links with the older `-` still open their indicators (shaping.linked_indicator).
    """
    digest = hashlib.sha1(f"{municipality}\x1f{measure_id}\x1f{key}".encode()).hexdigest()[:16]
    return f"{measure_id}{ID_SEPARATOR}{digest}"


@dataclass(slots=True)  # one per indicator of each report: a million-row template makes 200,000 of them
class _Met:
    report: Report
    measure_id: str
    indicator_id: str
    indicator: Indicator


@dataclass
class Merged:
    """The latest of each thing over all report years: walking oldest first and overwriting leaves the newest."""

    policies: dict = field(default_factory=dict)  # (muni, policy_no) -> (report, Policy)
    initiatives: dict = field(default_factory=dict)  # (muni, policy_no, initiative_no) -> (report, Initiative)
    measures: dict = field(default_factory=dict)  # (muni, measure_id) -> (report, policy, initiative, measure)
    indicators: dict = field(default_factory=dict)  # (muni, indicator_id) -> (report, measure_id, Indicator)
    owners: dict = field(default_factory=dict)  # indicator_id -> (muni, measure_id, name key), in every city
    met: list[_Met] = field(default_factory=list)  # every indicator of every report, in the order merged
    observations: pd.DataFrame | None = None  # the observations table: the newest reported value of each year
    revisions: list[dict] = field(default_factory=list)


def _order(reports: list[Report]) -> list[Report]:
    return sorted(reports, key=lambda r: (r.municipality, r.report_year or 0, r.source_file))


def _frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """A table's rows as a frame with the table's declared columns (tables.sql), also when there are none."""
    return pd.DataFrame(rows, columns=list(TABLE_TYPES[table]))


def build_frames(reports: list[Report], source_info: dict[str, dict] | None = None) -> dict[str, pd.DataFrame]:
    """All tables of the store as DataFrames. Pure: no I/O. FindingsError when two indicators get one id."""
    reports = _order(reports)
    merged = merge(reports)
    frames = {
        "reports": _frame("reports", [_report_row(r, (source_info or {}).get(r.source_file, {})) for r in reports]),
        "policies": _policies(merged),
        "initiatives": _initiatives(merged),
        **_measures(merged),
        "indicators": _indicators(merged),
        "observations": merged.observations,
        "revisions": _frame("revisions", merged.revisions),
        "report_changes": _frame("report_changes", report_changes(reports)),
    }
    frames["indicator_changes"] = _indicator_changes(frames["indicators"], frames["observations"])
    return frames


COMPARED = ("measures", "indicators", "observations")  # what compared_frames gives


def compared_frames(reports: list[Report]) -> dict[str, pd.DataFrame]:
    """measures, indicators and observations as build_frames makes them: what a preview of an import compares,
    without the tables it does not look at (indicator changes are most of a large build's time)."""
    merged = merge(_order(reports))
    return {"measures": _measures(merged)["measures"], "indicators": _indicators(merged),
            "observations": merged.observations}


def merge(reports: list[Report]) -> Merged:
    """Reports, oldest first, merged into the latest of each thing, with every value a newer report changed."""
    merged = Merged()
    for report in reports:
        muni = report.municipality
        for policy in report.policies:
            merged.policies[(muni, policy.number)] = (report, policy)
            for initiative in policy.initiatives:
                merged.initiatives[(muni, policy.number, initiative.number)] = (report, initiative)
        for policy, initiative, measure in report.measures():
            merged.measures[(muni, measure.measure_id)] = (report, policy, initiative, measure)
            for ind in measure.indicators:
                _merge_indicator(merged, report, measure.measure_id, ind)
    merged.observations, merged.revisions = _observations(merged.met)
    return merged


def _merge_indicator(merged: Merged, report: Report, mid: str, ind: Indicator) -> None:
    """The indicator under its id; its cells are merged all at once afterwards (_observations)."""
    muni = report.municipality
    key = nz.indicator_key(ind.name)
    iid = indicator_id(muni, mid, key)
    mine = (muni, mid, key)
    owner = merged.owners.setdefault(iid, mine)
    if owner != mine:
        raise FindingsError([Finding(  # the build stops (store.BuildError) rather than merge two indicators
            report.source_file, ind.line, "error",
            f"施策 {mid}（{muni}）の指標 {quoted(ind.name, 80)} の ID {iid} が、施策 {owner[1]}（{owner[0]}）の"
            "指標と同じです: 指標ごとに別の ID が必要です。どちらかの指標名を変えてください",
        )])
    merged.indicators[(muni, iid)] = (report, mid, ind)
    merged.met.append(_Met(report, mid, iid, ind))


def _report_row(r: Report, info: dict) -> dict:
    return {
        "source_file": r.source_file,
        "source_kind": info.get("kind", "report"),
        "sha256": info.get("sha256", ""),
        "imported_at": info.get("modified"),
        "municipality": r.municipality,
        "report_year": r.report_year,
        "report_label": r.report_label,
        "encoding": r.encoding,
        "measures": sum(1 for _ in r.measures()),
        "indicators": sum(len(m.indicators) for _, _, m in r.measures()),
        "warnings": sum(1 for f in r.findings if f.severity == "warning"),
    }


def _policies(merged: Merged) -> pd.DataFrame:
    return _frame("policies", [
        {
            "municipality": muni, "policy_no": p.number, "policy_name": p.name,
            "situation": p.situation, "goals": p.goals, "plans": p.plans,
            "situation_raw": p.situation_raw or p.situation, "goals_raw": p.goals_raw or p.goals,
            "plans_raw": p.plans_raw or p.plans,
            "report_year": r.report_year, "source_file": r.source_file, "source_line": p.line,
        }
        for (muni, _), (r, p) in sorted(merged.policies.items())
    ])


def _initiatives(merged: Merged) -> pd.DataFrame:
    return _frame("initiatives", [
        {
            "municipality": muni, "policy_no": pno, "initiative_no": ino, "initiative_name": i.name,
            "report_year": r.report_year, "source_file": r.source_file, "source_line": i.line,
        }
        for (muni, pno, ino), (r, i) in sorted(merged.initiatives.items())
    ])


def _measures(merged: Merged) -> dict[str, pd.DataFrame]:
    """measures and the rows that hang from a measure: its departments, actions and directions."""
    rows: dict[str, list[dict]] = {"measures": [], "measure_departments": [], "actions": [], "directions": []}
    for (muni, mid), (r, p, i, m) in sorted(merged.measures.items()):
        departments = " / ".join(f"{d.dept} {d.section}" if d.section else d.dept for d in m.departments)
        search = " ".join(
            [p.name, i.name, mid, m.purpose, departments]
            + [a.text for a in m.actions] + [f.text for f in m.future] + [ind.name for ind in m.indicators]
        ).lower()
        rows["measures"].append({
            "municipality": muni, "measure_id": mid, "policy_no": p.number, "policy_name": p.name,
            "initiative_no": i.number, "initiative_name": i.name, "purpose": m.purpose, "purpose_raw": m.purpose_raw,
            "reflection": m.reflection, "reflection_label": m.reflection_label, "departments": departments,
            "report_year": r.report_year, "report_label": r.report_label, "source_file": r.source_file,
            "source_line": m.line, "search_text": search,
            "units": [{"dept": d.dept, "section": d.section} for d in m.departments],
        })
        key = {"municipality": muni, "measure_id": mid}
        rows["measure_departments"] += [{**key, "ord": k, "dept": d.dept, "section": d.section}
                                        for k, d in enumerate(m.departments)]
        rows["actions"] += [{**key, "ord": k, "section": a.section, "text": a.text, "text_raw": a.raw,
                             "source_line": a.line} for k, a in enumerate(m.actions)]
        rows["directions"] += [{**key, "ord": k, "section": f.section, "text": f.text, "text_raw": f.raw or f.text,
                                "source_line": f.line} for k, f in enumerate(m.future)]
    return {table: _frame(table, table_rows) for table, table_rows in rows.items()}


def _indicators(merged: Merged) -> pd.DataFrame:
    """Built column by column, like the observations: a dict per row would spell out every column's name again."""
    if not merged.indicators:
        frame = _frame("indicators", [])  # columns of no rows keep the dtype the other tables join on
    else:
        munis, ids, reports, measures, inds = zip(*[(muni, iid, r, mid, ind) for (muni, iid), (r, mid, ind) in sorted(
            merged.indicators.items(), key=lambda kv: (kv[0][0], kv[1][1], kv[1][2].line, kv[0][1]))])
        frame = pd.DataFrame({
            "municipality": list(munis), "measure_id": list(measures), "indicator_id": list(ids),
            "indicator": [i.name for i in inds], "indicator_raw": [i.name_raw for i in inds],
            "unit": [i.unit for i in inds], "note": [" ".join(i.notes) or None for i in inds],
            "report_year": [r.report_year for r in reports], "source_file": [r.source_file for r in reports],
            "source_line": [i.line for i in inds], "search_text": [i.name.lower() for i in inds],
        }, columns=list(TABLE_TYPES["indicators"]))
    frame["ord"] = frame.groupby(["municipality", "measure_id"], sort=False).cumcount()  # its place in the measure
    return frame


def _observations(met: list[_Met]) -> tuple[pd.DataFrame, list[dict]]:
    """The observations table and the revisions, from the cells of every indicator the merge met, in its order.

    All at once rather than cell by cell: the reported cells sorted by municipality, indicator and year, and
    within a key in the order met (a stable sort). The last cell of a key is its observation."""
    owner = np.fromiter((k for k, m in enumerate(met) for c in m.indicator.cells
                         if c.status != nz.STATUS_NOT_REPORTED), np.int64)
    cells = [c for m in met for c in m.indicator.cells if c.status != nz.STATUS_NOT_REPORTED]
    if not cells:
        return _frame("observations", []), []  # columns of no rows keep the dtype the other tables join on
    muni, munis = pd.factorize(np.array([m.report.municipality for m in met], dtype=object), sort=True)
    ids, indicator_ids = pd.factorize(np.array([m.indicator_id for m in met], dtype=object), sort=True)
    year = np.fromiter((c.fiscal_year for c in cells), np.int64, len(cells))
    order = np.lexsort((year, ids[owner], muni[owner]))
    key = (muni * len(indicator_ids) + ids)[owner]  # the same for the cells of one municipality's indicator
    next_same = (key[order][1:] == key[order][:-1]) & (year[order][1:] == year[order][:-1])  # as the next in order
    last = order[np.r_[~next_same, True]]
    reports = [m.report for m in met]
    frame = pd.DataFrame({
        "municipality": _taken(list(munis), muni[owner[last]]),
        "indicator_id": _taken(list(indicator_ids), ids[owner[last]]),
        "fiscal_year": year[last],
        "fiscal_label": _texts([cells[j].fiscal_label for j in last.tolist()]),
        "value": _values([cells[j] for j in last.tolist()]),
        "value_status": _texts([cells[j].status for j in last.tolist()]),
        "raw": _texts([cells[j].raw for j in last.tolist()], str.strip),
        "report_year": _taken([r.report_year for r in reports], owner[last]),
        "report_label": _taken([r.report_label for r in reports], owner[last]),
        "source_file": _taken([r.source_file for r in reports], owner[last]),
        "source_line": _taken([m.indicator.line for m in met], owner[last]),
    }, columns=list(TABLE_TYPES["observations"]))
    return frame, _revisions(met, cells, owner, order, next_same)


def _revisions(met: list[_Met], cells: list[Cell], owner: np.ndarray, order: np.ndarray, next_same: np.ndarray
               ) -> list[dict]:
    """The revisions rows, in the order met: each cell whose value or status differs from the cell before it
    in `order` (the cells by key, each key's in the order met) of the same key."""
    value = _values([cells[j] for j in order.tolist()])
    status = np.array([cells[j].status for j in order.tolist()], dtype=object)
    same_value = (value[1:] == value[:-1]) | (np.isnan(value[1:]) & np.isnan(value[:-1]))
    changed = np.flatnonzero(next_same & ~(same_value & (status[1:] == status[:-1])))
    pairs = sorted(zip(order[changed + 1].tolist(), order[changed].tolist()))
    return [_revision(met[owner[new]], cells[new], met[owner[old]], cells[old]) for new, old in pairs]


def _revision(met: _Met, cell: Cell, old_met: _Met, old: Cell) -> dict:
    """A revisions row: `old` was the value until `cell` of a newer report (or a later line) changed it."""
    return {
        "municipality": met.report.municipality, "measure_id": met.measure_id, "indicator_id": met.indicator_id,
        "indicator": met.indicator.name, "fiscal_year": cell.fiscal_year, "fiscal_label": cell.fiscal_label,
        "old_value": old.value, "old_status": old.status, "new_value": cell.value, "new_status": cell.status,
        "old_report": old_met.report.source_file, "new_report": met.report.source_file,
        "old_report_year": old_met.report.report_year, "new_report_year": met.report.report_year,
    }


def _values(cells: list[Cell]) -> np.ndarray:
    """The cells' values as floats, NaN where a cell has none."""
    return np.fromiter((np.nan if c.value is None else c.value for c in cells), np.float64, len(cells))


def _taken(values: list, at: np.ndarray):
    """values[at] as a frame column, typed as pandas types a list of the values taken; each value converted once."""
    taken = np.bincount(at, minlength=len(values)) > 0
    renumbered = np.cumsum(taken) - 1  # a taken value's place among the taken ones
    return pd.Series([values[j] for j in np.flatnonzero(taken).tolist()]).array.take(renumbered[at])


def _texts(values: list, func=None):
    """Texts as a frame column (func of each, if given), each distinct text converted once."""
    codes, uniques = pd.factorize(np.array(values, dtype=object), use_na_sentinel=False)
    return _taken([func(u) if func else u for u in uniques], codes)


def _indicator_changes(indicators: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """Per indicator, the two latest fiscal years that have a reported value, and the change between them (none
    for a row without two years: it has neither year, label nor value); sentences and rounding as summary says,
    each distinct number worked out once.

    One sort and a count from the end instead of a sub-frame per indicator: the per-indicator
    version was most of a large build (BENCHMARKS.md, decisions log: indicator changes vectorised).
    """
    keys = ["municipality", "indicator_id"]
    reported = observations.loc[observations["value_status"] == nz.STATUS_REPORTED,
                                keys + ["fiscal_year", "fiscal_label", "value"]]
    reported = reported.sort_values(keys + ["fiscal_year"], kind="stable")
    from_end = reported.groupby(keys, sort=False).cumcount(ascending=False)
    last = reported[from_end == 0].rename(
        columns={"fiscal_year": "latest_year", "fiscal_label": "latest_label", "value": "latest_value"})
    prev = reported[from_end == 1].rename(
        columns={"fiscal_year": "prev_year", "fiscal_label": "prev_label", "value": "prev_value"})
    frame = indicators[keys + ["indicator", "unit"]].merge(prev.merge(last, on=keys), on=keys, how="left")
    known = frame["prev_year"].notna().to_numpy()
    p = frame["prev_value"].to_numpy(dtype="float64", na_value=float("nan"))
    v = frame["latest_value"].to_numpy(dtype="float64", na_value=float("nan"))
    decimals = lru_cache(maxsize=None)(decimals_of)  # once per distinct value
    delta = [round(b - a, max(decimals(a), decimals(b))) if k else None
             for k, a, b in zip(known.tolist(), p.tolist(), v.tolist())]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(p == 0, np.nan, (v - p) / np.abs(p) * 100)
    return pd.DataFrame({
        "municipality": frame["municipality"], "indicator_id": frame["indicator_id"],
        "prev_year": frame["prev_year"].astype("Int64"), "prev_label": frame["prev_label"],
        "prev_value": p,
        "latest_year": frame["latest_year"].astype("Int64"), "latest_label": frame["latest_label"],
        "latest_value": v,
        "delta": pd.array(delta, dtype="float64"), "delta_pct": pct,
        "direction": [None if d is None else "up" if d > 0 else "down" if d < 0 else "flat" for d in delta],
        "summary": change_sentences(frame["indicator"], frame["unit"], p, v, frame["prev_label"], frame["latest_label"]),
    })


def report_changes(reports: list[Report]) -> list[dict]:
    """What changed between consecutive report years of each municipality."""
    rows: list[dict] = []
    for muni, rs in groupby(_order(reports), key=lambda r: r.municipality):
        # One report per year: a later file of the same year overrides the earlier.
        latest_per_year = {r.report_year: r for r in rs}
        years = sorted(y for y in latest_per_year if y is not None)
        for y0, y1 in zip(years, years[1:]):
            a, b = latest_per_year[y0], latest_per_year[y1]
            ma = {m.measure_id: m for _, _, m in a.measures()}
            mb = {m.measure_id: m for _, _, m in b.measures()}
            base = {"municipality": muni, "from_report": a.source_file, "to_report": b.source_file,
                    "from_year": y0, "to_year": y1}

            def add(kind, mid, indicator=None, old=None, new=None):
                rows.append({**base, "kind": kind, "measure_id": mid, "indicator": indicator, "old": old, "new": new})

            for mid in sorted(mb.keys() - ma.keys()):
                add("measure_added", mid, new=mb[mid].purpose)
            for mid in sorted(ma.keys() - mb.keys()):
                add("measure_dropped", mid, old=ma[mid].purpose)
            for mid in sorted(ma.keys() & mb.keys()):
                if ma[mid].reflection != mb[mid].reflection:
                    add("reflection_changed", mid, old=ma[mid].reflection, new=mb[mid].reflection)
                # Same indicator = same name but for its date qualifier (see normalize.indicator_key).
                ia = {nz.indicator_key(i.name): i.name for i in ma[mid].indicators}
                ib = {nz.indicator_key(i.name): i.name for i in mb[mid].indicators}
                for key in sorted(ib.keys() - ia.keys()):
                    add("indicator_added", mid, indicator=ib[key])
                for key in sorted(ia.keys() - ib.keys()):
                    add("indicator_removed", mid, indicator=ia[key])
    return rows


def flat_frame(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each observation (a reported cell: _observations leaves out the others) with its indicator and measure."""
    ind = frames["indicators"][["municipality", "measure_id", "indicator_id", "indicator", "unit", "note", "ord"]]
    mea = frames["measures"][["municipality", "measure_id", "policy_no", "policy_name", "initiative_no",
                              "initiative_name", "purpose", "departments", "reflection", "reflection_label"]]
    flat = frames["observations"].merge(ind, on=["municipality", "indicator_id"]).merge(mea, on=["municipality", "measure_id"])
    flat = flat.rename(columns={"purpose": "measure_purpose"})
    flat = flat.sort_values(["municipality", "policy_no", "measure_id", "ord", "fiscal_year"])
    return flat[FLAT_COLUMNS].reset_index(drop=True)
