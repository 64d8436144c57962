"""AppTest fixtures: each test runs the real entry point against a store built in a temp folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from evaldash import store, ui

ROOT = Path(__file__).resolve().parents[2]
ENTRY = str(ROOT / "dashboard.py")


@pytest.fixture(scope="session")
def built_store(tmp_path_factory):
    """The bundled report, copied and built once; tests never touch data/."""
    base = tmp_path_factory.mktemp("appstore")
    reports = base / "reports"
    shutil.copytree(ROOT / "data" / "reports", reports)
    db = base / "evaldash.duckdb"
    store.build(reports, db)
    return reports, db


@pytest.fixture
def app_env(built_store, monkeypatch):
    reports, db = built_store
    monkeypatch.setenv("EVALDASH_REPORTS", str(reports))
    monkeypatch.setenv("EVALDASH_DB", str(db))
    return reports, db


@pytest.fixture
def open_page(app_env):
    """open_page("pages/trends.py", q="女性") -> AppTest after the page ran with those URL parameters."""

    def run(page: str | None = None, **params) -> AppTest:
        at = AppTest.from_file(ENTRY, default_timeout=60)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        if page:
            at.switch_page(page)
            at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return run


def texts(at: AppTest) -> str:
    """Everything a person would read on the page, as one string."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.title]
    parts += [s.value for s in at.subheader] + [h.value for h in at.header] + [c.value for c in at.code] + [i.value for i in at.info]
    parts += [str(m.value) + m.label for m in at.metric]
    return "\n".join(parts)


@pytest.fixture
def queries_run(monkeypatch):
    """The named queries a run executes on the store (a result the cache holds is not run again)."""
    from evaldash import sql

    names: list[str] = []
    real = sql.run

    def counting(con, name, *args, **kwargs):
        names.append(name)
        return real(con, name, *args, **kwargs)

    monkeypatch.setattr(sql, "run", counting)
    ui.data.clear()  # every result of the page's first run is run, then held
    return names
