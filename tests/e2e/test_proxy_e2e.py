"""Two replicas behind the shipped Caddyfile: TLS, a sub-path, sticky sessions, compression, a replica lost.

Caddy (Debian's package; scripts/test.sh installs it) runs deploy/Caddyfile with its values from the
environment, in front of two `streamlit run` processes on loopback ports served under /hyoka/.
"""

from __future__ import annotations

import contextlib
import re
import socket
import ssl
import time
from pathlib import Path

import pytest

from . import proxy, server
from .conftest import assert_no_error, copy_reports, new_context

COOKIE = "evaldash_replica"


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    """Two viewer replicas and the proxy: (proxy URL, {host:port: process})."""
    if not proxy.caddy_path():
        pytest.fail("caddy not found: install Debian's caddy (scripts/test.sh does)", pytrace=False)
    base = tmp_path_factory.mktemp("proxy")
    reports, db = copy_reports(base)
    with contextlib.ExitStack() as stack:
        procs = {}
        for k in range(2):
            port = server.free_port()
            _, proc = stack.enter_context(server.running_server(
                reports, db, base / f"replica{k}.log", base_path="hyoka", port=port,
                extra_env={"EVALDASH_MODE": "read-only"}))
            procs[f"127.0.0.1:{port}"] = proc
        writer = f"127.0.0.1:{server.free_port()}"  # no editor replica in this test: the route only
        url, _ = stack.enter_context(proxy.running_caddy(list(procs), writer, base / "caddy", base / "caddy.log"))
        yield url, procs


def _replica(headers) -> str:
    """The replica that answered (Playwright gives header names in lower case, urllib as sent)."""
    return {k.lower(): v for k, v in headers.items()}.get("x-evaldash-replica", "")


def _open(browser, url):
    ctx = new_context(browser, ignore_https_errors=True)
    page = ctx.new_page()
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    response = page.goto(f"{url}/hyoka/")
    server.wait_for_app(page, 60000)
    return ctx, page, response, sockets


def _cookie(ctx) -> str:
    values = [c["value"] for c in ctx.cookies() if c["name"] == COOKIE]
    assert len(values) == 1, ctx.cookies()
    return values[0]


def test_a_page_renders_through_the_proxy_under_the_sub_path(browser, replicas):
    url, procs = replicas
    ctx, page, response, sockets = _open(browser, url)
    try:
        assert _replica(response.headers) in procs
        assert "概要" in server.main_text(page)
        assert_no_error(page)
        assert any(s.startswith(url.replace("https://", "wss://") + "/hyoka/_stcore/stream") for s in sockets), sockets
        _cookie(ctx)
    finally:
        ctx.close()
    status, headers, _ = proxy.get(f"{url}/")
    assert status == 200 and _replica(headers) in procs  # / is redirected to the sub-path


def test_a_session_sticks_to_one_replica_for_pages_uploads_and_the_websocket(replicas):
    url, procs = replicas
    seen_without_cookie = set()
    cookie = ""
    for _ in range(24):
        status, headers, _ = proxy.get(f"{url}/hyoka/_stcore/health")
        assert status == 200
        seen_without_cookie.add(_replica(headers))
        cookie = cookie or re.search(rf"{COOKIE}=([^;]+)", headers.get("Set-Cookie", "")).group(1)
    assert seen_without_cookie == set(procs), "without the cookie, new sessions spread over both replicas"
    with_cookie = {_replica(proxy.get(f"{url}/hyoka/_stcore/health", {"Cookie": f"{COOKIE}={cookie}"})[1])
                   for _ in range(12)}
    assert len(with_cookie) == 1
    # An upload (Streamlit keeps it in the replica's memory) and the WebSocket upgrade carry the same cookie.
    upload = proxy.get(f"{url}/hyoka/_stcore/upload_file/x/y", {"Cookie": f"{COOKIE}={cookie}"})
    assert {_replica(upload[1])} == with_cookie
    before = {r: _connects(r) for r in procs}
    _upgrade(url, cookie)
    after = {r: _connects(r) for r in procs}
    assert {r for r in procs if after[r] > before[r]} == with_cookie


def _connects(replica: str) -> int:
    """How many WebSocket sessions the replica has accepted (Streamlit's own metrics, asked directly)."""
    status, _, body = proxy.get(f"http://{replica}/hyoka/_stcore/metrics")
    assert status == 200
    return int(re.search(rb'session_events_total\{type="connect"\} (\d+)', body).group(1))


def _upgrade(url: str, cookie: str) -> None:
    """A WebSocket upgrade sent with the session cookie, as the browser sends it."""
    port = int(url.rsplit(":", 1)[1])
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, \
            ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
        s.sendall((f"GET /hyoka/_stcore/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   f"Origin: {url}\r\nCookie: {COOKIE}={cookie}\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                break
            head += chunk
        assert head.startswith(b"HTTP/1.1 101"), head[:200]
        time.sleep(0.5)  # the replica counts the session once the connection is set up


def test_static_files_are_compressed_by_the_proxy(replicas):
    url, _ = replicas
    _, _, html = proxy.get(f"{url}/hyoka/")
    scripts = re.findall(rb'src="\.?/?(static/js/[^"]+\.js)"', html)
    assert scripts, html[:500]
    asset = f"{url}/hyoka/{scripts[0].decode()}"
    status, plain_headers, plain = proxy.get(asset, {"Accept-Encoding": "identity"})
    assert status == 200 and "Content-Encoding" not in plain_headers
    status, headers, packed = proxy.get(asset, {"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("Content-Encoding") == "gzip"
    assert len(packed) < len(plain) / 2


def test_killing_a_replica_sends_new_sessions_to_the_other(browser, replicas):
    url, procs = replicas
    ctx, _, response, _ = _open(browser, url)
    served = _replica(response.headers)
    old_cookie = _cookie(ctx)
    ctx.close()
    procs[served].kill()
    procs[served].wait(timeout=10)
    (survivor,) = [r for r in procs if r != served]
    for _ in range(3):  # new sessions, each with no cookie: all land on the survivor and render
        ctx, page, response, _ = _open(browser, url)
        try:
            assert _replica(response.headers) == survivor
            assert "概要" in server.main_text(page)
            assert_no_error(page)
        finally:
            ctx.close()
    # A browser still holding the dead replica's cookie is served by the survivor too.
    status, headers, _ = proxy.get(f"{url}/hyoka/_stcore/health", {"Cookie": f"{COOKIE}={old_cookie}"})
    assert status == 200 and _replica(headers) == survivor
