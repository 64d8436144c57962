"""What a chart costs to build, to validate and to draw.

    python bench/figures.py

Builds each chart of the pages from the bundled report's query results (in a temporary store) with
evaldash.charts, then times: the builder (it assembles the figure as plain dicts and skips plotly's validation);
go.Figure(d) of the same spec d with plotly's full validation, which is what building it with graph objects or
handing st.plotly_chart a dict would add (tests/test_charts.py validates the specs instead); and what
st.plotly_chart does with a built figure, to_dict() then plotly.io.to_json.
Prints ms per call (mean of 10 after one warm-up).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(fn, n: int = 10) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1000


def main() -> int:
    import plotly.graph_objects as go
    import plotly.io as pio

    from evaldash import charts, sql, store

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "store.duckdb"
        store.build(ROOT / "data" / "reports", db)
        con = store.connect_readonly(db)
        try:
            ids = sql.run(con, "indicator_options", {})["indicator_id"].tolist()[:8]
            series = sql.run(con, "indicator_series", {"ids": ids})
            targets = sql.run(con, "indicator_targets", {"ids": ids})
            changes = sql.run(con, "changes", {"min_abs_pct": 0.0}).dropna(subset=["delta_pct"])
            by_policy = sql.run(con, "reflection_by_policy", {})
        finally:
            con.close()
    one = series[series["indicator_id"] == ids[0]]
    builders = {
        "trend_figure (推移, 8 indicators)": lambda: charts.trend_figure(series, targets=targets),
        "mini_trend (施策カード, one indicator)": lambda: charts.mini_trend(one),
        "change_bars (変化, 25 bars)": lambda: charts.change_bars(changes),
        "reflection_by_policy (概要)": lambda: charts.reflection_by_policy(by_policy),
    }
    print(f"{'chart':40} {'build ms':>9} {'validate ms':>12} {'draw ms':>8}")
    for name, build in builders.items():
        fig = build()
        d = fig.to_dict()
        validate = timed(lambda d=d: go.Figure(d))
        draw = timed(lambda fig=fig: pio.to_json(fig.to_dict(), validate=False))
        print(f"{name:40} {timed(build):9.1f} {validate:12.1f} {draw:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
