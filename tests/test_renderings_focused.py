"""One-page renderings by headless Chromium and WeasyPrint: a 三线表 appendix table and case boxes
without a fill. Expected values are the hand-keyed ones of tests/fixtures/reference/."""

import pytest
import renders

PRODUCERS = renders.PRODUCERS


@pytest.mark.parametrize("producer", PRODUCERS)
def test_three_line_appendix_table_every_cell(rendered_extracted, producer):
    got = rendered_extracted("three_line_table", producer)
    expected = renders.expected_cells("reference", kind="落实政策表")
    right, wrong = renders.compare_cells(got.indicators.frame, expected, {"落实政策表": "6"})
    assert (right, wrong[:5]) == (len(expected), [])


CASE_BOXES = [
    pytest.param("border_case_box", "chromium"), pytest.param("border_case_box", "weasyprint"),
    pytest.param("rules_case_box", "chromium"), pytest.param("rules_case_box", "weasyprint"),
]


@pytest.mark.parametrize(("fixture", "producer"), CASE_BOXES)
def test_case_box_without_fill_is_the_case(rendered_extracted, fixture, producer):
    case = renders.focused_case()
    paragraphs = [b["text"] for b in case["blocks"] if b["type"] == "paragraph"]
    cases = rendered_extracted(fixture, producer).cases.cases
    assert [(c.case_no, c.title) for c in cases] == [(2, case["title"])]
    assert cases[0].text == "\n".join(paragraphs)
