"""Text that a spreadsheet would run as a formula, and how exports keep it text.

Report and template text is outside input: a cell beginning with "=", "+", "-" or "@"
(or a tab or carriage return) becomes a live formula when a CSV is opened in Excel.
Exports prefix such text with "'" (OWASP's advice for CSV injection); the template
reader takes the prefix off again, so an export re-imports as the same rows. Numbers
are never touched: a sign belongs to the number, and numeric columns stay numeric.
"""

from __future__ import annotations

STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
PREFIX = "'"


def _numeric(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def looks_like_formula(value) -> bool:
    """Text a spreadsheet would take for a formula. A bare sign or a number written as text is not one."""
    return isinstance(value, str) and len(value) > 1 and value.startswith(STARTS) and not _numeric(value)


def neutralise(value):
    """The value as an export writes it: formula-like text behind a quote, anything else unchanged."""
    return PREFIX + value if looks_like_formula(value) else value

