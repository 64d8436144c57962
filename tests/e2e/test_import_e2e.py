"""The real server in Chromium: a refused upload on the 取込 page changes nothing.

The preview → confirm → remove flow is covered by AppTest (tests/pages/test_imports_page.py); its browser
version is still to write (the upload of a valid report did not finish its run within 60 s here)."""

from __future__ import annotations

import hashlib

import pytest

from . import server
from .conftest import open_app

pytestmark = pytest.mark.browser


def snapshot(app_data) -> dict:
    reports, db = app_data
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in [*sorted(reports.iterdir()), db]}


def upload(page, name: str, data: bytes, mime: str) -> None:
    """Choose the file, then wait for the run the upload starts to say what it found."""
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}])
    page.wait_for_function(
        "() => /取り込めません|問題は見つかりませんでした|注意があります/.test("
        "document.querySelector('[data-testid=stMain]').innerText)", timeout=60000)
    server.wait_for_app(page, 60000)


def test_refused_upload_changes_nothing(page, app_url, app_data):
    before = snapshot(app_data)
    open_app(page, f"{app_url}/import")
    upload(page, "binary.txt", b"\x00\x01\x02PNG" * 50, "text/plain")
    text = server.main_text(page)
    assert "取り込めません" in text and "binary" in text
    assert page.get_by_role("button", name="確定して取り込む").count() == 0
    assert snapshot(app_data) == before
