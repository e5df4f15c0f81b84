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


# pdfplumber's own test files (marked content, duplicate glyphs, extra attributes, form fields) and Chinese
# government reports, each read with pdfplumber's page and with ours.
PLUMBER_PAGE_PDFS = [
    "jsvine__pdfplumber/word365_structure.pdf", "jsvine__pdfplumber/pdffill-demo.pdf",
    "jsvine__pdfplumber/issue-71-duplicate-chars.pdf", "jsvine__pdfplumber/extra-attrs-example.pdf",
    "jsvine__pdfplumber/nics-background-checks-2015-11-rotated.pdf",
    "zxj6827111-blip__GOV/上海市普陀区财政局2024年度部门决算.pdf",
]


def _char_records(pdf, page_class) -> list[list[tuple]]:
    """Every character of every page as pdfplumber's record: its (key, value) pairs in order."""
    out = []
    for page in pdf.pages:
        page = page_class(pdf, page.page_obj, page_number=page.page_number, initial_doctop=page.initial_doctop)
        out.append([list(c.items()) for c in page.chars])
    return out


def _same_records_as_pdfplumber(path: Path, **options) -> None:
    import pdfplumber
    from pdfplumber.page import Page as PdfplumberPage

    from pipeline.pages.plumber import Page

    with pdfplumber.open(path, **options) as pdf:
        ours, theirs = _char_records(pdf, Page), _char_records(pdf, PdfplumberPage)
    assert sum(map(len, theirs)) > 0
    assert ours == theirs


def test_character_records_are_pdfplumbers_own(corpus):
    for name in PLUMBER_PAGE_PDFS:
        _same_records_as_pdfplumber(corpus / name)


def test_character_records_with_a_moved_mediabox_and_unicode_normalisation(tmp_path):
    import pikepdf
    from conftest import REFERENCE

    with pikepdf.open(REFERENCE) as pdf:
        del pdf.pages[12:]
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(v) for v in page.MediaBox)
            page.MediaBox = [x0 + 30, y0 + 40, x1 + 30, y1 + 40]  # a box not at the origin shifts every x
        pdf.save(tmp_path / "moved.pdf")
    _same_records_as_pdfplumber(tmp_path / "moved.pdf", unicode_norm="NFKC")
