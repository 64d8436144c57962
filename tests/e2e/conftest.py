"""Browser fixtures: one Chromium for the browser tests, one real server per test module.

Chromium must be there: a missing browser fails the tests (scripts/test.sh installs it), never skips them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evaldash import store

from . import server

ROOT = server.ROOT
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
SIZES = {"laptop": (1366, 768), "projector": (1920, 1080)}


# One Chromium for all the browser tests: package scope is the whole tests/e2e run, and it closes
# Playwright when that run ends, so tests elsewhere (tests/test_serving.py) can start their own
# sync_playwright (two at once in one thread are refused).
@pytest.fixture(scope="package")
def browser():
    path = server.chromium_path()
    if not path or not Path(path).exists():
        pytest.fail("Chromium not found: install Debian's chromium (scripts/test.sh does) "
                    "or point EVALDASH_CHROMIUM at a Chromium binary", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=server.CHROMIUM_ARGS)
        yield b
        b.close()


def copy_reports(base: Path) -> tuple[Path, Path]:
    """The bundled reports copied into `base`, with the store built there; data/ is never touched."""
    reports = base / "reports"
    shutil.copytree(ROOT / "data" / "reports", reports)
    db = base / "evaldash.duckdb"
    store.build(reports, db)
    return reports, db


@pytest.fixture(scope="module")
def app_data(tmp_path_factory) -> tuple[Path, Path]:
    return copy_reports(tmp_path_factory.mktemp("e2e"))


@pytest.fixture(scope="module")
def app_url(app_data, tmp_path_factory):
    reports, db = app_data
    log = tmp_path_factory.mktemp("log") / "server.log"
    with server.running_server(reports, db, log) as (url, _proc):
        yield url


def new_context(browser, size: str = "laptop", **kwargs):
    width, height = SIZES[size]
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP",
                              timezone_id="Asia/Tokyo", **kwargs)
    ctx.add_init_script(server.INIT_SCRIPT)
    ctx.set_default_timeout(30000)
    return ctx


@pytest.fixture(scope="module")
def context(browser, app_url):
    ctx = new_context(browser, accept_downloads=True)
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def other_context(browser, app_url):
    """Someone else's browser (projector size) that opens the links a test shares: a separate session."""
    ctx = new_context(browser, size="projector")
    yield ctx
    ctx.close()


@pytest.fixture
def other_page(other_context):
    p = other_context.new_page()
    yield p
    p.close()


@pytest.fixture
def page(context):
    """A tab in the module's browser context (shared cache: the app's scripts load once per module)."""
    p = context.new_page()
    yield p
    p.close()


def open_app(page, url: str) -> None:
    page.goto(url)
    server.wait_for_app(page)


def assert_no_error(page, where: str = "") -> None:
    errors = page.locator(server.ERROR_SELECTOR)
    assert errors.count() == 0, f"error element on {where or page.url}: {errors.all_inner_texts()}"


def screenshot(page, name: str, full: bool = True) -> Path:
    """Save what the viewport shows and, with full=True, the whole main area (the viewport made tall enough)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    (SCREENSHOTS / f"{name}_full.png").unlink(missing_ok=True)
    if full:
        size = page.viewport_size
        height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
        if height > size["height"]:
            page.set_viewport_size({"width": size["width"], "height": min(height, 8000)})
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            page.wait_for_timeout(300)  # plotly redraws at the new size
            page.screenshot(path=str(SCREENSHOTS / f"{name}_full.png"))
            page.set_viewport_size(size)
    return path
