"""Stage 3: tables on the reference report, on PDFs built here, and on real Chinese ruled tables."""

import pdfs
import pytest
from conftest import extract_all, table


def test_every_ruled_table_of_the_reference(reference):
    ids = [t.table_id for t in reference.tables.tables]
    assert ids == ["图表2", "图表5", "图表13", "附表1", "附表2", "附表3", "附表4", "附表5", "附表6"]
    assert all(t.crosscheck.startswith("agree") for t in reference.tables.tables)


def test_merged_school_type_applies_to_each_row(reference):
    t = table(reference, "图表2")
    grid = t.grid()
    assert [row[0] for row in grid[2:8]] == ["中职"] * 6
    assert grid[7][1] == "6 上海电机学院附属科技学校（上海市临港科技学校）"  # wrapped cell joined
    merged = t.cell_at(2, 0)
    assert (merged.rowspan, merged.colspan, merged.page) == (6, 1, 7)


def test_figure5_lists_seven_majors_across_five_schools(reference):
    grid = table(reference, "图表5").grid()
    body = grid[1:]
    majors = [row[3] for row in body]
    assert majors == ["微电子技术与器件制造", "机电技术应用", "物流服务与管理", "航空服务", "飞机设备维修", "动漫与游戏制作", "幼儿保育"]
    assert len({row[1] for row in body}) == 5
    assert body[2][1] == "上海海事大学附属职业技术学校"  # the school spans two majors


def test_appendix3_joined_across_pages_without_repeated_header(reference):
    t = table(reference, "附表3")
    assert t.pages == [51, 52] and t.n_rows == 47
    grid = t.grid()
    assert sum(1 for row in grid if row[1] == "指标") == 1
    assert grid[38][1:] == ["编写教材数", "本", "33", "42"]
    assert t.cell_at(38, 1).page == 52 and t.cell_at(37, 1).page == 51


def test_case_boxes_are_frames_not_tables(reference):
    frame_pages = {f.page for f in reference.tables.frames}
    assert {10, 11, 12, 13, 40, 41} <= frame_pages
    assert not any(t.pages[0] == 10 for t in reference.tables.tables)


def test_camelot_runs_only_where_rules_cross_like_a_table(reference):
    from pipeline.tables import has_lattice

    table_pages = {n for t in reference.tables.tables for n in t.pages}
    frame_pages = {f.page for f in reference.tables.frames} - table_pages
    pages = {p.number: p for p in reference.doc.pages}
    assert len(frame_pages) >= 13
    assert not any(has_lattice(pages[n], 3.0) for n in frame_pages)  # each box is drawn twice, 0.5 pt apart
    assert all(has_lattice(pages[n], 3.0) for n in table_pages)


def test_three_line_table_built_here(tmp_path):
    got = extract_all(pdfs.three_line_table(tmp_path / "t3.pdf"))
    [t] = got.tables.tables
    assert (t.table_id, t.kind, t.caption) == ("表1", "rules", "表1 近两年办学基本情况")
    assert t.grid() == [["项目", "2023年", "2024年"], ["在校生数", "1,200", "1,350"], ["专任教师数", "90", "95"],
                        ["生师比", "13.3", "14.2"]]


def test_table_split_across_two_pages_built_here(tmp_path):
    got = extract_all(pdfs.split_appendix_table(tmp_path / "split.pdf"))
    [t] = got.tables.tables
    assert t.table_id == "附表6" and t.pages == [1, 2]
    assert t.n_rows == 1 + len(pdfs.APPENDIX6_ROWS)
    grid = t.grid()
    assert [row[1] for row in grid[1:]] == [r[1] for r in pdfs.APPENDIX6_ROWS]
    assert grid[17][0] == "9" and t.cell_at(17, 0).page == 2


def test_merged_cells_built_here(tmp_path):
    got = extract_all(pdfs.merged_cells_table(tmp_path / "merged.pdf"))
    [t] = got.tables.tables
    grid = t.grid()
    assert grid[0] == ["学校名称", "专业", "专业"]
    assert [row[0] for row in grid[1:]] == [pdfs.SCHOOLS[0]] * 3 + [pdfs.SCHOOLS[1]]
    assert t.cell_at(0, 1).colspan == 2 and t.cell_at(1, 0).rowspan == 3


# ------------------------------------------------------------------ real Chinese ruled tables
# Values checked by looking at the rendered pages.

def _cjk(corpus, name):
    path = corpus / name
    if not path.exists():
        pytest.skip(f"{name} not in the corpus")
    return extract_all(path)


def _rows(t):
    return [[x.replace(" ", "") for x in row] for row in t.grid()]


def test_bond_prospectus_tables(corpus):
    got = _cjk(corpus, "pymupdf__PyMuPDF/chinese-tables.pdf")
    assert [t.table_id for t in got.tables.tables] == ["表7-1", "表7-2"]
    ratings = _rows(got.tables.tables[0])
    assert ratings[1] == ["2023", "AA+", "偿还债务的能力很强，受不利经济环境的影响不大，违约风险很低",
                          "中诚信国际信用评级有限责任公司、联合资信评估有限公司", "稳定"]
    credit = _rows(got.tables.tables[1])
    assert credit[2] == ["2", "徽商银行南京中山北路支行", "330,435.30", "256,735.30", "73,700.00"]
    assert credit[-1][1:] == ["上海银行盐城分行", "46,265.00", "46,265.00", "0.00"]


def test_final_accounts_landscape_table_over_two_pages(corpus):
    got = _cjk(corpus, "zxj6827111-blip__GOV/上海市普陀区财政局2024年度部门决算.pdf")
    t = next(t for t in got.tables.tables if t.caption == "收入决算表")
    assert t.pages == [8, 9] and t.n_cols == 11
    rows = _rows(t)
    assert ["201", "06", "01", "行政运行", "1,511.90", "1,511.89", "", "", "", "", "0.01"] in rows
    header = t.cell_at(0, 0)
    assert (header.text, header.colspan) == ("项目", 4)


def test_budget_table_over_four_pages_with_repeated_header(corpus):
    got = _cjk(corpus, "zxj6827111-blip__GovBudgetChecker/上海市普陀区人民政府万里街道办事处24年预算.pdf")
    t = next(t for t in got.tables.tables if t.pages == [11, 12, 13, 14])
    assert t.caption == "2024年部门收入预算总表"
    rows = _rows(t)
    assert sum(1 for c in t.cells if c.text == "功能分类科目名称") == 1
    assert ["201", "05", "07", "专项普查活动", "257,700", "257,700", "0", "0", "0"] in rows


def test_information_disclosure_report_section_rows(corpus):
    got = _cjk(corpus, "zxj6827111-blip__KIROGOVCOMPARE/hzq2023_working.pdf")
    t = got.tables.tables[0]
    assert t.pages == [2] and (t.n_rows, t.n_cols) == (8, 4)
    assert "disagree" in t.crosscheck  # pdfplumber splits the shaded section rows; camelot's grid is kept
    rows = _rows(t)
    assert rows[3] == ["行政规范性文件", "0", "5", "5"]
    licence = t.cell_at(6, 1)
    assert (licence.text, licence.colspan) == ("550", 3)
