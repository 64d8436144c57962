"""Reports derived from the bundled seed report (苫小牧市, R1年度), for the merge and history tests.

The seed's tables show H30年度 … R4年度 with values for H30 and R1. A derived
report for a later year shows that year's columns instead (the R2 report:
R1年度 … R5年度) and fills them from one "truth": a year the seed has keeps the
seed's value; a later year is the seed's R1 value plus (year − 2019). So two
derived reports agree on every year they both show, unless a test revises one.
As in a real next-year report, a name's date qualifier moves on a year:
(令和2年4月1日現在) in R1 is (令和3年4月1日現在) in R2.
"""

from __future__ import annotations

import re

from evaldash.normalize import wareki_label

SEED_YEAR = 2019  # 令和元年度
REFLECTION_TEXT = {"A": "A (趣旨に沿って措置したもの)", "B": "B (実現に向けて努力しているもの)"}
_HEADER = "評価指標 (事業実績)"
_INITIATIVE_RE = re.compile(r"^[0-9]{1,2} \S")


def truth(seed_cells: dict[int, str], year: int) -> str:
    """The value a derived report shows for `year` (see the module docstring)."""
    if year in seed_cells:
        return seed_cells[year]
    base = seed_cells[SEED_YEAR]
    if base.strip() in ("", "-"):
        return base
    number = float(base.replace(",", "")) + (year - SEED_YEAR)
    decimals = len(base.split(".")[1]) if "." in base else 0
    return f"{number:.{decimals}f}"


def measure_block(lines: list[str], measure_id: str) -> tuple[int, int]:
    """[start, end) of a 施策's lines: from its 主な取組 heading to the next heading."""
    at = next(k for k, line in enumerate(lines) if line.split("\t")[0] == measure_id)
    start = max(k for k in range(at) if _INITIATIVE_RE.match(lines[k]))
    end = next(
        (k for k in range(at + 1, len(lines)) if _INITIATIVE_RE.match(lines[k]) or lines[k].startswith("運営方針")),
        len(lines),
    )
    return start, end


def derive(
    seed_text: str,
    year: int,
    revise: dict[str, dict[int, str]] | None = None,
    reflection: dict[str, str] | None = None,
    drop_measures: tuple[str, ...] = (),
    copy_measure: tuple[str, str] | None = None,
    add_indicator: tuple[str, str, str] | None = None,
    remove_indicators: tuple[str, ...] = (),
) -> str:
    """The seed as the report of fiscal `year` (2020 = R2年度), with the given edits.

    revise: {indicator name: {fiscal year: cell text}} overrides the truth.
    reflection: {施策番号: "A" | "B"} sets the 反映区分.
    drop_measures: 施策番号 left out of the report.
    copy_measure: (existing 施策番号, new 施策番号) adds a copy under a new number.
    add_indicator: (施策番号, name, unit) adds a row with the value 3 in `year`.
    remove_indicators: names of indicator rows left out.
    """
    revise = revise or {}
    lines = seed_text.split("\n")
    for measure_id in drop_measures:
        start, end = measure_block(lines, measure_id)
        del lines[start:end]
    if copy_measure:
        old, new = copy_measure
        start, end = measure_block(lines, old)
        block = [new + line[len(old):] if line.split("\t")[0] == old else line for line in lines[start:end]]
        lines[end:end] = block
    years = list(range(year - 1, year + 4))  # the columns of the seed's tables, moved on
    out: list[str] = []
    current: str | None = None
    in_table = False
    for line in lines:
        cells = line.split("\t")
        if re.fullmatch(r"[0-9]{7}", cells[0]):
            current = cells[0]
        if cells[0] == "担当部・課" and current in (reflection or {}):
            cells[-1] = REFLECTION_TEXT[reflection[current]]
            line = "\t".join(cells)
        if cells[0].startswith("具体的な取組"):
            line = line.replace(f"({wareki_label(SEED_YEAR)})", f"({wareki_label(year)})", 1)
        if cells[0] == _HEADER:
            in_table = True
            line = "\t".join(cells[:3] + [wareki_label(y) for y in years])
        elif cells[0]:
            if in_table and add_indicator and add_indicator[0] == current:
                _, name, unit = add_indicator
                out.append("\t".join(["", name, unit] + ["3" if y == year else "" for y in years]))
            in_table = False
        elif in_table and len(cells) >= 5 and not cells[1].startswith("※"):
            name, unit = cells[1], cells[2]
            if name in remove_indicators:
                continue
            shown = name.replace("(令和2年4月1日現在)", f"(令和{year + 1 - 2018}年4月1日現在)")
            seed_cells = {SEED_YEAR - 1: cells[3], SEED_YEAR: cells[4]}
            values = [revise.get(name, {}).get(y, truth(seed_cells, y)) if y <= year else "" for y in years]
            line = "\t".join(["", shown, unit] + values)
        out.append(line)
    return "\n".join(out)
