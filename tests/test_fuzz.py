"""Mutated reports: the parser returns a Report or raises its own ParseError — never another
exception, never a hang. A report without errors also goes through the store's model."""

from __future__ import annotations

import contextlib
import signal
import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaldash import model
from evaldash.parse import parse_bytes, parse_text
from evaldash.report import Finding, ParseError, Report
from tests.conftest import SEED

SEED_LINES = SEED.read_text(encoding="utf-8").split("\n")
PER_EXAMPLE_SECONDS = 5

FRAGMENTS = [
    "\t", "\t\t\t\t\t\t", "<p>", "</p>", "<ul style=\"list-style-type: none\">", "<li>", "<br>", "&amp;", "<", ">",
    "・", "※注", "*", "-", "-------", "－", "△", "▲", "1,365", "9,943,885", "8.2", "abc",
    "運営方針", "運営方針05 新しい方針", "現況と課題", "基本目標", "関連する個別計画", "主な取組", "1 取組", "SDGs",
    "施策番号", "1110999", "1110321", "担当部・課", "反映区分", "A", "C (不明)", "総合政策部 政策推進課",
    "具体的な取組 (R2年度)", "評価指標 (事業実績)", "指標名", "単位", "H30年度", "R1年度", "令和元年度", "平成31年度",
    "今後の取組の方向性", "(政策推進課)", "苦小牧", "企业", "\u3000", "\ufeff", "\r", "\x00", "\u2028", "𠮷",
]
junk_cell = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30))
junk_line = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(max_size=60),
    st.lists(junk_cell, min_size=1, max_size=9).map("\t".join),
)


@st.composite
def mutated_seed(draw) -> str:
    lines = list(SEED_LINES)
    for _ in range(draw(st.integers(min_value=1, max_value=10))):
        op = draw(st.sampled_from(["drop", "duplicate", "swap", "insert", "replace", "cut"]))
        if not lines:
            lines.append(draw(junk_line))
            continue
        k = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        if op == "drop":
            del lines[k]
        elif op == "duplicate":
            lines.insert(k, lines[k])
        elif op == "swap":
            j = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[k], lines[j] = lines[j], lines[k]
        elif op == "insert":
            lines.insert(k, draw(junk_line))
        elif op == "replace":
            lines[k] = draw(junk_line)
        else:  # cut the report short, perhaps mid-line
            lines = lines[: k + 1]
            lines[-1] = lines[-1][: draw(st.integers(min_value=0, max_value=len(lines[-1])))]
    return "\n".join(lines)


@contextlib.contextmanager
def time_limit(seconds: float):
    """Fail instead of hanging: SIGALRM interrupts a parse stuck in a loop or a regex."""

    def hung(signum, frame):
        raise TimeoutError(f"parse took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def read(text_or_bytes) -> Report | None:
    """Parse; check what comes back. Returns the Report, or None for the parser's own error."""
    with time_limit(PER_EXAMPLE_SECONDS):
        try:
            if isinstance(text_or_bytes, bytes):
                report = parse_bytes(text_or_bytes, "fuzz.txt")
            else:
                report = parse_text(text_or_bytes, "fuzz.txt")
        except ParseError as exc:
            assert exc.findings, "a ParseError says why"
            assert all(isinstance(f, Finding) and f.file == "fuzz.txt" for f in exc.findings)
            assert any(f.severity == "error" for f in exc.findings)
            return None
    assert isinstance(report, Report)
    assert all(isinstance(f, Finding) and f.line >= 0 and f.severity in ("error", "warning") for f in report.findings)
    return report


FUZZ = settings(
    max_examples=200,
    deadline=timedelta(seconds=PER_EXAMPLE_SECONDS),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(mutated_seed())
def test_mutated_seed_reads_or_fails_with_a_parse_error(text):
    report = read(text)
    if report is not None and not any(f.severity == "error" for f in report.findings):
        # What the parser accepts, the store can hold.
        frames = model.build_frames([report])
        flat = model.flat_frame(frames)
        assert list(flat.columns) == model.FLAT_COLUMNS


@settings(max_examples=100, deadline=timedelta(seconds=PER_EXAMPLE_SECONDS),
          suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.integers(min_value=0, max_value=len(SEED.read_bytes())),
       st.sampled_from(["utf-8", "cp932", "utf-16"]))
def test_byte_level_damage_reads_or_fails_with_a_parse_error(junk, cut, encoding):
    text = SEED.read_text(encoding="utf-8").replace("企业", "企業")
    data = text.encode(encoding)
    read(data[:cut] + junk + data[cut:])
    read(data[:cut])


@pytest.mark.parametrize(
    "line",
    [
        "-" * 20_000 + "x",  # once took minutes (backtracking in the ruled-line pattern)
        "<" * 200_000,
        "\t".join(["<p " * 5_000] * 7),
        "具体的な取組 " + "(" * 50_000 + "年度",
        "\t" * 100_000,
    ],
    ids=["dashes", "angles", "open-tags", "parens", "tabs"],
)
def test_hostile_lines_do_not_hang(seed_text, line):
    lines = seed_text.split("\n")
    lines.insert(255, line)
    start = time.perf_counter()
    report = read("\n".join(lines))
    assert time.perf_counter() - start < 3
    assert report is not None and len(list(report.measures())) == 15
