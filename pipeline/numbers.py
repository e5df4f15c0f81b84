"""Parsing printed numbers: table values now, narrative tokens later.

``parse_value`` never raises: it returns a ParsedValue whose ``value`` is a
float, or None with a ``reason`` (a dash, an empty cell, unreadable text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .text import GARBLED, to_halfwidth

EMPTY_MARKS = {"", "-", "--", "—", "——", "/", "／", "无", "—-", "-—", "不适用", "N/A", "n/a", "NA", "×", "x"}
VALUE = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


@dataclass(frozen=True)
class ParsedValue:
    raw: str
    value: float | None
    decimals: int | None = None
    reason: str = ""  # why value is None: "empty", "dash", "unreadable"

    @property
    def ok(self) -> bool:
        return self.value is not None


def parse_value(raw: object) -> ParsedValue:
    """A table cell's printed number: thousands separators, full-width digits, trailing %."""
    text = "" if raw is None else str(raw)
    if GARBLED.search(text):
        return ParsedValue(text, None, reason="unreadable")
    cleaned = to_halfwidth(text).strip().replace(" ", "").replace("，", ",")
    if cleaned.endswith("%"):
        cleaned = cleaned[:-1]
    if cleaned in EMPTY_MARKS:
        return ParsedValue(text, None, reason="empty" if not cleaned else "dash")
    if not VALUE.match(cleaned):
        return ParsedValue(text, None, reason="unreadable")
    digits = cleaned.replace(",", "")
    try:
        number = Decimal(digits)
    except InvalidOperation:
        return ParsedValue(text, None, reason="unreadable")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    return ParsedValue(text, float(number), decimals)
