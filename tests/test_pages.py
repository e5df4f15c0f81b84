"""Stage 1: page text hygiene on the reference report and on PDFs built here."""

from pathlib import Path

import pdfs
from pipeline.config import PageSettings
from pipeline.pages import extract_pages
from pipeline.text import join_fragments, map_radicals, to_halfwidth


def test_running_header_and_page_numbers_removed(reference):
    page = reference.doc.pages[6]  # physical page 7, printed 2
    assert page.printed == "2"
    texts = [ln.text for ln in page.lines]
    assert not any("质量年度报告（2024年度）" in t for t in texts)
    assert texts[0] == "1 人才培养"
    assert texts[-1] != "2"


def test_printed_numbers_follow_the_body(reference):
    printed = {p.number: p.printed for p in reference.doc.pages}
    assert printed[6] == "1" and printed[49] == "44" and printed[55] == "50"
    assert printed[1] is None  # the cover has no number


def test_lines_keep_page_and_bbox(reference):
    line = reference.doc.pages[6].lines[0]
    assert line.page == 7
    x0, top, x1, bottom = line.bbox
    assert 80 < x0 < x1 < 520 and 60 < top < bottom < 140


def test_header_rule_is_not_a_table_rule(reference):
    # page 6 (前言) has only the header rule: nothing is left for the table stage
    assert reference.doc.pages[5].rules == []


def test_join_fragments_without_spaces_between_cjk():
    assert join_fragments(["上海电机学院附属科技学校(上海市临港科技", "学校)"]) == "上海电机学院附属科技学校(上海市临港科技学校)"
    assert join_fragments(["network", "bandwidth"]) == "network bandwidth"


def test_radicals_and_fullwidth():
    assert map_radicals("\u2f08\u2ed3") == "人长"  # Kangxi MAN, C-simplified LONG
    assert to_halfwidth("１２，３４５．６７％") == "12,345.67%"


def test_page_numbers_inside_a_table_header_are_kept(tmp_path):
    # the continuation page's header row "2023 2024" sits in the top margin band
    doc = extract_pages(pdfs.split_appendix_table(tmp_path / "split.pdf"), PageSettings())
    assert [p.printed for p in doc.pages] == ["1", "2"]
    top_texts = [ln.text for ln in doc.pages[1].lines[:6]]
    assert "2024" in top_texts


def test_bad_input_is_a_clear_error(tmp_path):
    import pytest

    from pipeline.errors import ReportError

    bad = tmp_path / "not-a-pdf.pdf"
    bad.write_text("<html>not a pdf</html>")
    with pytest.raises(ReportError) as err:
        extract_pages(bad, PageSettings())
    assert err.value.stage == "pages" and "not a PDF: the file is an HTML page" in err.value.message
    assert str(bad) in str(err.value)


def test_fake_bold_duplicates_removed(tmp_path):
    doc = extract_pages(pdfs.fake_bold_heading(tmp_path / "bold.pdf"), PageSettings())
    assert [ln.text for ln in doc.pages[0].lines] == ["1 人才培养", "2024年，6所中职学校在校生共计12001人。"]
