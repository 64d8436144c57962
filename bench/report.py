"""Markdown tables of a benchmark run: what bench/run.py prints at its end, again from its results file.

    python bench/report.py [bench/results.json] > tables.md
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SCALES = ("seed", "x1", "x10", "x100", "x1000", "national")


def fmt(v, d=1):
    return "–" if v is None else f"{v:,.{d}f}"


def tables(r: dict) -> str:
    out = []
    p = out.append
    m = r["machine"]
    p(f"Machine: {m.get('nproc')} cores, {m.get('ram_gib')} GiB, {m.get('cpu')}; Python {m.get('python')}, "
      f"DuckDB {m.get('duckdb')}, pandas {m.get('pandas')}, Streamlit {m.get('streamlit')}; commit {m.get('commit')}"
      f"{' (work tree had uncommitted changes)' if m.get('worktree_dirty') else ''}; mode {r['mode']}; "
      f"{r['seconds'] / 60:.1f} min.\n")

    p("### Corpora\n")
    p("| scale | reports | municipalities × report years | indicators per report | MB | distinct indicators in store | flat rows |")
    p("|---|---:|---|---:|---:|---:|---:|")
    for s in SCALES:
        c, i = r["corpora"].get(s), r["ingest"].get(s)
        if not c or not i:
            continue
        p(f"| {s} | {c['files']} | {c['munis']} × {len(c['years'])} | {c['indicators_per_report']:,} | "
          f"{i['bytes'] / 1e6:.2f} | {i['table_rows']['indicators']:,} | {i['rows']:,} |")
    n = r.get("national_store")
    if n:
        p(f"| national (SQL) | – | 1,700 × 2 | 300 | – | {n['rows']['indicators']:,} | {n['rows']['flat_indicators']:,} |")

    p("\n### Ingest\n")
    p("| scale | parse MB/s (wall) | parse MB per CPU-s | build s (median) | reports/s | rows/s | "
      "phases: parse / frames / flat / write (s) | peak RSS MB | heap peak MB (tracemalloc) | load avg |")
    p("|---|---:|---:|---:|---:|---:|---|---:|---:|---|")
    for s in SCALES:
        i = r["ingest"].get(s)
        if not i:
            continue
        ph = i["phases_s"]
        p(f"| {s} | {i['parse_mb_s']:.2f} | {i.get('parse_mb_per_cpu_s', 0):.2f} | {i['build_s_median']:.3f} | "
          f"{i['reports_per_s']:.1f} | {i['rows_per_s']:,.0f} | {ph['parse']:.2f} / {ph['build_frames']:.2f} / "
          f"{ph['flat_frame']:.2f} / {ph['write_store']:.2f} | {i['rss_peak_build_mb']:.0f} | "
          f"{fmt(i.get('tracemalloc_peak_build_mb'))} | {i.get('loadavg_start', [0])[0]:.1f} |")
    for k, v in r.get("parse_single", {}).items():
        p(f"\nOne {k} report in a single file ({v['bytes'] / 1e6:.1f} MB, {v['indicators']:,} indicators, parse_text "
          f"past the 20 MB file limit): {v['parse_mb_s']:.2f} MB/s wall, {v.get('parse_mb_per_cpu_s', 0):.2f} MB per CPU-s, "
          f"{v['parse_s']:.1f} s, peak RSS {v['rss_peak_mb']:.0f} MB.")
    if n:
        p(f"\nNational store written with SQL in {n['seconds']:.0f} s ({n['bytes'] / 1e6:.0f} MB); "
          f"schema identical to store.build's: {n.get('schema_matches')}.")

    p("\n### Named queries: p95 ms, typical filter (one municipality, two 運営方針); in brackets: no filter\n")
    scales = [s for s in SCALES if s in r["queries"]]
    p("| query | " + " | ".join(scales) + " |")
    p("|---|" + "---:|" * len(scales))
    names = sorted({q for s in scales for q in r["queries"][s]["queries"]})
    for q in names:
        cells = []
        for s in scales:
            res = r["queries"][s]["queries"].get(q, {})
            main = res.get("typical") or res.get("all") or {}
            cell = fmt(main.get("p95_ms")) if "p95_ms" in main else ("error" if main else "–")
            if "typical" in res and "p95_ms" in res.get("all", {}):
                cell += f" ({fmt(res['all']['p95_ms'], 0)})"
            cells.append(cell)
        p(f"| {q} | " + " | ".join(cells) + " |")
    p("\n| rows (flat_indicators) | " + " | ".join(f"{r['queries'][s]['sizes']['flat_indicators']:,}" for s in scales) + " |")
    p("| load average during | " + " | ".join(
        f"{r['queries'][s].get('loadavg_start', [0])[0]:.1f}–{r['queries'][s].get('loadavg_end', [0])[0]:.1f}" for s in scales) + " |")

    p("\n### Search variant (one municipality, one 部, a keyword): p95 ms\n")
    p("| query | " + " | ".join(scales) + " |")
    p("|---|" + "---:|" * len(scales))
    for q in names:
        if not any("search" in r["queries"][s]["queries"].get(q, {}) for s in scales):
            continue
        p(f"| {q} | " + " | ".join(fmt(r["queries"][s]["queries"].get(q, {}).get("search", {}).get("p95_ms"))
                                    for s in scales) + " |")

    pages = r.get("pages", {})
    if pages and not pages.get("skipped"):
        p("\n### Pages through AppTest against the bare floor (p50 ms)\n")
        p("| scale | page | warm rerun | cold rerun (cache cleared) | filter change | floor | warm / floor | cold / floor | "
          "filter change / floor | fragment rerun (/ floor) | first run |")
        p("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for s, pr in pages.items():
            if "error" in pr:
                p(f"| {s} | error: {pr['error'][-200:]} | | | | | | | | | |")
            for page, v in pr.get("pages", {}).items():
                if "warm" not in v:
                    p(f"| {s} | {page} | error: {v.get('error', '')[:80]} | | | | | | | | |")
                    continue
                fragment = (f"{v['fragment']['p50_ms']:,.1f} ({v['fragment_over_floor']:.2f}×)" if "fragment" in v
                            else v.get("fragment_error", "–")[:60])
                change, change_ratio = ((f"{v['change']['p50_ms']:,.0f}", f"{v['change_over_floor']:.1f}×") if "change" in v
                                        else ("–", "–"))  # results from before the filter change was timed
                p(f"| {s} | {page} | {v['warm']['p50_ms']:,.0f} | {v['cold']['p50_ms']:,.0f} | {change} | "
                  f"{v['floor']['p50_ms']:,.0f} | {v['warm_over_floor']:.1f}× | {v['cold_over_floor']:.1f}× | {change_ratio} | "
                  f"{fragment} | {v['first_run_ms']:,.0f} |")
            land = pr.get("pages", {}).get("overview", {}).get("landing_unfiltered_ms")
            if land:
                p(f"| {s} | overview, first visit with no filter | | | | | | | | | {land:,.0f} |")
        unfiltered = [(s, page, v) for s, pr in pages.items() for page, v in pr.get("pages", {}).items()
                      if "unfiltered_first_ms" in v or "unfiltered_error" in v]
        if unfiltered:
            p("\n#### Pages with no filter on a store of several cities (ms)\n")
            p("| scale | page | first open | warm rerun |")
            p("|---|---|---:|---:|")
            for s, page, v in unfiltered:
                if "unfiltered_error" in v:
                    p(f"| {s} | {page} | error: {v['unfiltered_error'][:80]} | |")
                else:
                    p(f"| {s} | {page} | {v['unfiltered_first_ms']:,.0f} | {v['unfiltered_warm_ms']:,.0f} |")
    elif pages:
        p(f"\nPages: skipped ({pages['skipped']}).")

    g = r.get("growth", {})
    if g:
        p("\n### Growth: log-log slope of p50 against flat rows between scales (1 = linear)\n")
        p("| step | rows × | median slope | max slope (query) |")
        p("|---|---:|---:|---|")
        for step, x in g.items():
            sl = x["slopes"]
            if not sl:
                continue
            worst = max(sl, key=sl.get)
            med = sorted(sl.values())[len(sl) // 2]
            p(f"| {step} | {x['rows_ratio']:.1f} | {med:.2f} | {sl[worst]:.2f} ({worst}) |")
    p("\n### Targets\n")
    for k, v in r.get("targets", {}).items():
        detail = json.dumps({a: b for a, b in v.items() if a != "met"}, ensure_ascii=False)[:400]
        p(f"* {k}: {'MET' if v.get('met') else 'MISSED'} {detail}")
    return "\n".join(out)


def main(path: str = "bench/results.json") -> None:
    print(tables(json.loads(Path(path).read_text(encoding="utf-8"))))


if __name__ == "__main__":
    main(*sys.argv[1:])
