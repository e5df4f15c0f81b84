"""Ruling lines as a reader sees them (pipeline.rules.merge_rules): the pieces producers draw one rule in."""

from pipeline.pages.rules import merge_rules
from pipeline.records import Segment


def _merged(segments):
    return [(s.x0, s.top, s.x1, s.bottom) for s in merge_rules(segments, 3.0, 3.0, 6.0)]


def test_one_piece_per_cell_is_one_rule():
    pieces = [Segment(63.0, 93.5, 123.8, 93.5), Segment(123.8, 93.5, 264.8, 93.5), Segment(264.8, 93.5, 532.6, 93.5)]
    assert _merged(pieces) == [(63.0, 93.5, 532.6, 93.5)]


def test_thin_filled_bar_is_one_rule_and_its_short_sides_none():
    # the four edges of a 1.5 pt high bar, as pdfplumber gives a filled rectangle's edges
    bar = [Segment(63.0, 93.0, 533.2, 93.0), Segment(63.0, 94.5, 533.2, 94.5),
           Segment(63.0, 93.0, 63.0, 94.5), Segment(533.2, 93.0, 533.2, 94.5)]
    [(x0, top, x1, bottom)] = _merged(bar)
    assert (x0, x1) == (63.0, 533.2) and 93.0 <= top == bottom <= 94.5


def test_double_rule_is_one_rule():
    double = [Segment(62.7, 109.4, 532.6, 109.4), Segment(62.7, 111.4, 532.6, 111.4)]
    assert len(_merged(double)) == 1


def test_dashes_are_one_rule():
    dashes = [Segment(100.0 + 6 * i, 200.0, 104.0 + 6 * i, 200.0) for i in range(50)]  # 4 pt dashes, 2 pt gaps
    assert _merged(dashes) == [(100.0, 200.0, 398.0, 200.0)]


def test_rules_apart_stay_apart():
    rules = [Segment(63.0, 100.0, 533.0, 100.0), Segment(63.0, 110.0, 533.0, 110.0),  # two rows' rules
             Segment(63.0, 300.0, 200.0, 300.0), Segment(300.0, 300.0, 533.0, 300.0),  # a gap of 100 pt
             Segment(80.0, 100.0, 80.0, 110.0)]  # a vertical rule between them
    assert _merged(rules) == [(63.0, 100.0, 533.0, 100.0), (63.0, 110.0, 533.0, 110.0), (63.0, 300.0, 200.0, 300.0),
                              (300.0, 300.0, 533.0, 300.0), (80.0, 100.0, 80.0, 110.0)]
