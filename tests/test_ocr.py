"""OCR of pages without a usable text layer: the acceptance test on a scanned copy of the reference,
and the parts (deciding, ruling lines from the image, Tesseract's words to characters)."""

import pandas as pd
import pdfs
import pytest
from conftest import REFERENCE
from scans import SHOWN, compare_appendix

from pipeline.config import Limits, OcrSettings, PageSettings
from pipeline.pages import extract_pages, ocr
from pipeline.pages.hygiene import unusable_reason
from pipeline.process import process_report
from pipeline.words import words


@pytest.fixture(scope="session")
def scanned_reference_run(tmp_path_factory):
    """The reference rendered page by page at 300 dpi into an image-only PDF, then run end to end."""
    folder = tmp_path_factory.mktemp("scan")
    scan = pdfs.scanned_copy(REFERENCE, folder / "pudong-scanned.pdf", dpi=300)
    return process_report(scan, folder / "out")


@pytest.mark.slow
def test_scanned_reference_yields_the_appendix_values(scanned_reference_run, reference_run, capsys):
    both, same, _ = compare_appendix(reference_run.frames["indicators"], scanned_reference_run.frames["indicators"])
    share = same.mean()
    with capsys.disabled():
        print(f"\nscanned reference: {same.sum()} of {len(both)} appendix value cells equal ({share:.1%})")
    assert len(both) == 246
    assert share >= 0.95, both[~same][SHOWN].to_string()


@pytest.mark.slow
def test_scanned_reference_records_are_marked_ocr(scanned_reference_run):
    frames = scanned_reference_run.frames
    assert set(frames["pages"].source) == {"ocr"}
    assert frames["pages"].ocr_confidence.between(50, 100).all()
    appendix = frames["tables"][frames["tables"].table_id.str.startswith("附表")]
    assert list(appendix.table_id) == [f"附表{n}" for n in range(1, 7)]
    assert set(appendix.source) == {"ocr"} and appendix.crosscheck.str.contains("camelot not run").all()
    assert set(frames["table_cells"].source) == {"ocr"}
    filled = frames["table_cells"][frames["table_cells"].text != ""]
    assert filled.confidence.notna().all()


def test_unusable_text_layers():
    settings = OcrSettings()
    en, zh = words("en"), words("zh")
    assert en.said(unusable_reason([], 0.0, settings)) == "no text layer"
    assert zh.said(unusable_reason([], 0.0, settings)) == "没有文字层"
    assert en.said(unusable_reason(["(cid:12)(cid:7)(cid:99)", "表1"], 0.0, settings)).startswith("text layer unreadable (92%")
    assert en.said(unusable_reason(["\ue001\ue002\ue003人"], 0.0, settings)).startswith("text layer unreadable (75%")
    assert en.said(unusable_reason(["12"], 1.0, settings)) == "only 2 characters of text over a page-sized image"
    assert zh.said(unusable_reason(["12"], 1.0, settings)) == "整页图片上只有2个文字字符"
    assert unusable_reason(["浦东新区中等职业教育质量年度报告"], 0.0, settings) is None


def test_ruling_lines_found_in_the_image_match_the_drawn_ones(tmp_path):
    pdf = pdfs.split_appendix_table(tmp_path / "a6.pdf")
    page = extract_pages(pdf, PageSettings()).pages[0]
    with ocr.PageRenderer(pdf, None, Limits()) as renderer:
        colour, scale = renderer.render(1, page.width, page.height, 300)
    image, _ = ocr.prepare(colour)  # the grey page OCR reads (nothing to undo on a clean render)
    found, _ = ocr.find_rules(image, scale, OcrSettings())
    drawn_rows = sorted({round(s.top) for s in page.rules if s.horizontal})
    found_rows = sorted({round(s.top) for s in found if s.horizontal})
    assert len(found_rows) == len(drawn_rows) == 18
    assert all(abs(a - b) <= 1 for a, b in zip(found_rows, drawn_rows))
    drawn_cols = sorted({round(s.x0) for s in page.rules if not s.horizontal})
    found_cols = sorted({round(s.x0) for s in found if not s.horizontal})
    assert all(any(abs(a - b) <= 1 for b in found_cols) for a in drawn_cols)


def test_words_become_characters_in_tesseract_order():
    words = [
        ocr.Word("接收", 100, 50, 300, 40, 58.0, (1, 1, 1, 1)),  # Tesseract's box runs over the next words
        ocr.Word("国外", 180, 50, 80, 40, 96.0, (1, 1, 1, 1)),
        ocr.Word("3913", 500, 52, 90, 36, 91.0, (1, 1, 1, 1)),
    ]
    chars = ocr.words_to_chars(words, scale=2.0, min_confidence=0)
    assert "".join(c.text for c in sorted(chars, key=lambda c: c.x0)) == "接收国外3913"
    assert {c.source for c in chars} == {"ocr"} and chars[0].confidence == 58.0
    assert {(c.top, c.bottom) for c in chars} == {(25.0, 45.0)}  # the OCR line's height for every character


def test_stray_quotes_from_table_gaps_removed():
    tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    rows = [("”2023", 10), ("“139956", 200), ("”专利", 400), ("“双高”", 600), ("12.5”", 800)]
    tsv += "".join(f"5\t1\t1\t1\t1\t{i}\t{x}\t5\t50\t20\t90\t{t}\n" for i, (t, x) in enumerate(rows))
    assert [w.text for w in ocr.parse_tsv(tsv)] == ["2023", "139956", "专利", "“双高”", "12.5"]


def test_ocr_confidence_reaches_pages_csv(tmp_path):
    scan = pdfs.scanned_copy(pdfs.three_line_table(tmp_path / "t.pdf"), tmp_path / "scan.pdf", dpi=300)
    result = process_report(scan, tmp_path / "out")
    pages = pd.read_csv(result.out_dir / "pages.csv")
    assert pages.source.tolist() == ["ocr"] and 50 < pages.ocr_confidence[0] <= 100
    assert pages.notes[0] == f"no text layer: OCRed by {OcrSettings().engine}"
