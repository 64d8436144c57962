"""First and repeat visits (issue 15 §3): what a browser downloads and how long until the front page's chart is
drawn, straight from one replica and through Caddy with the shipped deploy/Caddyfile (TLS, compression).

    python bench/visits.py              # 3 rounds of each, alternating; prints a table, writes bench/visits_results.json

One read-only `streamlit run dashboard.py` under /hyoka/ (tests/e2e/server.py), the same replica reached directly
(http://127.0.0.1:PORT/hyoka/) and through the proxy (tests/e2e/proxy.py). A first visit is a new browser context
(empty cache); the repeat visit is a second tab in that context (the browser's cache kept). Bytes are what the
network carried for HTTP (Chrome DevTools Protocol: Network.loadingFinished's encodedDataLength, headers included);
the WebSocket's messages are counted apart, decoded. Time is from the navigation to the chart's SVG being there.
"""

from __future__ import annotations

import base64
import json
import ssl
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from proc import load_average  # first: it puts the project root on sys.path
from tests.e2e.conftest import copy_reports
from tests.e2e.proxy import running_caddy
from tests.e2e.server import CHROMIUM_ARGS, chromium_path, running_server

RESULTS = Path(__file__).resolve().parent / "visits_results.json"
CHART = "[data-testid=stPlotlyChart] .main-svg"


def trusted(proxy: str) -> str:
    """Chromium's switch that trusts the proxy's own certificate (`tls internal`), by its key's SHA-256: with a
    certificate error instead (ignore_https_errors) Chromium keeps nothing in its cache and every visit is a first."""
    host, port = proxy.split("//")[1].split(":")
    pem = ssl.get_server_certificate((host, int(port)))
    der = subprocess.run("openssl x509 -pubkey -noout | openssl pkey -pubin -outform der", shell=True, check=True,
                         input=pem.encode(), capture_output=True).stdout
    digest = subprocess.run(["openssl", "dgst", "-sha256", "-binary"], input=der, capture_output=True, check=True)
    return f"--ignore-certificate-errors-spki-list={base64.b64encode(digest.stdout).decode()}"


def visit(context, url: str) -> dict:
    """Open url in a new tab of context: bytes by kind and seconds until the chart is drawn."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    got = {"http": 0, "requests": 0, "websocket": 0}

    def finished(event):
        got["http"] += event["encodedDataLength"]
        got["requests"] += 1

    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.webSocketFrameReceived",
           lambda e: got.__setitem__("websocket", got["websocket"] + len(e["response"]["payloadData"]) * 3 // 4))
    cdp.send("Network.enable")
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(CHART, timeout=120000)
    got["chart_s"] = time.perf_counter() - t0
    page.wait_for_timeout(1000)  # late requests (fonts, images) of this view
    page.close()
    return got


def main() -> int:
    from playwright.sync_api import sync_playwright

    rounds = {"direct": {"first": [], "repeat": []}, "proxy": {"first": [], "repeat": []}}
    with tempfile.TemporaryDirectory(prefix="evaldash-visits-") as tmp, sync_playwright() as p:
        base = Path(tmp)
        reports, db = copy_reports(base)
        with running_server(reports, db, base / "server.log", {"EVALDASH_MODE": "read-only"}, base_path="hyoka") \
                as (direct, _), running_caddy([direct.split("/")[2]], direct.split("/")[2], base / "caddy",
                                              base / "caddy.log") as (proxy, _):
            browser = p.chromium.launch(executable_path=chromium_path(), args=[*CHROMIUM_ARGS, trusted(proxy)])
            urls = {"direct": f"{direct}/", "proxy": f"{proxy}/hyoka/"}
            load_before = load_average()
            for k in range(4):  # round 0 warms the server up and is not counted
                for route, url in urls.items():
                    context = browser.new_context(locale="ja-JP", viewport={"width": 1366, "height": 768})
                    first, repeat = visit(context, url), visit(context, url)
                    context.close()
                    if k:
                        rounds[route]["first"].append(first)
                        rounds[route]["repeat"].append(repeat)
            browser.close()
    result = {"load_average": [load_before, load_average()], "median": {
        route: {kind: {key: statistics.median(v[key] for v in runs) for key in runs[0]} for kind, runs in r.items()}
        for route, r in rounds.items()}, "rounds": rounds}
    print(f"{'':<16}{'HTTP kB':>10}{'requests':>10}{'WebSocket kB':>14}{'chart s':>9}")
    for route, kinds in result["median"].items():
        for kind, m in kinds.items():
            print(f"{route + ' ' + kind:<16}{m['http'] / 1000:>10.0f}{m['requests']:>10.0f}"
                  f"{m['websocket'] / 1000:>14.0f}{m['chart_s']:>9.2f}")
    print(f"load average {result['load_average'][0][0]} -> {result['load_average'][1][0]}")
    RESULTS.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
