"""Every public setting is documented in the README (as Datasette checks its settings)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evaldash import cli, store
from evaldash import normalize as nz
from evaldash.model import FLAT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CODE = "\n".join(p.read_text(encoding="utf-8") for p in [*ROOT.glob("pages/*.py"), *ROOT.glob("evaldash/**/*.py"),
                                                        ROOT / "dashboard.py", *ROOT.glob("tests/e2e/*.py")])


def url_params() -> set[str]:
    from evaldash.ui.url import PARAMS  # the widgets a link carries

    written = re.findall(r'url\.write\("([a-z]+)"', CODE)
    read = re.findall(r'query_params(?:\.get\(|\[)"([a-z]+)"', CODE)
    return {p.name for p in PARAMS.values()} | set(written) | set(read)


@pytest.mark.parametrize("param", sorted(url_params()))
def test_url_parameter_is_documented(param):
    assert f"| `{param}` |" in README


@pytest.mark.parametrize("name", sorted(set(re.findall(r"EVALDASH_[A-Z_]+", CODE))))
def test_environment_variable_is_documented(name):
    assert f"`{name}`" in README


@pytest.mark.parametrize("column", FLAT_COLUMNS)
def test_flat_column_is_documented(column):
    assert f"| `{column}` |" in README


@pytest.mark.parametrize("column", list(store.META_COLUMNS))
def test_indicator_meta_column_is_documented(column):
    assert f"`{column}`" in README.split("### `data/indicator_meta.csv`")[1]


@pytest.mark.parametrize("word", sorted(nz.NO_VALUE_WORDS))
def test_no_value_word_is_documented(word):
    line = next(line for line in README.splitlines() if "A missing value may be written" in line)
    assert f"`{word}`" in line


def cli_options():
    parser = cli.parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, sp in sub.choices.items():
        yield name, None
        for action in sp._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    yield name, flag


@pytest.mark.parametrize("command,flag", list(cli_options()))
def test_cli_command_and_flag_are_documented(command, flag):
    lines = [line for line in README.splitlines() if f"-m evaldash {command}" in line]
    assert lines, f"README has no usage line for `{command}`"
    if flag:
        assert any(flag in line for line in lines), f"{command} {flag} is not in its usage line"


def test_fresh_machine_commands_and_ci():
    assert "pip install -r requirements.txt && .venv/bin/streamlit run dashboard.py" in README
    assert "bash scripts/test.sh" in README
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def test_requirements_are_pinned():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            assert "==" in line, f"unpinned requirement: {line}"


def test_no_raw_html_rendering_anywhere():
    assert "unsafe_allow_html" not in CODE
    assert "st.html(" not in CODE


@pytest.mark.parametrize("script", sorted(p.name for p in (ROOT / "bench").glob("*.py")
                                          if "__main__" in p.read_text(encoding="utf-8")))
def test_every_benchmark_script_is_documented(script):
    # A script with a command line is documented with its command in BENCHMARKS.md.
    docs = (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")
    assert f"python bench/{script}" in docs, f"bench/{script} has no command in BENCHMARKS.md"
