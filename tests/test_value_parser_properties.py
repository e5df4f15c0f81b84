"""Property-based tests of the table value parser (pipeline.numbers.parse_value): any input gives a
value or a clear rejection, never an exception; printed numbers round-trip keeping their decimals."""

import math
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.text.numbers import ParsedValue, parse_value

REASONS = {"empty", "dash", "unreadable"}
FULLWIDTH = str.maketrans("0123456789,.-%", "０１２３４５６７８９，．－％")


@settings(max_examples=500)
@given(st.text())
@example("(cid:17)23")
@example("\ue000")
@example("1,2345")
@example("—")
@example("")
@example("9" * 400)  # parsed, then too large for a float
def test_any_string_gives_a_value_or_a_clear_rejection(text):
    parsed = parse_value(text)
    assert isinstance(parsed, ParsedValue) and parsed.raw == text
    if parsed.ok:
        assert parsed.reason == "" and math.isfinite(parsed.value)
        assert isinstance(parsed.decimals, int) and parsed.decimals >= 0
    else:
        assert parsed.reason in REASONS and parsed.decimals is None


@given(st.one_of(st.none(), st.integers(), st.floats(), st.binary(), st.lists(st.integers()), st.dictionaries(st.text(), st.text())))
def test_any_object_gives_a_value_or_a_clear_rejection(obj):
    parsed = parse_value(obj)
    assert parsed.ok or parsed.reason in REASONS


@st.composite
def printed_numbers(draw) -> tuple[str, Decimal, int]:
    """A number as a report prints it: grouping commas or not, 0-6 decimals, maybe negative,
    full-width, with a percent sign or padding; at most 15 significant digits (what a float keeps)."""
    decimals = draw(st.integers(0, 6))
    whole = draw(st.integers(0, 10 ** (15 - decimals) - 1 if decimals < 6 else 10**9 - 1))
    fraction = draw(st.integers(0, 10**decimals - 1)) if decimals else 0
    text = (f"{whole:,}" if draw(st.booleans()) else str(whole)) + (f".{fraction:0{decimals}d}" if decimals else "")
    if draw(st.booleans()):
        text = "-" + text
    exact = Decimal(text.replace(",", ""))
    style = draw(st.sampled_from(["plain", "fullwidth", "percent", "padded"]))
    printed = {"plain": text, "fullwidth": text.translate(FULLWIDTH), "percent": text + draw(st.sampled_from(["%", "％"])),
               "padded": f" \u3000{text} "}[style]
    return printed, exact, decimals


@settings(max_examples=500)
@given(printed_numbers())
def test_printed_numbers_round_trip_keeping_their_decimals(case):
    printed, exact, decimals = case
    parsed = parse_value(printed)
    assert parsed.ok, (printed, parsed)
    assert parsed.decimals == decimals
    assert Decimal(repr(parsed.value)) == exact
    assert f"{parsed.value:.{parsed.decimals}f}" == f"{exact:.{decimals}f}"  # printed back as the report printed it


@given(st.integers(1, 99), st.integers(0, 9999))
def test_misplaced_grouping_commas_are_rejected(head, tail):
    parsed = parse_value(f"{head},{tail:04d}")  # four digits after a comma: not a thousands separator
    assert not parsed.ok and parsed.reason == "unreadable"
