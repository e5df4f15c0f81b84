"""Hostile and unusual input, one test per case: each ends as full results, partial results with
warnings naming what is missing, or a clear error naming file, stage and reason (exit code 1)."""

import pdfs
import pytest
from conftest import REFERENCE
from outcome import run_cli, value
from reportlab.pdfgen import canvas

APPENDIX_MISSING = [f"appendix table {name} of the 2024 template not found; its indicators are missing" for name in
                    ["人才培养质量计分卡 (计分卡)", "满意度调查表", "教学资源表", "服务贡献表", "国际影响表"]]
APPENDIX6_VALUES = {(row_seq, year): number for row_seq, (_, _, _, *years) in enumerate(pdfs.APPENDIX6_ROWS, start=1)
                    for year, number in zip((2023, 2024), years)}


@pytest.fixture
def appendix6(tmp_path):
    return pdfs.split_appendix_table(tmp_path / "appendix6.pdf")


def _expected(text: str) -> str:
    number = float(text.replace(",", ""))
    return str(int(number)) if number.is_integer() else repr(number)


def test_zero_byte_file(tmp_path):
    pdf = tmp_path / "empty.pdf"
    pdf.write_bytes(b"")
    o = run_cli(pdf, tmp_path / "out")
    assert (o.status, o.error["stage"], o.error["message"]) == ("error", "pages", "the file is empty (0 bytes)")
    assert o.error["file"] == str(pdf)


def test_html_page_saved_as_pdf(tmp_path):
    pdf = tmp_path / "download.pdf"
    pdf.write_text("<!DOCTYPE html>\n<html><body>404 Not Found</body></html>", encoding="utf-8")
    o = run_cli(pdf, tmp_path / "out")
    assert o.status == "error"
    assert o.error["message"] == "not a PDF: the file is an HTML page with a .pdf name"


def test_truncated_download_keeps_what_arrived(tmp_path):
    pdf = pdfs.truncated_copy(REFERENCE, tmp_path / "cut.pdf", 0.97)
    o = run_cli(pdf, tmp_path / "out")
    assert o.status == "partial"
    assert any("the file is truncated" in w for w in o.warnings("missing"))
    assert value(o, 6, "专任教师总数", 2024) == "917"
    assert value(o, 1, "毕业生人数", 2023) == "3913"


def test_truncated_beyond_repair_is_a_clear_error(tmp_path):
    pdf = pdfs.truncated_copy(REFERENCE, tmp_path / "stub.pdf", 0.00002)  # the header and a few bytes
    o = run_cli(pdf, tmp_path / "out")
    assert o.status == "error" and o.error["stage"] == "pages"
    assert o.error["message"].startswith("not a readable PDF")
    assert "the file is truncated (it ends without %%EOF" in o.error["message"]


def test_broken_xref_table(tmp_path, appendix6):
    pdf = pdfs.broken_xref_copy(appendix6, tmp_path / "xref.pdf")
    o = run_cli(pdf, tmp_path / "out")
    assert o.status == "partial"
    repaired = [w for w in o.warnings("warning") if w.startswith("the file is damaged")]
    assert repaired and repaired[0].startswith(
        "the file is damaged (its cross-reference table is damaged or missing): read from a copy repaired by qpdf; qpdf: ")
    assert value(o, 6, "全日制在校生人数", 2024) == "12001"


def test_encrypted_without_password(tmp_path, appendix6):
    pdf = pdfs.encrypted_copy(appendix6, tmp_path / "locked.pdf", "s3cret")
    o = run_cli(pdf, tmp_path / "out")
    assert (o.status, o.error["stage"]) == ("error", "pages")
    assert o.error["message"] == "the PDF is encrypted: give its password with --password"
    assert "locked: stage pages: the PDF is encrypted" in o.output


def test_encrypted_with_wrong_password(tmp_path, appendix6):
    pdf = pdfs.encrypted_copy(appendix6, tmp_path / "locked.pdf", "s3cret")
    o = run_cli(pdf, tmp_path / "out", "--password", "guess")
    assert o.error["message"] == "the password given does not open this encrypted PDF"


def test_encrypted_with_password(tmp_path, appendix6):
    pdf = pdfs.encrypted_copy(appendix6, tmp_path / "locked.pdf", "s3cret")
    o = run_cli(pdf, tmp_path / "out", "--password", "s3cret")
    assert o.status == "partial" and o.warnings("missing") == APPENDIX_MISSING
    assert value(o, 6, "其中：专任教师总数".removeprefix("其中："), 2023) == "990"
    assert len(o.csv("indicators")) == 42


def test_no_text_layer_is_read_by_ocr(tmp_path, appendix6):
    scan = pdfs.scanned_copy(appendix6, tmp_path / "scan.pdf", dpi=300)
    o = run_cli(scan, tmp_path / "out")
    assert o.status == "partial" and set(APPENDIX_MISSING) <= set(o.warnings("missing"))
    pages = o.csv("pages")
    assert list(pages.source) == ["ocr", "ocr"]
    assert all(float(c) > 50 for c in pages.ocr_confidence)
    assert set(o.csv("tables").source) == {"ocr"} and set(o.csv("table_cells").source) == {"ocr"}
    got = {(int(r.row_seq), int(r.year)): r.value for r in o.csv("indicators").itertuples()}
    right = [key for key, text in APPENDIX6_VALUES.items() if got.get(key) == _expected(text)]
    assert len(right) >= 0.95 * len(APPENDIX6_VALUES), sorted(set(APPENDIX6_VALUES) - set(right))


def test_garbled_font_layer_is_read_by_ocr(tmp_path, reference):
    pdf = pdfs.without_tounicode(REFERENCE, tmp_path / "cid.pdf", [49])  # 附表1, its fonts' ToUnicode maps removed
    o = run_cli(pdf, tmp_path / "out")
    page = o.csv("pages").iloc[0]
    assert page.source == "ocr"
    assert page.notes.startswith("text layer unreadable (100% (cid:N), private-use or U+FFFD characters): OCRed")
    expected = reference.indicators.frame[reference.indicators.frame.table_no == 1]
    got = o.csv("indicators")
    assert len(got) == len(expected) == 24
    assert list(got.value) == [_expected(str(v)) if v == v else "" for v in expected.value]
    for name in ("sections", "tables", "table_cells", "indicators"):
        assert "(cid:" not in (o.folder / f"{name}.csv").read_text(encoding="utf-8")


def test_extreme_page_size(tmp_path):
    pdf = pdfs.appendix_rows_pdf(tmp_path / "poster.pdf", pagesize=(14400, 14400))  # the largest page PDF allows
    o = run_cli(pdf, tmp_path / "out")
    assert o.status == "partial"
    assert o.csv("pages").iloc[0][["width", "height"]].tolist() == ["14400", "14400"]
    assert value(o, 6, "年生均财政拨款水平", 2023) == "10661"


def test_tiny_page(tmp_path):
    pdf = tmp_path / "stamp.pdf"
    c = canvas.Canvas(str(pdf), pagesize=(30, 20))
    c.setFont(pdfs.FONT, 6)
    c.drawString(2, 8, "小页")
    c.save()
    o = run_cli(pdf, tmp_path / "out")
    assert o.status == "partial" and o.csv("pages").iloc[0].lines == "1"


def test_rotated_page(tmp_path):
    pdf = pdfs.appendix_rows_pdf(tmp_path / "landscape.pdf", rotate=90)
    o = run_cli(pdf, tmp_path / "out")
    assert o.csv("pages").iloc[0].rotation == "90"
    assert value(o, 6, "年财政专项经费", 2024) == "11974"
    assert value(o, 6, "教职员工额定编制数", 2023) == "1294"


def test_huge_scanned_page_is_rendered_within_the_pixel_budget(tmp_path):
    poster = pdfs.appendix_rows_pdf(tmp_path / "poster.pdf", pagesize=(14400, 14400))
    scan = pdfs.scanned_copy(poster, tmp_path / "poster-scan.pdf", dpi=10)
    o = run_cli(scan, tmp_path / "out")
    assert o.status == "partial"
    assert "rendered at 32 dpi (pixel budget)" in o.csv("pages").iloc[0].notes


def test_not_a_quality_report(tmp_path):
    pdf = pdfs.three_line_table(tmp_path / "other.pdf")
    o = run_cli(pdf, tmp_path / "out")
    assert o.status == "partial"
    assert o.warnings("missing") == ["no chapter or section headings found", *APPENDIX_MISSING,
                                     "appendix table 落实政策表 of the 2024 template not found; its indicators are missing"]
    assert o.csv("tables").table_id.tolist() == ["表1"]
    assert o.csv("indicators").empty


def test_report_missing_some_appendix_tables(tmp_path, appendix6):
    o = run_cli(appendix6, tmp_path / "out")
    assert o.status == "partial" and o.warnings("missing") == APPENDIX_MISSING
    got = {(int(r.row_seq), int(r.year)): r.value for r in o.csv("indicators").itertuples()}
    assert got == {key: _expected(text) for key, text in APPENDIX6_VALUES.items()}


def test_very_large_page_count(tmp_path):
    pdf = pdfs.many_pages(tmp_path / "tome.pdf", 2500)
    o = run_cli(pdf, tmp_path / "out")
    assert o.status == "error"
    assert o.error["message"] == "2500 pages exceed the limit of 2000 (limit max_pages)"


def test_page_limit_is_a_run_option(tmp_path):
    pdf = pdfs.many_pages(tmp_path / "booklet.pdf", 30)
    assert run_cli(pdf, tmp_path / "a", "--max-pages", "20").error["message"] == "30 pages exceed the limit of 20 (limit max_pages)"
    assert run_cli(pdf, tmp_path / "b", "--max-pages", "30").manifest["pages"] == 30
