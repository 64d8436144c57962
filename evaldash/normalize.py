"""Text and value normalisation shared by the report parser and the template reader.

Every rule here is documented in the README ("Normalisation"); a rule that changes
must change there too.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

# OCR slips seen in PDF-to-text output of these reports. Keep it small and
# literal: every entry is a whole-string replacement applied after NFKC, and
# the raw text is stored beside the corrected text wherever it is used.
OCR_CORRECTIONS: dict[str, str] = {
    "苦小牧": "苫小牧",
    "企业": "企業",
}

# Written "no value" in a cell or a template's value_status, compared after NFKC and in lower case. NFKC turns the
# full-width minus into "-", but the dashes below survive it, so they are listed explicitly. A word other systems
# write goes on its own line (the README lists them).
NO_VALUE_WORDS = frozenset({
    "-", "－", "—", "―", "‐", "−", "ー", "–",
    "missing", "欠測",
})
NEGATIVE_MARKS = ("△", "▲")

STATUS_REPORTED = "reported"
STATUS_NO_VALUE = "no_value"
STATUS_NOT_REPORTED = "not_reported"
STATUS_INVALID = "invalid"

_ERAS = {"平成": 1988, "H": 1988, "令和": 2018, "R": 2018, "昭和": 1925, "S": 1925}
# ASCII digits only: NFKC has already turned full-width digits into these, and a
# digit of another script (٣, ३) is not something a Japanese report writes.
_ERA_RE = re.compile(r"^\s*(平成|令和|昭和|[HRShrs])\s*(元|[0-9]{1,2})\s*年度?\s*$")
_NUMBER_RE = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?$")
_SPACES_RE = re.compile(r"[ \t\u3000]+")


def is_missing(value) -> bool:
    """A value that is not there: None, NaN, or pandas' NA or NaT (a cell's written "no value" is NO_VALUE_WORDS)."""
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def plain_values(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's values as plain Python (int, float, str), missing ones None: what JSON, openpyxl and python-pptx
    take."""
    return frame.astype(object).where(frame.notna(), None)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def clean(text: str, ocr: bool = True) -> str:
    """NFKC, OCR corrections and collapsed whitespace: the form stored and shown. With ocr=False, the raw form kept
    beside it: the same text without the OCR corrections."""
    text = nfkc(text)
    if ocr:
        for wrong, right in OCR_CORRECTIONS.items():
            text = text.replace(wrong, right)
    return _SPACES_RE.sub(" ", text).strip()


def fiscal_year(label: str) -> int | None:
    """和暦 label to the fiscal year as an integer (平成N = 1988+N, 令和N = 2018+N).

    平成31 and 令和元 are both 2019. A plain 西暦 year (2019 / 2019年度) passes through.
    Returns None when the label is not a year.
    """
    text = nfkc(label).strip()
    m = _ERA_RE.match(text)
    if m:
        era, num = m.groups()
        n = 1 if num == "元" else int(num)
        return _ERAS[era.upper()] + n if n > 0 else None  # there is no 令和0年
    m = re.match(r"^\s*((?:19|20)[0-9]{2})\s*年?度?\s*$", text)
    return int(m.group(1)) if m else None


def wareki_label(year: int) -> str:
    """The short label the reports use (H30年度, R1年度) for a fiscal year; before 平成, the year itself."""
    for era in ("R", "H"):
        if year > _ERAS[era]:
            return f"{era}{year - _ERAS[era]}年度"
    return f"{year}年度"


@dataclass(frozen=True)
class Value:
    value: float | None
    status: str


def says_no_value(text: str) -> bool:
    """A cell that writes "no value" in words or a dash (NO_VALUE_WORDS)."""
    return nfkc(text).strip().replace(" ", "").lower() in NO_VALUE_WORDS


def parse_value(cell: str) -> Value:
    """One table cell: a number, a written "no value", a blank, or invalid."""
    text = nfkc(cell).strip().replace(" ", "")
    if not text:
        return Value(None, STATUS_NOT_REPORTED)
    if text.lower() in NO_VALUE_WORDS:  # says_no_value, on the text already normalised
        return Value(None, STATUS_NO_VALUE)
    sign = 1.0
    if text.startswith(NEGATIVE_MARKS):
        sign, text = -1.0, text[1:]  # △5 = -5; △-5 is not a number
    elif text[0] in "+-−":  # − (U+2212) survives NFKC
        sign, text = (1.0 if text[0] == "+" else -1.0), text[1:]
    text = text.removesuffix("%")
    if _NUMBER_RE.match(text):
        return Value(sign * float(text.replace(",", "")), STATUS_REPORTED)
    return Value(None, STATUS_INVALID)


_AS_OF_RE = re.compile(r"\s*\([^()]{0,40}現在\)")


def indicator_key(name: str) -> str:
    """What makes two indicator rows the same indicator: the name without its date
    qualifier. Next year's report writes 附属機関等の設置数 (令和3年4月1日現在) for
    the indicator this one calls 附属機関等の設置数 (令和2年4月1日現在)."""
    return _AS_OF_RE.sub("", name).strip() or name


# Only what looks like a tag: "<p>", "</li>", "<ul style=...>". A "<" in text
# ("5<10") stays, and [^<>] keeps the scan linear on a line full of "<".
_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_BLOCK_END_RE = re.compile(r"</(?:p|li|div|ul|ol)\s*>|<br\s*/?>", re.IGNORECASE)


def strip_html(text: str, ocr: bool = True) -> list[str]:
    """Paragraphs of a cell that may carry stray HTML; tags are dropped, never rendered.

    Entities (&amp;, &nbsp;) become their characters. With ocr=False the paragraphs
    are the raw form (NFKC, no OCR corrections), one for one with the corrected ones.
    """
    parts = (clean(html.unescape(_TAG_RE.sub(" ", part)), ocr) for part in _BLOCK_END_RE.split(text))
    return [p for p in parts if p]


_BULLET_RE = re.compile(r"(?:^|\s)・\s*")


def split_bullets(text: str, ocr: bool = True) -> list[str]:
    """Split a list written with ・ bullets. A ・ inside a word (市民・団体) is not a bullet."""
    items = [clean(p, ocr) for p in _BULLET_RE.split(nfkc(text))]  # NFKC first: ･ is ・
    return [i for i in items if i]
