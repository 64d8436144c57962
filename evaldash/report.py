"""The document model of one 施策評価表 report, and the findings made while reading it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self

SEVERITY_NAMES = {"error": "エラー", "warning": "注意"}


@dataclass(frozen=True)
class Finding:
    file: str
    line: int  # 1-based; 0 when the finding is about the whole file
    severity: str  # "error" | "warning"
    message: str

    def __str__(self) -> str:
        """`file:line: エラー: message`; a finding about the whole file says so instead of a line 0."""
        severity = SEVERITY_NAMES.get(self.severity, self.severity)
        if self.line:
            return f"{self.file}:{self.line}: {severity}: {self.message}"
        return f"{self.file}: {severity}: ファイル全体: {self.message}"


def quoted(text: str, limit: int = 20) -> str:
    """Text from a file, cut to `limit` characters and in 「」, for a finding; control characters escaped."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text.strip()[:limit])
    return f"「{shown}」"


class FindingsError(Exception):
    """Work that stopped, carrying the findings that say why: one line each in its message."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("\n".join(str(f) for f in findings))

    @classmethod
    def about_file(cls, name: str, message: str) -> Self:
        """The error of one finding about the file (or folder) `name` as a whole."""
        return cls([Finding(name, 0, "error", message)])


class ParseError(FindingsError):
    """The report cannot be read at all."""


@dataclass(slots=True)  # a million-row template makes a million of them
class Cell:
    fiscal_year: int
    fiscal_label: str
    value: float | None
    status: str
    raw: str


@dataclass
class Indicator:
    name: str
    name_raw: str
    unit: str
    cells: list[Cell]
    line: int
    notes: list[str] = field(default_factory=list)


@dataclass
class Passage:
    """An item of a measure's 具体的な取組 or a paragraph of its 今後の取組の方向性."""

    text: str
    raw: str  # the text before OCR corrections
    section: str | None
    line: int


@dataclass
class Department:
    dept: str
    section: str | None


@dataclass
class Measure:
    measure_id: str
    purpose: str
    purpose_raw: str
    line: int
    departments: list[Department] = field(default_factory=list)
    reflection: str | None = None
    reflection_label: str | None = None
    actions: list[Passage] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    future: list[Passage] = field(default_factory=list)


@dataclass
class Initiative:
    number: int
    name: str
    line: int
    measures: list[Measure] = field(default_factory=list)


@dataclass
class Policy:
    number: int
    name: str
    line: int
    situation: list[str] = field(default_factory=list)  # 現況と課題
    goals: list[str] = field(default_factory=list)  # 基本目標
    plans: list[str] = field(default_factory=list)  # 関連する個別計画
    # The same texts before OCR corrections, one for one.
    situation_raw: list[str] = field(default_factory=list)
    goals_raw: list[str] = field(default_factory=list)
    plans_raw: list[str] = field(default_factory=list)
    initiatives: list[Initiative] = field(default_factory=list)


@dataclass
class Report:
    source_file: str
    municipality: str
    report_year: int | None
    report_label: str | None
    encoding: str
    policies: list[Policy] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def measures(self):
        for policy in self.policies:
            for initiative in policy.initiatives:
                for measure in initiative.measures:
                    yield policy, initiative, measure
