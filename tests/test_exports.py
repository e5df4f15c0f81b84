"""Exports, opened with openpyxl: the report workbook (the appendix tables as printed, findings coloured by verdict
with their review), every report's indicators wide, the diff, the app's export routes, and no text ever a formula.

Expected values are read off the rendered pages: the reference prints on PDF page 49 (附表1, printed 44)
毕业生人数 3913 (2023年) and 3552 (2024年), 毕业生本省去向落实率 89.30 and 97.92, 月收入 4642 and 4174.00, and
"-" for 毕业三年晋升比例 in 2024, with 序号 2 spanning three rows; on page 50 (附表2) 在校生满意度 88.43, 90.09,
调查人次 3993, 调查方式 全国统一网上调查, 序号 1 spanning six rows, and "-" for 教职工满意度; on page 55 (附表6)
年实习专项经费 464.26 and 112.90 万元. Page 13 (printed 8) says 在线精品课程数31门 … 课均学生137人, and 附表3 on
page 51 prints 在线精品课程数 31 门 and 在线精品课程课均学生数 817 for 2024. The serve_output fixture draws
district-2024's 附表6 with the reference's values (2023, 2024) and district-2025's with 2024 and 2025
columns, restating 年实习专项经费 2024 as 1,129.00 and printing 120.00 for 2025.
"""

import csv
import io
import zipfile

import httpx
import openpyxl
import pandas as pd
import pytest
from conftest import run_cli
from serving import copy_output, running_server

from pipeline.writers.review import record_review
from pipeline.writers.sheets import CHANGE_FILLS, VERDICT_FILLS
from pipeline.writers.workbook import Number, Sheet, sheet_name, workbook_bytes

REPORT = "pudong-2024"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
APPENDIX_SHEETS = ["附表1 人才培养质量计分卡", "附表2 满意度调查表", "附表3 教学资源表", "附表4 服务贡献表", "附表5 国际影响表",
                   "附表6 落实政策表"]


@pytest.fixture(scope="module")
def out(serve_output, tmp_path_factory):
    """A copy of the session's output with one review whose note looks like a formula."""
    out = copy_output(serve_output, tmp_path_factory.mktemp("exports"))
    record_review(out / REPORT, course_finding_id(out), "dismissed", "=1+1")
    return out


def course_finding_id(out) -> str:
    """The mismatch of 课均学生137人 (page 13) against 附表3's 817."""
    with (out / REPORT / "findings.csv").open(encoding="utf-8") as fh:
        return next(r["finding_id"] for r in csv.DictReader(fh)
                    if "课均学生137人" in r["claim_text"] and r["indicator"] == "在线精品课程课均学生数")


@pytest.fixture(scope="module")
def report_book(out):
    result = run_cli("export", "report", REPORT, "--out", str(out), "--lang", "zh")
    assert result.exit_code == 0, result.output
    path = out / "exports" / f"{REPORT}.xlsx"
    assert f"已写出 {path}（11 个工作表）" in result.output  # --lang zh: said in Chinese
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def site(out):
    with running_server(out) as base:
        yield base


def rows_of(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def headed(ws, header_row: int = 1) -> list[dict]:
    """The rows under a header row, by the header's words."""
    rows = rows_of(ws)
    return [dict(zip(rows[header_row - 1], row)) for row in rows[header_row:]]


def fill(cell) -> str:
    return cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type == "solid" else ""


# ---------------------------------------------------------------- one report's workbook


def test_report_workbook_has_a_sheet_per_appendix_table_then_findings_sections_and_cases(report_book):
    assert report_book.sheetnames == ["说明", *APPENDIX_SHEETS, "核对结果", "图例", "章节", "案例"]


def test_appendix_table_sheet_holds_the_printed_rows_and_columns_as_numbers(report_book):
    ws = report_book["附表1 人才培养质量计分卡"]
    assert [c.value for c in ws[1]] == ["序号", "指标", "单位", "2023年", "2024年"]
    assert [c.value for c in ws[2]] == [1, "毕业生人数", "人", 3913, 3552]
    assert ws["D2"].data_type == "n" and ws["E2"].data_type == "n"
    assert "A3:A5" in {str(r) for r in ws.merged_cells.ranges}  # 序号 2 over 毕业去向落实人数, 升学人数, 升入本科人数
    assert ws["A3"].value == 2
    assert (ws["B6"].value, ws["D6"].value, ws["E6"].value) == ("毕业生本省去向落实率", 89.3, 97.92)
    assert ws["D6"].number_format == "0.00"  # shown as printed: 89.30
    assert (ws["B7"].value, ws["D7"].value, ws["E7"].value, ws["E7"].number_format) == ("月收入", 4642, 4174, "0.00")
    assert (ws["B13"].value, ws["E13"].value, ws["E13"].data_type) == ("毕业三年晋升比例", "-", "s")


def test_survey_table_keeps_its_survey_columns_and_merged_serials(report_book):
    ws = report_book["附表2 满意度调查表"]
    assert [c.value for c in ws[1]] == ["序号", "指标", "单位", "2023年", "2024年", "调查人次", "调查方式"]
    assert [c.value for c in ws[2]][1:] == ["在校生满意度", "%", 88.43, 90.09, 3993, "全国统一网上调查"]
    assert "A2:A7" in {str(r) for r in ws.merged_cells.ranges}
    staff = next(row for row in rows_of(ws) if row[1] == "教职工满意度")
    assert staff[3:5] == ["-", "-"]
    policy = next(row for row in rows_of(report_book["附表6 落实政策表"]) if row[1] == "年实习专项经费")
    assert policy[2:] == ["万元", 464.26, 112.9]


def test_findings_are_coloured_by_verdict_with_their_review(report_book):
    ws = report_book["核对结果"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["核对结论", "核对类型", "页码", "正文（或表内核对）"] and "审核状态" in header and "审核备注" in header
    col = {name: n for n, name in enumerate(header)}
    by_indicator = {}
    for row in ws.iter_rows(min_row=2):
        if "课均学生137人" in (row[col["正文（或表内核对）"]].value or ""):
            by_indicator[row[col["指标"]].value] = row
    mismatch, match = by_indicator["在线精品课程课均学生数"], by_indicator["在线精品课程数"]
    assert mismatch[col["核对结论"]].value == "不一致"
    assert mismatch[col["表中数值"]].value == 817
    assert mismatch[col["页码"]].value == "第8页（PDF第13页）"
    assert mismatch[col["审核状态"]].value == "已排除"
    assert mismatch[col["计算过程"]].value == "正文 137人，对照 附表3 在线精品课程课均学生数 (人/门) 2024 = 817"
    assert {fill(c) for c in mismatch} == {VERDICT_FILLS["mismatch"]} == {"FFC7CE"}
    assert match[col["核对结论"]].value == "一致" and match[col["表中数值"]].value == 31
    assert {fill(c) for c in match} == {VERDICT_FILLS["match"]}
    legend = {row[0].value: row for row in report_book["图例"].iter_rows(min_row=2)}
    assert legend["mismatch"][1].value == "不一致" and fill(legend["mismatch"][1]) == "FFC7CE"


def test_a_note_that_looks_like_a_formula_stays_text(report_book, out):
    ws = report_book["核对结果"]
    header = [c.value for c in ws[1]]
    notes = [row[header.index("审核备注")] for row in ws.iter_rows(min_row=2) if row[header.index("审核备注")].value]
    assert [(c.value, c.data_type, c.quotePrefix) for c in notes] == [("=1+1", "s", True)]
    with zipfile.ZipFile(out / "exports" / f"{REPORT}.xlsx") as book:
        sheets = [name for name in book.namelist() if name.startswith("xl/worksheets/")]
        assert not any(b"<f>" in book.read(name) for name in sheets)  # no formula anywhere


def test_report_workbook_in_english(out):
    result = run_cli("export", "report", REPORT, "--out", str(out), "--lang", "en", "--to", str(out / "en.xlsx"))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out / "en.xlsx")
    assert book.sheetnames[:2] == ["About", "Table 1 人才培养质量计分卡"] and "Findings" in book.sheetnames
    header = [c.value for c in book["Findings"][1]]
    assert header[:2] == ["verdict", "check"]
    assert "mismatch" in {row[0] for row in book["Findings"].iter_rows(min_row=2, values_only=True)}


def test_export_of_an_unknown_report_says_so(out):
    result = run_cli("export", "report", "no-such-report", "--out", str(out))
    assert result.exit_code == 2 and "no-such-report" in result.output


# ---------------------------------------------------------------- many reports, and a diff


def test_cli_indicators_wide_has_a_column_per_report_and_year(out):
    result = run_cli("export", "indicators", "--out", str(out), "--lang", "zh")
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out / "exports" / "indicators.xlsx")["指标宽表"]
    check_wide(ws)


def check_wide(ws):
    rows = rows_of(ws)
    top, periods = rows[0], rows[1]
    assert top[:4] == ["表类型", "上级指标", "指标", "单位"]
    columns = {(top[c] or _merged_left(top, c), periods[c]) for c in range(4, len(top))}
    assert {("district-2024", "2023"), ("district-2024", "2024"), ("district-2025", "2024"), ("district-2025", "2025"),
            ("pudong-2024", "2023"), ("pudong-2024", "2024")} <= columns
    internship = [row for row in rows[2:] if row[2] == "年实习专项经费"]
    assert len(internship) == 1
    row = internship[0]
    cells = {(top[c] or _merged_left(top, c), periods[c]): row[c] for c in range(4, len(top))}
    assert row[:4] == ["落实政策表", None, "年实习专项经费", "万元"]
    assert cells[("district-2024", "2023")] == 464.26 and cells[("district-2024", "2024")] == 112.9
    assert cells[("district-2025", "2024")] == 1129 and cells[("district-2025", "2025")] == 120
    assert cells[("pudong-2024", "2023")] == 464.26 and cells[("pudong-2024", "2024")] == 112.9
    graduates = next(r for r in rows[2:] if r[2] == "毕业生人数")
    graduates_cells = {(top[c] or _merged_left(top, c), periods[c]): graduates[c] for c in range(4, len(top))}
    assert graduates_cells[("pudong-2024", "2023")] == 3913  # only the reference has 附表1
    assert graduates_cells[("district-2024", "2023")] is None


def test_cli_indicators_as_csv_of_the_reports_named(out, tmp_path):
    path = tmp_path / "wide.csv"
    result = run_cli("export", "indicators", "district-2024", "district-2025", "--out", str(out), "--to", str(path))
    assert result.exit_code == 0, result.output
    wide = pd.read_csv(path, keep_default_na=False)
    assert list(wide.columns) == ["table_kind", "parent_indicator", "indicator", "unit", "occurrence", "district-2024 2023",
                                  "district-2024 2024", "district-2025 2024", "district-2025 2025"]
    row = wide[wide.indicator == "年实习专项经费"].iloc[0]
    assert (row["district-2024 2023"], row["district-2024 2024"], row["district-2025 2024"]) == (464.26, 112.9, 1129)


def test_cli_export_of_a_damaged_report_says_so_and_writes_nothing(out, tmp_path):
    import shutil

    folder = tmp_path / "district-2024"
    shutil.copytree(out / "district-2024", folder)
    (folder / "indicators.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    result = run_cli("export", "indicators", str(folder), "--to", str(tmp_path / "wide.xlsx"))
    assert result.exit_code == 1 and "error: nothing written" in result.output and "indicators.csv" in result.output
    assert not (tmp_path / "wide.xlsx").exists()


def _merged_left(row: list, c: int):
    """A merged header cell's value is in its first cell."""
    while c > 0 and row[c] is None:
        c -= 1
    return row[c]


def test_cli_diff_workbook_lists_the_restated_cell_coloured(out):
    result = run_cli("export", "diff", "district-2024", "district-2025", "--out", str(out), "--lang", "zh")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out / "exports" / "district-2024--district-2025.xlsx")
    check_diff(book)


def check_diff(book):
    assert book.sheetnames == ["差异", "图例", "说明"]
    ws = book["差异"]
    rows = headed(ws)
    assert [(r["变化"], r["指标"], r["年份列"], r["A印刷值"], r["B印刷值"], r["差值（B−A）"]) for r in rows] == [
        ("重述", "年实习专项经费", "2024", 112.9, 1129, 1016.1)]
    assert ws["H2"].number_format == "0.00" and ws["I2"].number_format == "#,##0.00"  # 112.90 and 1,129.00
    assert {fill(c) for c in ws[2]} == {CHANGE_FILLS["restated"]}


# ---------------------------------------------------------------- the app's routes


def download(base: str, path: str, kind: str) -> httpx.Response:
    response = httpx.get(base + path, timeout=120)
    assert response.status_code == 200, (path, response.text[:300])
    assert response.headers["content-type"].startswith(kind)
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return response


def test_app_report_workbook_and_findings_exports(site):
    book = openpyxl.load_workbook(io.BytesIO(download(site, f"/export/reports/{REPORT}/report.xlsx", XLSX).content))
    assert book.sheetnames[1:7] == APPENDIX_SHEETS
    assert book["附表1 人才培养质量计分卡"]["D2"].value == 3913
    english = openpyxl.load_workbook(io.BytesIO(download(site, f"/export/reports/{REPORT}/findings.xlsx?lang=en", XLSX).content))
    assert english.sheetnames == ["Findings", "Legend"]
    text = download(site, f"/export/reports/{REPORT}/findings.csv", "text/csv").content.decode("utf-8")
    findings = list(csv.DictReader(io.StringIO(text)))
    reviewed = [f for f in findings if f["review_status"]]
    assert [(f["review_status"], f["review_note"], f["indicator"]) for f in reviewed] == [
        ("dismissed", "'=1+1", "在线精品课程课均学生数")]  # findings.csv's guard: a spreadsheet shows =1+1 as text
    indicators = pd.read_csv(io.BytesIO(download(site, f"/export/reports/{REPORT}/indicators.csv", "text/csv").content))
    first = indicators[(indicators.indicator == "毕业生人数") & (indicators.year == 2023)]
    assert first["value"].tolist() == [3913]


def test_app_reports_list_exports_indicators_wide(site):
    check_wide(openpyxl.load_workbook(io.BytesIO(download(site, "/export/indicators.xlsx", XLSX).content))["指标宽表"])
    wide = pd.read_csv(io.BytesIO(download(site, "/export/indicators.csv", "text/csv").content))
    row = wide[wide.indicator == "年实习专项经费"].iloc[0]
    assert (row["district-2024 2023"], row["district-2025 2024"], row["district-2025 2025"]) == (464.26, 1129, 120)


def test_app_compare_exports_the_diff(site):
    check_diff(openpyxl.load_workbook(io.BytesIO(download(site, "/export/diff.xlsx?a=district-2024&b=district-2025", XLSX).content)))
    text = download(site, "/export/diff.csv?a=district-2024&b=district-2025", "text/csv").content.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["kind"], r["indicator"], r["year"], r["value_raw_a"], r["value_raw_b"], r["delta"]) for r in rows] == [
        ("restated", "年实习专项经费", "2024", "112.90", "1,129.00", "1016.1")]


def test_app_findings_of_every_report_filtered(site):
    text = download(site, f"/export/findings.csv?verdict=mismatch&report={REPORT}", "text/csv").content.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {(r["report_id"], r["verdict"]) for r in rows} == {(REPORT, "mismatch")}
    assert "在线精品课程课均学生数" in {r["indicator"] for r in rows}
    book = openpyxl.load_workbook(io.BytesIO(download(site, "/export/findings.xlsx?status=dismissed", XLSX).content))
    assert [r["指标"] for r in headed(book["核对结果"])] == ["在线精品课程课均学生数"]


def test_pages_link_to_their_exports(site):
    assert f'href="/export/reports/{REPORT}/report.xlsx?lang=zh"' in httpx.get(f"{site}/reports/{REPORT}").text
    assert 'href="/export/indicators.xlsx?lang=zh"' in httpx.get(f"{site}/").text
    page = httpx.get(f"{site}/compare?a=district-2024&b=district-2025").text
    assert 'href="/export/diff.xlsx?a=district-2024&amp;b=district-2025&amp;lang=zh"' in page


@pytest.mark.parametrize("path, status", [
    ("/export/reports/no-such-report/report.xlsx", 404),
    ("/export/reports/..%2F..%2Fetc/report.xlsx", 404),
    (f"/export/reports/{REPORT}/findings.pdf", 404),
    ("/export/indicators.json", 404),
    ("/export/diff.xlsx?a=district-2024", 422),
    ("/export/diff.csv?a=district-2024&b=no-such-report", 404),
])
def test_app_refuses_what_it_cannot_export(site, path, status):
    assert httpx.get(site + path).status_code == status


# ---------------------------------------------------------------- the writer


def test_no_text_is_ever_a_formula_and_numbers_stay_numbers():
    texts = ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "\tx", "=HYPERLINK(\"http://x\")"]
    data = workbook_bytes([Sheet("t", [["h"], *([t] for t in texts), [Number(3.5, "0.00")], [-4], ["ctrl\x01x"]])])
    ws = openpyxl.load_workbook(io.BytesIO(data))["t"]
    assert [(ws.cell(row=n + 2, column=1).value, ws.cell(row=n + 2, column=1).data_type) for n in range(len(texts))] == [
        (t, "s") for t in texts]
    assert all(ws.cell(row=n + 2, column=1).quotePrefix for n in range(len(texts)))
    assert (ws["A8"].value, ws["A8"].data_type, ws["A8"].number_format) == (3.5, "n", "0.00")
    assert (ws["A9"].value, ws["A9"].data_type) == (-4, "n")
    assert ws["A10"].value == "ctrl\ufffdx"


def test_sheet_names_excel_accepts():
    taken: set[str] = set()
    assert sheet_name("a/b:c*d?[e]", taken) == "a b c d  e"
    long = "附表3 " + "很长的标题" * 10
    first, second = sheet_name(long, taken), sheet_name(long, taken)
    assert len(first) == len(second) == 31 and first != second and second.endswith(" (2)")


def test_an_appendix_table_whose_grid_is_not_among_the_files_is_laid_out_from_its_indicators(out):
    from pipeline.words import words
    from pipeline.writers.frames import read_published
    from pipeline.writers.sheets import appendix_sheets

    indicators = read_published(out / REPORT / "indicators.csv")
    sheets = appendix_sheets(indicators, pd.DataFrame(), pd.DataFrame(), words("zh"))
    assert [s.title for s in sheets] == APPENDIX_SHEETS
    first = sheets[0].rows
    assert first[0] == ["序号", "指标", "单位", "2023", "2024"]
    assert [first[1][1], first[1][3].value, first[1][4].value] == ["毕业生人数", 3913, 3552]


def test_a_merge_that_would_hide_a_value_is_not_made():
    sheet = Sheet("m", [["a", "b"], [None, "kept"], ["c", None]], merges=[(0, 0, 2, 1), (1, 1, 1, 1), (0, 1, 2, 1), (2, 0, 1, 2)])
    ws = openpyxl.load_workbook(io.BytesIO(workbook_bytes([sheet])))["m"]
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:A2", "A3:B3"}
    assert ws["B2"].value == "kept"
