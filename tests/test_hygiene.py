"""Character hygiene in the page stage: what a reader cannot see is dropped, look-alike code points
become the ideographs a reader sees (fake-bold duplicates: test_pages.py)."""

import pdfs
import pypdfium2 as pdfium
from conftest import REFERENCE

from pipeline.config import PageSettings
from pipeline.pages import extract_pages
from pipeline.text import map_radicals


def test_invisible_white_and_clipped_text_dropped(tmp_path):
    page = extract_pages(pdfs.hygiene_page(tmp_path / "h.pdf"), PageSettings()).pages[0]
    # kept: the body line, white text on a dark fill, the radicals line (mapped); dropped: render mode 3,
    # white on white, outside the crop box, off the page
    assert [ln.text for ln in page.lines] == ["可见的正文", "深色表头上的白字", "人民长期"]
    assert page.notes == [
        "5 invisible characters (text render mode 3/7) dropped",
        "5 white characters on a white background dropped",
        "13 characters outside the page or its crop box dropped",
    ]
    assert page.source == "text"


def test_invisible_ocr_layer_over_a_scan_is_kept(tmp_path):
    image = tmp_path / "scan.png"
    pdf = pdfium.PdfDocument(str(REFERENCE))
    pdf[0].render(scale=100 / 72, grayscale=True).to_pil().save(image)
    pdf.close()
    page = extract_pages(pdfs.invisible_ocr_layer(tmp_path / "ocr-layer.pdf", image), PageSettings()).pages[0]
    assert [ln.text for ln in page.lines] == ["扫描件自带的文字层"]
    assert page.source == "ocr" and page.lines[0].source == "ocr"
    assert page.notes == ["9 invisible characters over a page image kept (the file's own OCR layer)"]


def test_radicals_and_compatibility_ideographs_mapped():
    kangxi = "\u2f08\u2f2f"  # ⼈⼯ KANGXI RADICAL MAN, WORK
    supplement = "\u2ea0\u2ed3\u2ec5\u2ee9"  # ⺠⻓⻅⻩ CJK RADICAL CIVILIAN, C-SIMPLIFIED LONG, SEE, YELLOW
    compatibility = "\uf9b5\ufa10"  # 例 塚 CJK COMPATIBILITY IDEOGRAPHs
    assert map_radicals(kangxi + supplement + compatibility) == "人工民长见黄例塚"
    assert map_radicals("普通文字 123") == "普通文字 123"

