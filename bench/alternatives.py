"""Measured alternatives for the targets the current code misses (issue 6: "say what would
and measure the alternative"). Nothing here changes evaldash/ or queries/: the proposals
run beside the originals, interleaved on the same connection and data, and must return
the same rows.

* SQL: bench/alternatives/macros.sql holds proposed filter macros (as TEMP macros named
  *_alt); bench/alternatives/<query>.sql a proposed rewrite of a named query. A query with no
  file of its own is timed with the proposed macros substituted for the store's.
* Parser: the 施策番号 duplicate check with a dict instead of a walk over every measure
  read so far (evaldash/parse.py, _Parser.take_measure_id), patched in at run time.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent / "alternatives"


def _alt_text(name: str):
    from evaldash import sql

    q = sql.load(name)
    own = HERE / f"{name}.sql"
    if own.is_file():
        text = own.read_text(encoding="utf-8")
        kind = "rewrite"
    else:
        text = q.text.replace("selected_indicators(", "selected_indicators_alt(").replace(
            "selected_measures(", "selected_measures_alt(")
        kind = "macros"
    return sql.Query(name, text, q.params, q.order_columns), kind


def compare_queries(db: Path, variants_wanted=("typical", "search"), rounds: int = 7, skip_all_over_s: float = 3.0) -> dict:
    """p50 of each filter-using named query, original against the proposal, interleaved."""
    import run  # bench/run.py

    from evaldash import sql, store

    con = store.connect_readonly(db)
    try:
        con.execute((HERE / "macros.sql").read_text(encoding="utf-8"))
        variants, extra = run.filter_variants(con)
        extra.pop("_info")
        out = {}
        for name in sql.names():
            q = sql.load(name)
            if not (q.params & run.FILTER_NAMES) or q.params - run.KNOWN_PARAMS:
                continue
            alt, kind = _alt_text(name)
            res = {"kind": kind}
            for v in variants_wanted:
                params = {**variants[v], **extra}
                if v == "search":
                    params["min_abs_pct"] = 10.0
                bound = {k: params[k] for k in q.params}
                a_text, b_text = sql.render(q), sql.render(alt)
                t = time.perf_counter()
                d1 = con.execute(a_text, bound).df()
                if v == "all" and time.perf_counter() - t > skip_all_over_s:
                    res[v] = {"skipped": "original over %.0f s" % skip_all_over_s}
                    continue
                d2 = con.execute(b_text, bound).df()
                orig, prop = [], []
                for _ in range(rounds):
                    t = time.perf_counter()
                    con.execute(a_text, bound).df()
                    orig.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    con.execute(b_text, bound).df()
                    prop.append(time.perf_counter() - t)
                res[v] = {
                    "orig_p50_ms": statistics.median(orig) * 1000, "alt_p50_ms": statistics.median(prop) * 1000,
                    "orig_max_ms": max(orig) * 1000, "alt_max_ms": max(prop) * 1000,
                    "same_rows": d1.reset_index(drop=True).equals(d2.reset_index(drop=True)), "rows": len(d1),
                }
            out[name] = res
        return out
    finally:
        con.close()


def patch_parser() -> None:
    """The proposed duplicate-施策番号 check: a dict of ids seen, O(1) per measure."""
    from evaldash import parse as P

    original = P._Parser.take_measure_id

    def take_measure_id(self, number, first, cells):
        if self.awaiting_id is not None and P._MEASURE_ID_RE.match(first):
            self.awaiting_id = None
            seen = self.__dict__.setdefault("_seen_ids", {})
            self.measure.measure_id = first
            if first in seen:
                self.error(number, f"施策番号 {first} appears twice (first at line {seen[first]})")
            else:
                seen[first] = self.measure.line
            self.initiative.measures.append(self.measure)
            return
        return original(self, number, first, cells)

    P._Parser.take_measure_id = take_measure_id


def compare_parse(indicators_list=(2500, 25000), include_original_up_to: int = 2500) -> dict:
    """MB/s of parse_text on one generated report, as is and with the dict check."""
    import gc

    import generate as gen

    from evaldash import parse as P

    out = {}
    texts = {}
    for n in indicators_list:
        plan = gen.plan_municipality(0, n, [2019])
        texts[n] = gen.render_report(plan, 2019)
        del plan
    gc.collect()
    for n, text in texts.items():
        if n <= include_original_up_to:
            t, c = time.perf_counter(), time.process_time()
            P.parse_text(text, "a.txt")
            out[f"{n}_original"] = {"mb_s": len(text.encode()) / 1e6 / (time.perf_counter() - t),
                                    "mb_per_cpu_s": len(text.encode()) / 1e6 / (time.process_time() - c)}
    patch_parser()
    for n, text in texts.items():
        t, c = time.perf_counter(), time.process_time()
        r = P.parse_text(text, "a.txt")
        out[f"{n}_dict_check"] = {"mb_s": len(text.encode()) / 1e6 / (time.perf_counter() - t),
                                  "mb_per_cpu_s": len(text.encode()) / 1e6 / (time.process_time() - c),
                                  "errors": len(r.errors), "bytes": len(text.encode())}
    # And the text clean-up memoised: the same labels and cells (指標名, 単位, H30年度, 回 …) recur.
    import functools

    from evaldash import normalize as nz

    nz.clean = functools.lru_cache(maxsize=1 << 16)(nz.clean)
    for n, text in texts.items():
        t, c = time.perf_counter(), time.process_time()
        r = P.parse_text(text, "a.txt")
        out[f"{n}_dict_check_cached_clean"] = {"mb_s": len(text.encode()) / 1e6 / (time.perf_counter() - t),
                                               "mb_per_cpu_s": len(text.encode()) / 1e6 / (time.process_time() - c),
                                               "errors": len(r.errors)}
    return out


def indicator_changes_vectorized(indicators, observations):
    """Proposed evaldash.model._indicator_changes: one sort and a cumcount instead of a sorted
    sub-frame and two .iloc lookups per indicator (≈90 % of build_frames at ×100 and ×1000).
    Same rows, columns, order and dtypes (compare_build checks it)."""
    import pandas as pd

    from evaldash import normalize as nz
    from evaldash.summary import change_sentence, decimals_of

    keys = ["municipality", "indicator_id"]
    cols = ["municipality", "indicator_id", "prev_year", "prev_label", "prev_value", "latest_year",
            "latest_label", "latest_value", "delta", "delta_pct", "direction", "summary"]
    rep = observations.loc[observations["value_status"] == nz.STATUS_REPORTED,
                           keys + ["fiscal_year", "fiscal_label", "value"]]
    rep = rep.sort_values(keys + ["fiscal_year"], kind="stable")
    back = rep.groupby(keys, sort=False).cumcount(ascending=False)
    last = rep[back == 0].rename(columns={"fiscal_year": "latest_year", "fiscal_label": "latest_label",
                                          "value": "latest_value"})
    prev = rep[back == 1].rename(columns={"fiscal_year": "prev_year", "fiscal_label": "prev_label",
                                          "value": "prev_value"})
    both = prev.merge(last, on=keys)
    frame = indicators[keys + ["indicator", "unit"]].merge(both, on=keys, how="left")
    rows = []
    for r in frame.itertuples(index=False):
        if pd.isna(r.prev_year):
            rows.append({"municipality": r.municipality, "indicator_id": r.indicator_id,
                         "summary": change_sentence(r.indicator, r.unit, None, None)})
            continue
        p, v = r.prev_value, r.latest_value
        d = decimals_of(p, v)
        delta = round(v - p, d)
        rows.append({
            "municipality": r.municipality, "indicator_id": r.indicator_id,
            "prev_year": int(r.prev_year), "prev_label": r.prev_label, "prev_value": p,
            "latest_year": int(r.latest_year), "latest_label": r.latest_label, "latest_value": v,
            "delta": delta, "delta_pct": None if p == 0 else (v - p) / abs(p) * 100,
            "direction": "up" if delta > 0 else "down" if delta < 0 else "flat",
            "summary": change_sentence(r.indicator, r.unit, p, v),
        })
    return pd.DataFrame(rows, columns=cols).astype(
        {"prev_year": "Int64", "latest_year": "Int64", "prev_value": "float64", "latest_value": "float64",
         "delta": "float64", "delta_pct": "float64"})


def compare_build(reports_dir: Path) -> dict:
    """build_frames' _indicator_changes as is and vectorized, on the same parsed reports."""
    import pandas as pd

    from evaldash import model, store

    paths = store.source_files(reports_dir)
    reports, _ = store.load_reports(paths)
    frames = model.build_frames(reports, {})
    ind, obs = frames["indicators"], frames["observations"]
    t, c = time.perf_counter(), time.process_time()
    a = model._indicator_changes(ind, obs)
    orig_s, orig_cpu = time.perf_counter() - t, time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    b = indicator_changes_vectorized(ind, obs)
    alt_s, alt_cpu = time.perf_counter() - t, time.process_time() - c
    try:
        pd.testing.assert_frame_equal(a, b)
        same = True
    except AssertionError as exc:
        same = str(exc)[:300]
    return {"indicators": len(ind), "orig_s": orig_s, "orig_cpu_s": orig_cpu, "alt_s": alt_s, "alt_cpu_s": alt_cpu,
            "same": same}
