"""Tables pasted as pictures on text pages (issue 18): read by OCR like a scanned table, every value with its
source and confidence, a value in doubt never a match or a mismatch but one to read by eye.

The whole-report runs (the reference with its appendix tables pasted as pictures, by PDFium and by
WeasyPrint: tests/pictures.py) are one OCR run each per session, shared by the slow tests. The values
asserted were read by hand off the reference's appendix pages (PDF pages 49-55, printed 44-50)."""

from __future__ import annotations

import json

import pandas as pd
import pictures
import pytest
from conftest import REFERENCE
from scans import SHOWN, compare_appendix, silent_errors

from pipeline.indicators import AppendixMatch, HeaderMap, IndicatorRow, Period, _closed_sets, doubt
from pipeline.process import process_report
from pipeline.reconcile.findings import VERDICTS, Finding
from pipeline.reconcile.unreadable import mark_unreadable
from pipeline.records import Table

TOOLS = {"pdfium": pictures.pasted_by_pdfium, "weasyprint": pictures.pasted_by_weasyprint}
# 计分卡 rows of the drawn fixture, as the reference prints them (p.49) but for a 2024 落实率 of 9355.2 (%)
DRAWN_ROWS = [["1", "毕业生人数", "人", "3913", "3552"], ["2", "毕业去向落实人数", "人", "3822", "3478"],
              ["2", "其中：升学人数", "人", "3148", "2878"], ["3", "毕业生本省去向落实率", "%", "89.30", "9355.2"],
              ["4", "月收入", "元", "4642", "4174.00"]]
SMUDGED = (2, 4)  # 升学人数 2024: 2878 under a grey blot and a scratch


@pytest.fixture(scope="session", params=sorted(TOOLS))
def pasted_run(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"pictures-{request.param}")
    pdf = TOOLS[request.param](REFERENCE, folder / f"pasted-{request.param}.pdf")
    return process_report(pdf, folder / "out")


@pytest.fixture(scope="session")
def drawn_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pictures-drawn")
    pdf = pictures.drawn_appendix(folder / "drawn.pdf", DRAWN_ROWS, {SMUDGED})
    return process_report(pdf, folder / "out")


def _cell(frame: pd.DataFrame, indicator: str, year: int) -> pd.Series:
    rows = frame[(frame.indicator == indicator) & (frame.year == year)]
    assert len(rows) == 1, frame[["table_no", "indicator", "year", "value_raw"]].to_string()
    return rows.iloc[0]


# ---------------------------------------------------------------- the fixtures themselves


def test_pasted_tables_leave_no_text_in_the_pictures(tmp_path):
    """The table's text is really gone from the text layer: only the picture holds it."""
    import pdfplumber

    for name, make in TOOLS.items():
        pdf = make(REFERENCE, tmp_path / f"{name}.pdf")
        with pdfplumber.open(str(pdf)) as opened:
            page = opened.pages[48]  # 表1 人才培养质量计分卡
            (image,) = page.images
            inside = [c["text"] for c in page.chars if image["top"] <= c["top"] <= image["bottom"]]
            assert not inside, (name, "".join(inside))
            assert "表1 人才培养质量计分卡" in page.extract_text().replace("表 1", "表1"), name


# ---------------------------------------------------------------- whole reports (slow)


@pytest.mark.slow
def test_picture_tables_yield_the_appendix(pasted_run, reference_run, capsys):
    both, value, record = compare_appendix(reference_run.frames["indicators"], pasted_run.frames["indicators"])
    with capsys.disabled():
        pages = next(s.seconds for s in pasted_run.stages if s.name == "pages")
        print(f"\n{pasted_run.report_id}: {value.sum()} of {len(both)} appendix values and {record.sum()} records right; "
              f"pages stage {pages:.1f} s")
    assert len(both) == 246
    assert value.sum() >= 243, both[~value][SHOWN].to_string()


@pytest.mark.slow
def test_picture_tables_hand_keyed_values(pasted_run):
    """Read by hand off pages 49 (表1), 51 and 52 (表3, continued) and 55 (表6) of the reference."""
    frame = pasted_run.frames["indicators"]
    for indicator, year, value, unit, table_no in [("毕业生人数", 2023, 3913, "人", 1), ("月收入", 2024, 4174, "元", 1),
                                                    ("月收入", 2023, 4642, "元", 1), ("专业数量", 2024, 105, "个", 3),
                                                    ("校园网主干最大带宽", 2023, 10240, "Mbps", 3),
                                                    ("生均教学科研仪器设备值", 2024, 45217.83, "元/生", 3)]:
        cell = _cell(frame, indicator, year)
        assert (cell.value, cell.unit, cell.table_no) == (value, unit, table_no), cell.to_dict()
        assert cell.source == "ocr" and 0 <= cell.ocr_confidence <= 100
    continued = frame[frame.page == 52]  # 9 rows (编写教材数 … 生均教学科研仪器设备值) of 2 years
    assert len(continued) == 18 and set(continued.table_no) == {3}, "表3's continuation keeps its number"


@pytest.mark.slow
def test_picture_tables_are_named_in_warnings(pasted_run):
    messages = [i.message for i in pasted_run.issues]
    read = [m for m in messages if "is a picture, read by OCR (mean confidence" in m]
    assert any(m.startswith("表3 教学资源表 on p.46 (PDF p.51) is a picture") for m in read) or \
        any(m.startswith("表3 教学资源表 on PDF p.51 is a picture") for m in read), read
    assert len(read) >= 6, read  # each appendix table (the WeasyPrint copy's continuation page is a page of its own)
    assert not [m for m in messages if "not found" in m and "appendix table" in m], messages
    cells = pasted_run.frames["table_cells"]
    table1 = cells[cells.page == 49]
    assert (table1.source == "ocr").all()  # its empty cells too: OCR found nothing there
    assert table1[table1.text.fillna("") != ""].confidence.notna().all()
    tables = pasted_run.frames["tables"]
    assert (tables[tables.table_id == "附表1"].source == "ocr").all()


@pytest.mark.slow
def test_photos_and_charts_of_the_text_are_not_read(pasted_run):
    """The report's photos and charts (pages 7-46) stay pictures: no OCR text added to those pages."""
    pages = pasted_run.frames["pages"]
    assert not pages[pages.page < 49].notes.fillna("").str.contains("read by OCR").any()


# ---------------------------------------------------------------- a drawn table with a smudged cell


def test_drawn_picture_table_is_read_and_its_doubtful_values_are_to_read_by_eye(drawn_run):
    frame = drawn_run.frames["indicators"]
    assert (_cell(frame, "毕业生人数", 2023).value, _cell(frame, "月收入", 2024).value) == (3913, 4174)
    assert (_cell(frame, "升学人数", 2023).value, _cell(frame, "毕业去向落实人数", 2024).value) == (3148, 3478)
    assert (frame.source == "ocr").all()
    doubts = drawn_run.indicators.frame.set_index(["indicator", "year"])["doubt"]
    assert doubts[("毕业生本省去向落实率", 2024)] == "a percentage outside 0-100"  # 9355.2 in a % row
    smudged = _cell(frame, "升学人数", 2024)
    assert smudged.value != 2878 and doubts[("升学人数", 2024)], "the smudged 2878 is misread, and in doubt"
    assert doubts[("毕业生人数", 2023)] == ""
    findings = drawn_run.frames["findings"]
    about_doubtful = findings[(findings.indicator == "升学人数") & (findings.year == 2024)]
    assert len(about_doubtful) and (about_doubtful.verdict == "unreadable").all(), about_doubtful.to_string()
    assert not findings[findings.verdict.isin(["match", "mismatch"])].ocr_confidence.lt(80).any()
    manifest = json.loads((drawn_run.out_dir / "manifest.json").read_text())
    assert manifest["read_by_eye"] == {"values": 2, "findings": int((findings.verdict == "unreadable").sum())}
    assert any("values read by OCR are to be read by eye" in w["message"] and "升学人数" in w["message"]
               for w in manifest["warnings"])
    assert not [w for w in manifest["warnings"] if "could not be read" in w["message"]], "the seal is no table"
    audit = (drawn_run.out_dir / "audit.html").read_text()
    assert audit.index("需人工核读的数值") < audit.index("需要核查")  # the audit is in Chinese by default


# ---------------------------------------------------------------- closed sets and the judge, on records


def _match(rows: list[list[str]]) -> tuple[AppendixMatch, list[IndicatorRow]]:
    table = Table("附表1", "表1 人才培养质量计分卡", [1], "lattice", len(rows) + 1, 5, [], (0, 0, 1, 1), source="ocr")
    match = AppendixMatch("计分卡", 1, "人才培养质量计分卡", table, HeaderMap(0, 0, 1, 2, [], None, None), "caption")
    period = Period("2024年", 2024, "year")
    out = [IndicatorRow("计分卡", 1, "人才培养质量计分卡", 1, i + 1, serial, name, "", unit, unit, False,
                        [(period, value, (0, 0, 1, 1))], "", "", indicator_raw=name, ocr=True,
                        sources=[("ocr", 95.0)]) for i, (serial, name, unit, value) in enumerate(rows)]
    return match, out


def test_ocr_names_units_and_serials_snap_to_the_template():
    match, rows = _match([["1", "毕业后人数", "人", "3913"], ["工", "毕业去向落实人数", "人", "3822"],
                          ["12", "在线精品课程课均学生数", "人门", "940"], ["3", "毕业生本省去向落实率", "", "89.30"]])
    issues = _closed_sets(match, rows, "2024")
    assert (rows[0].indicator, rows[0].indicator_raw) == ("毕业生人数", "毕业后人数")
    assert rows[1].serial == "2"  # 工 read for the serial: the template's
    assert rows[2].unit == "人/门" and rows[2].unit_raw == "人门"
    assert rows[3].unit == "%"  # the % OCR dropped: the only unit the template gives the name
    assert len(issues) == 1 and "'毕业后人数' → '毕业生人数'" in issues[0].message and issues[0].page == 1


def test_a_name_whose_unit_disagrees_is_not_snapped():
    match, rows = _match([["1", "毕业后人数", "%", "3913"], ["", "学生人数", "人", "1"]])
    assert not _closed_sets(match, rows, "2024")
    assert [r.indicator for r in rows] == ["毕业后人数", "学生人数"]


def test_text_rows_are_never_snapped():
    match, rows = _match([["1", "毕业后人数", "人", "3913"]])
    rows[0].ocr = False
    _closed_sets(match, rows, "2024")
    assert rows[0].indicator == "毕业后人数"


@pytest.mark.parametrize("raw, value, unit, source, confidence, wanted", [
    ("3913", 3913.0, "人", "ocr", 96.0, ""),
    ("3913", 3913.0, "人", "ocr", 62.0, "OCR confidence 62 is below 80"),
    ("93552", 93552.0, "%", "ocr", 95.0, "a percentage outside 0-100"),
    ("34.78", 34.78, "人", "ocr", 95.0, "a count in 人 that is not a whole number"),
    ("1和源1022入", None, "元", "ocr", 95.0, "what OCR read is not a number"),
    ("-", None, "%", "ocr", 95.0, ""),  # no value
    ("-", None, "%", "ocr", 30.0, "OCR confidence 30 is below 80"),  # a value OCR may have lost
    ("93552", 93552.0, "%", "text", None, ""),  # the text layer is what the report prints
])
def test_doubtful_values(raw, value, unit, source, confidence, wanted):
    assert doubt(raw, value, unit, source, confidence, 80.0) == wanted


def _finding(verdict: str) -> Finding:
    return Finding("", "direct", verdict, "p1-1", "在校生 12001 人", 1, 6, "在校生数", 2024, "12001", "12001", "0",
                   "text 12001 vs 附表6 在校生数 2024 = 12001", table_page=55, table_bbox=(10.0, 20.0, 30.0, 40.0))


def _cells(source: str, confidence: float | None, reason: str) -> pd.DataFrame:
    return pd.DataFrame([{"page": 55, "x0": 10.0, "top": 20.0, "x1": 30.0, "bottom": 40.0, "source": source,
                          "ocr_confidence": confidence, "doubt": reason}])


def test_a_doubtful_ocr_value_is_unreadable_never_a_match_or_a_mismatch():
    assert "unreadable" in VERDICTS
    for verdict in ("match", "mismatch", "other_year_match"):
        finding = _finding(verdict)
        assert mark_unreadable([finding], _cells("ocr", 62.0, "OCR confidence 62 is below 80")) == 1
        assert (finding.verdict, finding.source, finding.ocr_confidence) == ("unreadable", "ocr", 62.0)
        assert "to read by eye" in finding.explanation
    sure, text = _finding("mismatch"), _finding("mismatch")
    mark_unreadable([sure], _cells("ocr", 96.0, ""))
    mark_unreadable([text], _cells("text", None, ""))
    assert (sure.verdict, sure.source, sure.ocr_confidence) == ("mismatch", "ocr", 96.0)
    assert (text.verdict, text.source, text.ocr_confidence) == ("mismatch", "text", None)


def test_a_picture_that_cannot_be_read_is_named_with_its_page(tmp_path):
    pdf = pictures.blurred_appendix(tmp_path / "blurred.pdf")
    run = process_report(pdf, tmp_path / "out")
    messages = {i.message: i.page for i in run.issues}
    unread = [m for m in messages if m.startswith("表1 人才培养质量计分卡 on PDF p.1 is a picture that could not be read")]
    assert unread and messages[unread[0]] == 1, messages
    table = [m for m in messages if m.startswith("appendix table 人才培养质量计分卡 (计分卡)")]
    assert table == ["appendix table 人才培养质量计分卡 (计分卡) of the 2024 template not read: its caption "
                     "'表1 人才培养质量计分卡' is on PDF p.1 but no table under it could be read; its indicators are missing"]
    assert messages[table[0]] == 1


def test_a_table_picture_without_tesseract_is_said_to_be_unread(tmp_path, monkeypatch):
    import pipeline.pages.ocr as ocr
    from pipeline.config import OcrSettings, PageSettings
    from pipeline.pages import extract_pages

    monkeypatch.setattr(ocr, "engine_problem", lambda settings: "Tesseract is not installed")
    pdf = pictures.drawn_appendix(tmp_path / "drawn.pdf", DRAWN_ROWS)
    doc = extract_pages(pdf, PageSettings(), ocr=OcrSettings())
    assert [(i.message, i.page, i.level) for i in doc.issues] == [
        ("表1 人才培养质量计分卡 on PDF p.1 is a picture that could not be read: Tesseract is not installed", 1, "missing")]


@pytest.mark.slow
def test_no_wrong_value_on_the_pictures_without_a_doubt_or_a_warning(pasted_run, reference_run):
    """Every appendix cell the OCR got wrong is either to be read by eye or named by a warning."""
    silent = silent_errors(reference_run.frames["indicators"], pasted_run)
    assert silent.empty, silent.to_string()


def test_the_app_shows_the_values_to_read_by_eye_first_with_their_crop(drawn_run):
    """The smudged cell's finding heads the report page, under its own heading, with the cell's picture."""
    import httpx
    from serving import running_server

    with running_server(drawn_run.out_dir.parent) as base:
        page = httpx.get(f"{base}/reports/{drawn_run.report_id}", headers={"accept-language": "zh-CN"}).text
    assert page.index("需人工核读的数值") < page.index("需要核查")
    section = page[page.index('id="by-eye"'):page.index("需要核查")]
    assert section.count('class="finding unreadable"') == drawn_run.manifest["read_by_eye"]["findings"] >= 1
    assert "/images/" in section  # the crop of the cell, to read by eye
