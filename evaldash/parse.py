"""施策評価表 text (a PDF turned into tab-separated text) to a Report.

The reader is a line-by-line state machine: headings switch the section, a
first cell names the row kind, and rows that start with a tab continue the
table above. Anything it cannot place becomes a finding with its line, never
an exception: only an unreadable file raises ParseError.
"""

from __future__ import annotations

import collections
import re
from pathlib import Path

from . import normalize as nz
from .report import (
    Cell,
    Department,
    Finding,
    Indicator,
    Initiative,
    Measure,
    ParseError,
    Passage,
    Policy,
    Report,
    quoted,
)
from .source import decode_report, read_report

KNOWN_REFLECTIONS = {
    "A": "趣旨に沿って措置したもの",
    "B": "実現に向けて努力しているもの",
}

# ASCII digits only: NFKC has made full-width digits ASCII; other scripts' digits are not ids.
_POLICY_RE = re.compile(r"^運営方針\s*([0-9]{1,3})\s*(.*)$")
_INITIATIVE_RE = re.compile(r"^([0-9]{1,2})\s+(\S.*)$")
_MEASURE_ID_RE = re.compile(r"^[0-9]{7}$")
_RULE_CHARS_RE = re.compile(r"^[\s\-]+$")
_YEAR_IN_PARENS_RE = re.compile(r"\(([^()]{1,20}年度)\)")
_REFLECTION_RE = re.compile(r"^([A-Za-z])\s*(?:\((.*?)\)?)?$")
_SECTION_PREFIX_RE = re.compile(r"^\(([^()]{1,20}?(?:課|室|係|センター|所))\)\s*")
_MUNICIPALITY_RE = re.compile(r"(?<![一-龥])([一-龥]{1,4}?[市])")
_NOT_MUNICIPALITY = {"本市", "当市", "各市", "全市", "市"}
_DEPT_SUFFIXES = ("部", "局", "委員会", "本部")

_HEADINGS = {
    "現況と課題": "situation",
    "基本目標": "goals",
    "関連する個別計画": "plans",
    "主な取組": "initiatives",
}
_SKIP_LINES = {"SDGs", "17の目標", "施策評価表"}
_ANY = re.compile("")


def _exactly(words) -> re.Pattern:
    """A pattern that matches one of these words and nothing more."""
    return re.compile("(?:" + "|".join(re.escape(w) for w in sorted(words)) + r")\Z")


def _alone(cells: list[str]) -> bool:
    """The line has text in one cell only."""
    return len([c for c in cells if c.strip()]) == 1


def parse_file(path: Path) -> Report:
    return parse_bytes(read_report(path), path.name)


def parse_bytes(data: bytes, name: str) -> Report:
    text, encoding, findings = decode_report(data, name)
    return parse_text(text, name, encoding, findings)


def parse_text(text: str, name: str, encoding: str = "utf-8", findings: list[Finding] | None = None) -> Report:
    """Parse report text. `findings` are ones already made while reading the bytes."""
    if not text.strip():
        raise ParseError.about_file(name, "ファイルが空です: 施策評価表の本文（テキスト）が必要です")
    return _Parser(text, name, encoding, findings or []).run()


class _Parser:
    def __init__(self, text: str, name: str, encoding: str, findings: list[Finding]):
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.name = name
        self.findings: list[Finding] = list(findings)
        self.measure_lines: dict[str, int] = {}  # 施策番号 -> line of its label, for the duplicate check
        # The municipality is the 「…市」 the text names most often.
        counts = collections.Counter(m for m in _MUNICIPALITY_RE.findall(nz.clean(text)) if m not in _NOT_MUNICIPALITY)
        self.report = Report(name, counts.most_common(1)[0][0] if counts else "", None, None, encoding)
        if not counts:
            self.warn(0, "本文に自治体名が見つかりません: 「…市」（例 苫小牧市）の名前が本文に必要です")
        self.policy: Policy | None = None
        self.heading: str | None = None
        self.initiative: Initiative | None = None
        self.measure: Measure | None = None
        self.table: str | None = None  # actions | indicators | future
        self.years: list[tuple[int, str]] = []  # the indicator table's years, read while table is indicators
        self.awaiting_id: int | None = None  # line of a 施策番号 label waiting for its digits
        self.report_labels: collections.Counter[str] = collections.Counter()
        self.preamble: list[int] = []  # lines before the first 運営方針, ignored
        self.last_line = 0  # the last line that is not blank
        self.open_paragraph: int | None = None  # a <p> left open on the last 方向性 line: a cut file

    # -- findings -----------------------------------------------------------------
    def error(self, line: int, message: str) -> None:
        self.findings.append(Finding(self.name, line, "error", message))

    def warn(self, line: int, message: str) -> None:
        self.findings.append(Finding(self.name, line, "warning", message))

    # -- driver -------------------------------------------------------------------
    def run(self) -> Report:
        for number, line in enumerate(self.lines, start=1):
            if line.strip():
                self.last_line = number
            self.line(number, line)
        if self.preamble:
            self.warn(self.preamble[0], f"最初の運営方針の見出しより前の {len(self.preamble)} 行は読み飛ばしました"
                      "（報告書は「運営方針01 名前」の見出しから始まります）")
        self.close_measure(at_end=True)
        if self.awaiting_id:
            self.error(self.awaiting_id, "施策番号の後に7桁の番号がありません: 次の行に7桁の施策番号が必要です"
                       "（ファイルが途中で切れている可能性があります）")
        if not self.report.policies:
            self.error(0, "運営方針の見出しが見つかりません: 「運営方針01 地域活動の促進」のような行が必要です"
                       "（対応している様式の施策評価表か確かめてください）")
            raise ParseError(self.findings)
        self.finish_report_year()
        self.report.findings = sorted(self.findings, key=lambda f: f.line)
        return self.report

    def line(self, number: int, raw: str) -> None:
        """Dispatch one line: the first rule of LINE_RULES whose pattern matches the line's first cell and whose
        handler takes the line; a line no rule takes is reported and ignored."""
        if not raw.strip() or "---" in raw and _RULE_CHARS_RE.match(raw):  # blank, or a rule of dashes
            return
        cells = raw.split("\t")
        first = nz.clean(cells[0])
        for pattern, handler in self.LINE_RULES:
            found = pattern.match(first)
            if found and handler(self, number, first, cells, found):
                return
        self.warn(number, f"読み取れない行を読み飛ばしました: {quoted(first, 40)}")

    # -- line handlers: each takes the line (True) or passes it on to the next rule (False) ----------
    def on_awaited_id(self, number: int, first: str, cells: list[str], _: re.Match) -> bool:
        if self.awaiting_id is None:
            return False
        label_line, self.awaiting_id = self.awaiting_id, None
        if _MEASURE_ID_RE.match(first):
            self.measure.measure_id = first
            # A dict, not a walk over every 施策 read so far: that was quadratic on large reports.
            if first in self.measure_lines:
                self.error(number, f"施策番号 {first} が2回あります（最初は {self.measure_lines[first]}行目）: "
                           "施策番号は1回ずつのはずです")
            else:
                self.measure_lines[first] = self.measure.line
            self.initiative.measures.append(self.measure)
            return True
        self.error(number, f"{label_line}行目の施策番号の次の行に7桁の施策番号が必要ですが、{quoted(first)} でした")
        self.measure = None
        return False  # the line may still be something the later rules know

    def on_policy(self, number: int, first: str, cells: list[str], found: re.Match) -> bool:
        # The name may sit in the next cell: "運営方針01<TAB>地域活動の促進".
        name = nz.clean(found.group(2)) or nz.clean(" ".join(c for c in cells[1:] if c.strip()))
        policy_no = int(found.group(1))
        self.close_measure()
        if not name:
            self.error(number, "運営方針の見出しに名前がありません: 「運営方針NN 名前」の形が必要です")
        if any(p.number == policy_no for p in self.report.policies):
            self.error(number, f"運営方針{policy_no:02d} が2回あります: 運営方針の番号は1回ずつのはずです")
        self.policy = Policy(policy_no, name, number)
        self.report.policies.append(self.policy)
        self.heading = None
        self.initiative = None
        return True

    def on_skipped(self, number: int, first: str, cells: list[str], _: re.Match) -> bool:
        return _alone(cells)

    def on_heading(self, number: int, first: str, cells: list[str], _: re.Match) -> bool:
        if not _alone(cells):
            return False
        self.close_measure()
        self.heading = _HEADINGS[first]
        if self.policy is None:
            self.error(number, f"{first} が運営方針の見出しより前にあります: 先に「運営方針01 名前」の行が必要です")
        return True

    def on_preamble(self, number: int, first: str, cells: list[str], _: re.Match) -> bool:
        if self.policy is not None:
            return False
        self.preamble.append(number)
        return True

    def on_measure(self, number: int, first: str, cells: list[str], _: re.Match) -> bool:
        self.close_measure()
        if self.initiative is None:
            self.error(number, "施策番号が主な取組の見出しより前にあります: 先に「1 名前」のような行が必要です")
            self.initiative = Initiative(0, "", number)
            self.policy.initiatives.append(self.initiative)
        raw_purpose = " ".join(c for c in cells[1:] if c.strip())
        self.measure = Measure("", nz.clean(raw_purpose), nz.clean(raw_purpose, ocr=False), number)
        if not self.measure.purpose:
            self.warn(number, "施策番号の行に施策の目的の文がありません: 「施策番号」の後のセルに目的が必要です")
        self.awaiting_id = number
        return True

    def on_departments(self, number: int, first: str, cells: list[str], _: re.Match) -> bool:
        if not self.need_measure(number, "担当部・課"):
            return True
        values = [nz.clean(c) for c in cells]
        k = values.index("反映区分") if "反映区分" in values else len(values)
        if k == len(values):
            self.error(number, "担当部・課の行に反映区分のセルがありません: 「担当部・課 <部 課> 反映区分 <A|B (…)>」の形が必要です")
        dept_text = " ".join(v for v in values[1:k] if v)
        self.measure.departments = parse_departments(dept_text, lambda msg: self.warn(number, msg))
        if not self.measure.departments:
            self.error(number, "担当部・課が空です: 「総合政策部 政策推進課」のような部と課の組が必要です")
        if k < len(values):
            refl = " ".join(v for v in values[k + 1 :] if v)
            m = _REFLECTION_RE.match(refl)
            if not m:
                self.error(number, f"反映区分 {quoted(refl)} が記号ではありません: A か B の記号と説明が必要です")
                return True
            letter, label = m.group(1).upper(), (m.group(2) or "").strip()
            if letter not in KNOWN_REFLECTIONS:
                self.warn(number, f"反映区分の記号 {quoted(letter)} は A でも B でもありません: 書かれたとおりに残します")
            self.measure.reflection = letter
            self.measure.reflection_label = label or KNOWN_REFLECTIONS.get(letter, "")
        return True

    def on_actions(self, number: int, first: str, cells: list[str], _: re.Match) -> bool:
        year = _YEAR_IN_PARENS_RE.search(first)
        if year:
            self.report_labels[year.group(1)] += 1
        if self.need_measure(number, first):
            self.table = "actions"
            self.take_actions(number, cells[1:])
        return True

    def on_year_header(self, number: int, first: str, cells: list[str], _: re.Match) -> bool:
        self.need_measure(number, first)
        values = [nz.clean(c) for c in cells]
        self.table = None  # its rows are not read until the header is found sound
        if len(values) < 4 or values[1] != "指標名" or values[2] != "単位":
            self.error(number, "評価指標の見出し行: 「指標名」「単位」と年度ごとの列（H30年度 …）が必要です")
            return True
        labels = values[3:]
        while labels and not labels[-1]:
            labels.pop()  # trailing blank cells are padding
        years: list[tuple[int, str]] = []
        for label in labels:
            year = nz.fiscal_year(label)
            if not label:
                # Values are read by position: a gap would shift them into the wrong year.
                problem = "年度の列の間に空の列があります（列ごとに H30年度 / R1年度 … の見出しが必要です）"
            elif year is None:
                problem = f"{quoted(label)} は年度ではありません: H30年度 や R1年度 のような年度が必要です"
            elif any(y == year for y, _ in years):
                problem = f"年度 {quoted(label)} が2回あります: 年度は1回ずつのはずです"
            else:
                years.append((year, label))
                continue
            self.error(number, f"評価指標の見出し行: {problem}")
            return True
        if not years:
            self.error(number, "評価指標の見出し行に年度の列がありません: 年度ごとの列（H30年度 …）が必要です")
            return True
        self.table, self.years = "indicators", years
        return True

    def on_future(self, number: int, first: str, cells: list[str], _: re.Match) -> bool:
        if self.need_measure(number, first):
            self.table = "future"
            self.take_future(number, cells[1:])
        return True

    def on_note(self, number: int, first: str, cells: list[str], _: re.Match) -> bool:
        if self.table != "indicators" or not self.measure:
            return False
        self.take_indicator_row(number, cells)  # a note that lost its leading tab: the whole line is the row
        return True

    def on_table_row(self, number: int, first: str, cells: list[str], _: re.Match) -> bool:
        if not (self.table and self.measure):
            return False
        self.TABLE_READERS[self.table](self, number, cells[1:])
        return True

    def on_initiative(self, number: int, first: str, cells: list[str], found: re.Match) -> bool:
        if self.heading != "initiatives" or not _alone(cells):
            return False
        initiative_no, name = int(found.group(1)), nz.clean(found.group(2))
        self.close_measure()
        # A repeated heading introduces the next 施策 of the same 主な取組.
        existing = next((i for i in self.policy.initiatives if i.number == initiative_no), None)
        if existing is None:
            existing = Initiative(initiative_no, name, number)
            self.policy.initiatives.append(existing)
        elif existing.name != name:
            self.warn(number, f"主な取組 {initiative_no} は {existing.line}行目では {quoted(existing.name, 40)} でしたが、"
                      f"ここでは {quoted(name, 40)} です: 同じ番号は同じ名前のはずです")
        self.initiative = existing
        return True

    def on_policy_text(self, number: int, first: str, cells: list[str], _: re.Match) -> bool:
        if self.heading not in ("situation", "goals", "plans") or self.measure is not None:
            return False
        joined = " ".join(c for c in cells if c.strip())
        text, raw_text = nz.clean(joined), nz.clean(joined, ocr=False)
        target = getattr(self.policy, self.heading)
        target_raw = getattr(self.policy, self.heading + "_raw")
        if self.heading == "plans":
            target.extend(nz.split_bullets(text.lstrip("- ")))
            target_raw.extend(nz.split_bullets(raw_text.lstrip("- "), ocr=False))
        else:
            target.append(text)
            target_raw.append(raw_text)
        return True

    # (pattern on the line's first cell, handler), tried in this order.
    LINE_RULES = [
        (_ANY, on_awaited_id),
        (_POLICY_RE, on_policy),
        (_exactly(_SKIP_LINES), on_skipped),
        (_exactly(_HEADINGS), on_heading),
        (_ANY, on_preamble),
        (re.compile("施策番号"), on_measure),
        (_exactly(["担当部・課"]), on_departments),
        (re.compile("具体的な取組"), on_actions),
        (re.compile("評価指標"), on_year_header),
        (re.compile("今後の取組の方向性"), on_future),
        (re.compile("※"), on_note),
        (_exactly([""]), on_table_row),
        (_INITIATIVE_RE, on_initiative),
        (_ANY, on_policy_text),
    ]

    # -- structure ----------------------------------------------------------------
    def need_measure(self, number: int, label: str) -> bool:
        if self.measure is None:
            self.error(number, f"{label[:12]} の行が施策の外にあります: 先に施策番号の行が必要です")
            return False
        return True

    def close_measure(self, at_end: bool = False) -> None:
        """Check the 施策 just read. At the end of the file, one that stops before its 今後の取組の方向性 or inside a
        <p> was cut short."""
        m = self.measure
        self.measure = None
        self.table = None
        if m is None or not m.measure_id:
            return
        where = f"施策 {m.measure_id}（{m.line}行目）"
        if not m.departments:
            self.error(m.line, f"{where} に担当部・課の行がありません: 施策ごとに担当部・課の行が必要です")
        if m.reflection is None:
            self.error(m.line, f"{where} に反映区分がありません: 施策ごとに反映区分（A か B）が必要です")
        if not m.indicators:
            self.warn(m.line, f"{where} に評価指標の行がありません: 施策ごとに評価指標の表があるはずです")
        if not m.future and at_end:
            self.error(self.last_line, f"{where}の今後の取組の方向性の行より前でファイルが終わっています: "
                       "途中で切れているようです（どの施策も今後の取組の方向性で終わるはずです）")
        elif not m.future:
            self.warn(m.line, f"{where} に今後の取組の方向性がありません: 施策ごとに必要です"
                      "（ファイルが途中で切れている可能性があります）")
        elif at_end and self.open_paragraph == self.last_line:
            self.error(self.last_line, f"最後の行が施策 {m.measure_id} の <p> 段落の途中で終わっています: "
                       "途中で切れているようです（段落は </p> で閉じるはずです）")

    # -- rows -----------------------------------------------------------------------
    def _paragraphs(self, cells: list[str]):
        """(section, corrected body, raw body) per paragraph of a cell; raw keeps the OCR slips."""
        content = " ".join(c for c in cells if c.strip())
        for para, para_raw in zip(nz.strip_html(content), nz.strip_html(content, ocr=False)):
            section, body = _section_and_text(para)
            _, body_raw = _section_and_text(para_raw)
            yield section, body, body_raw

    def take_actions(self, number: int, cells: list[str]) -> None:
        for section, body, body_raw in self._paragraphs(cells):
            for item, raw in zip(nz.split_bullets(body), nz.split_bullets(body_raw, ocr=False)):
                self.measure.actions.append(Passage(item, raw, section, number))

    def take_future(self, number: int, cells: list[str]) -> None:
        content = " ".join(cells).lower()
        self.open_paragraph = number if content.count("<p") > content.count("</p") else None
        for section, body, body_raw in self._paragraphs(cells):
            if body.strip():
                self.measure.future.append(Passage(body.strip(), body_raw.strip(), section, number))

    def take_indicator_row(self, number: int, body: list[str]) -> None:
        name_cell = body[0] if body else ""
        if name_cell.strip().startswith(("※", "*")):
            if not self.measure.indicators:
                self.warn(number, "指標の行より前に ※ の注記があります: どの指標にも付けません（注記は指標の行の後に置きます）")
                return
            self.measure.indicators[-1].notes.append(nz.clean(" ".join(c for c in body if c.strip())))
            return
        n = len(self.years)
        name = nz.clean(name_cell)
        if not name:
            self.error(number, "指標の行の最初の列に指標名がありません: 指標名が必要です")
            return
        unit = nz.clean(body[1]) if len(body) > 1 else ""
        value_cells = body[2 : 2 + n]
        extra = [c for c in body[2 + n :] if c.strip()]
        row = f"指標 {quoted(name, 80)} の行は {len(body) + 1} 列"
        expected = f"評価指標の見出しと同じ {n + 3} 列（空欄、指標名、単位、年度 {n} 列）が必要です"
        if extra:
            self.error(number, f"{row}で多すぎます: {expected}。余分な値 {quoted(extra[0])}")
        if len(body) < 2 + n:
            self.warn(number, f"{row}で足りません: {expected}。足りない列は報告なしとして読みます")
        key = nz.indicator_key(name)
        for other in self.measure.indicators:
            if nz.indicator_key(other.name) == key:
                self.error(number, f"指標 {quoted(name, 80)} が施策 {self.measure.measure_id} に2回あります"
                           f"（最初は {other.line}行目）: 指標名は施策ごとに1回ずつのはずです")
                return
        if not unit:
            self.warn(number, f"指標 {quoted(name, 80)} に単位がありません: 単位の列が必要です")
        out = []
        for (year, label), cell in zip(self.years, value_cells + [""] * (n - len(value_cells))):
            v = nz.parse_value(cell)
            if v.status == nz.STATUS_INVALID:
                self.error(number, f"{quoted(name, 80)} {label}: {quoted(cell)} は数値ではありません"
                           "（1,365、- または空欄のように書きます）")
            out.append(Cell(year, label, v.value, v.status, cell))
        self.measure.indicators.append(Indicator(name, nz.clean(name_cell, ocr=False), unit, out, number))

    # The reader of a row that continues a table, by the table: the row's cells after its empty first one.
    TABLE_READERS = {"actions": take_actions, "future": take_future, "indicators": take_indicator_row}

    def finish_report_year(self) -> None:
        if self.report_labels:
            label, _ = self.report_labels.most_common(1)[0]
            if len(self.report_labels) > 1:
                self.warn(0, f"具体的な取組の見出しに年度が複数あります（{'、'.join(sorted(self.report_labels))}）: "
                          f"{label} を報告書の年度とします")
            self.report.report_label = label
            self.report.report_year = nz.fiscal_year(label)
        if self.report.report_year is None:
            years = [
                c.fiscal_year
                for _, _, m in self.report.measures()
                for i in m.indicators
                for c in i.cells
                if c.status == nz.STATUS_REPORTED
            ]
            if years:
                self.report.report_year = max(years)
                self.report.report_label = nz.wareki_label(self.report.report_year)
                self.warn(0, "「具体的な取組 (R1年度)」の見出しが見つかりません: "
                          f"値のある最新の年度 {self.report.report_label} を報告書の年度とします")
            else:
                self.error(0, "報告書の年度がわかりません: 「具体的な取組 (R1年度)」の見出しか、値が必要です")


def _section_and_text(text: str) -> tuple[str | None, str]:
    """「(政策推進課) 本文」 to the section and the text after it."""
    m = _SECTION_PREFIX_RE.match(text)
    return (m.group(1), text[m.end() :]) if m else (None, text)


def parse_departments(text: str, warn) -> list[Department]:
    """'総合政策部 政策推進課 福祉部 総合福祉課' to two 部/課 pairs."""
    out: list[Department] = []
    for token in text.split():
        if token.endswith(_DEPT_SUFFIXES):
            out.append(Department(token, None))
        elif out and out[-1].section is None:
            out[-1].section = token
        elif out:
            out.append(Department(out[-1].dept, token))
        else:
            warn(f"担当部・課の {quoted(token)} の前に部がありません: 「総合政策部 政策推進課」のように部が先に必要です")
            out.append(Department(token, None))
    return out
