"""Printed numbers: table values, numbers in narrative text, and rounding (四舍五入).

``parse_value`` never raises: it returns a ParsedValue whose ``value`` is a
float, or None with a ``reason`` (a dash, an empty cell, unreadable text).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from . import GARBLED, to_halfwidth

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
    value = float(number)
    if math.isinf(value):
        return ParsedValue(text, None, reason="unreadable")  # more digits than any real figure
    return ParsedValue(text, value, decimals)


# ---------------------------------------------------------------- narrative numbers

NUMBER = re.compile(r"(?<![\d.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d])")
CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千万]+")
CN_IDIOMS = ("一带一路", "一方面", "另一方面", "一是", "二是", "三是", "四是", "五是", "六是", "十四五", "一体化", "五位一体",
             "一流", "一线", "一系列", "一致", "一起", "一同", "一定", "一直", "一般", "一贯制", "统一", "唯一", "之一",
             "一步", "一些", "一切", "三校生", "三优", "三全", "五育", "一对一", "一中心", "二基地")
# 两大, 五大 … count the items listed before them (五大教师创优团队); not in 大学, 大赛, 大型, 大家 …
NOT_AFTER_DA = set("学赛型家会众厦道量批多约概力幅体队楼")
ITEM_NUMERALS = set("两二三四五六七八九十")
RANGE = re.compile(r"\d+\s*[-–—~～至到]\s*\d+")
PLUS_LABEL = re.compile(r"\d+(?:\s*[+＋]\s*(?:\d+|[A-Za-z]))+")
YEAR_WORD = re.compile(r"^\s*(年度|年)")
DATE_AFTER = re.compile(r"^\s*(月|日|号)")
DOC_NUMBER_AFTER = re.compile(r"^\s*号")
MULTIPLIERS = {"万": 1e4, "亿": 1e8}
PERIOD = re.compile(r"(近|最近|过去)\s*([0-9一二三四五六七八九十两]+)\s*年")


@dataclass(frozen=True)
class NumberToken:
    """A number found in narrative text, with what surrounds it."""

    start: int
    end: int  # end of the whole quantity (number, multiplier, unit, trailing qualifier)
    raw: str
    kind: str  # quantity, year, date, range, label, ordinal, docno, period
    value: float | None = None
    decimals: int = 0
    unit: str = ""  # canonical unit
    unit_raw: str = ""
    qualifier: str = ""


@lru_cache(maxsize=1)
def claim_units() -> dict[str, tuple[str, str]]:
    from .. import template

    return {r["unit"]: (r["canonical"], r["family"]) for r in template.read_rows("claim_units.csv")}


def qualifiers():
    """Qualifier -> template.Qualifier (position, meaning, tolerances), from claim_qualifiers.csv."""
    from .. import template

    return template.qualifiers()


def unit_family(unit: str) -> str:
    return claim_units().get(unit, (unit, unit))[1]


def _unit_at(text: str, pos: int) -> str:
    for unit in sorted(claim_units(), key=len, reverse=True):
        if text.startswith(unit, pos):
            return unit
    return ""


def _qualifier_before(text: str, start: int) -> str:
    head = text[max(0, start - 4):start].rstrip()
    for q, row in sorted(qualifiers().items(), key=lambda kv: -len(kv[0])):
        if row.position == "before" and head.endswith(q):
            return q
    return ""


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \u3000":
        pos += 1
    return pos


def _tail(text: str, pos: int) -> tuple[int, float, str, str, str]:
    """After the digits: multiplier (万/亿), qualifier (余/多), unit, qualifier (以上/左右)."""
    pos = _skip_spaces(text, pos)
    multiplier = 1.0
    if pos < len(text) and text[pos] in MULTIPLIERS and not text.startswith("万元", pos):
        multiplier = MULTIPLIERS[text[pos]]
        pos = _skip_spaces(text, pos + 1)
    qualifier = ""
    for q in ("余", "多"):
        if text.startswith(q, pos) and not text.startswith("多样", pos):
            qualifier, pos = q, _skip_spaces(text, pos + 1)
            break
    unit = _unit_at(text, pos)
    if unit == "大":  # 3大 is not how a report counts listed items (五大 is; 1大批 …): no unit
        unit = ""
    if unit:
        pos += len(unit)
    for q, row in qualifiers().items():
        if row.position == "after" and q not in ("余", "多") and text.startswith(q, _skip_spaces(text, pos)):
            qualifier = q
            pos = _skip_spaces(text, pos) + len(q)
            break
    return pos, multiplier, unit, qualifier, ""


def _context_kind(text: str, start: int, end: int) -> str:
    """Numbers that are not quantities: ordinals, years, dates, ranges, labels, document numbers."""
    before = text[max(0, start - 3):start].rstrip()
    after = text[end:end + 4]
    if before.endswith("第"):
        return "ordinal"
    for pattern, kind in ((PLUS_LABEL, "label"), (RANGE, "range")):
        for m in pattern.finditer(text, max(0, start - 12), min(len(text), end + 12)):
            if m.start() <= start and m.end() >= end:
                return kind
    if before.endswith(("〔", "[", "【", "（", "(")) and re.match(r"^\s*[〕\]】）)]", after):
        return "docno"
    if DOC_NUMBER_AFTER.match(after):
        return "docno"
    digits = text[start:end]
    if re.fullmatch(r"(19|20)\d{2}", digits) and (YEAR_WORD.match(after) or re.match(r"^\s*级", after)):
        return "year" if YEAR_WORD.match(after) else "label"
    if DATE_AFTER.match(after):
        return "date"
    if re.match(r"^[A-Za-z]", after) or re.match(r"^:\d", after) or before.endswith((".", ":")):
        return "label"
    return "quantity"


def find_numbers(text: str) -> list[NumberToken]:
    """Every number in ``text``: Arabic (decimals, thousands separators, 万/亿, %), and Chinese numerals
    with a measure word. Never raises."""
    # same length as text; the Chinese comma must not become a thousands separator
    norm = to_halfwidth(text.replace("，", "、")) if text else ""
    tokens: list[NumberToken] = []
    for m in NUMBER.finditer(norm):
        tokens.append(_arabic_token(norm, text, m))
    for m in CN_NUMBER.finditer(norm):
        token = _chinese_token(norm, text, m)
        if token:
            tokens.append(token)
    for m in PERIOD.finditer(norm):
        tokens = [t for t in tokens if not (m.start() <= t.start < m.end())]
        tokens.append(NumberToken(m.start(), m.end(), text[m.start():m.end()], "period"))
    return sorted(tokens, key=lambda t: t.start)


def _arabic_token(norm: str, text: str, m: re.Match) -> NumberToken:
    kind = _context_kind(norm, m.start(), m.end())
    digits = m.group(0)
    if len(digits.replace(",", "").split(".")[0]) > 15:
        kind = "label"  # a digit string longer than any figure in a report (an id, a code): no float overflow
    if kind != "quantity":
        return NumberToken(m.start(), m.end(), text[m.start():m.end()], kind)
    end, multiplier, unit, qualifier, _ = _tail(norm, m.end())
    if re.fullmatch(r"(19|20)\d{2}", digits) and unit in ("", "年"):
        return NumberToken(m.start(), m.end(), text[m.start():m.end()], "year")
    number = Decimal(digits.replace(",", ""))
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    return NumberToken(
        start=m.start(), end=end, raw=text[m.start():end], kind="quantity",
        value=float(number * Decimal(multiplier)), decimals=decimals,
        unit=claim_units().get(unit, (unit, ""))[0], unit_raw=unit,
        qualifier=qualifier or _qualifier_before(norm, m.start()),
    )


def _chinese_token(norm: str, text: str, m: re.Match) -> NumberToken | None:
    start, end = m.start(), m.end()
    window = norm[max(0, start - 2):end + 3]
    if any(idiom in window for idiom in CN_IDIOMS) or norm[max(0, start - 1):start] == "第":
        return None
    unit = _unit_at(norm, end)
    if not unit or unit in ("年", "日") or m.group(0) == "一":  # 一批, 一支: an article, not a count
        return None
    if unit == "大" and (m.group(0) not in ITEM_NUMERALS or norm[end + 1:end + 2] in NOT_AFTER_DA):
        return None
    try:
        import cn2an

        value = float(cn2an.cn2an(m.group(0), "smart"))
    except (ValueError, KeyError, TypeError):
        return None
    stop = end + len(unit)
    return NumberToken(start, stop, text[start:stop], "quantity", value, 0,
                       claim_units()[unit][0], unit, _qualifier_before(norm, start))


def chinese_integer(text: str) -> int | None:
    """一 → 1, 十三 → 13, 二十一 → 21 (cn2an); None for anything that is not a whole Chinese numeral."""
    import cn2an

    try:
        value = cn2an.cn2an(text, "strict")
    except (ValueError, KeyError, TypeError):
        return None
    return int(value) if float(value).is_integer() and value > 0 else None


# ---------------------------------------------------------------- rounding


def round_half_up(value: float, decimals: int) -> Decimal:
    """四舍五入 at ``decimals`` places (Python's round() is banker's rounding)."""
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def printed_interval(value: float, decimals: int) -> tuple[float, float]:
    """The values a number printed with ``decimals`` places stands for: [v − ½·10^-d, v + ½·10^-d)."""
    half = 0.5 * 10 ** (-decimals)
    return value - half, value + half


def consistent(printed: float, decimals: int, computed: float) -> bool:
    """Does ``computed`` round half up to the printed number?"""
    return round_half_up(computed, decimals) == Decimal(repr(printed)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def integer_count_exists(percent: float, decimals: int, denominator: int) -> int | None:
    """A count k with k / denominator, as a percentage, printed as ``percent``; None if no integer can."""
    if denominator <= 0:
        return None
    low, high = printed_interval(percent, decimals)
    k = max(0, int(low * denominator / 100) - 1)
    while k <= denominator and k * 100 / denominator < high + 1e-12:
        if consistent(percent, decimals, k * 100 / denominator):
            return k
        k += 1
    return None
