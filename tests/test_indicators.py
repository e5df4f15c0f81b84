"""Stage 4: the six appendix tables in long form."""

import pandas as pd
import pdfplumber
import pdfs
from conftest import REFERENCE, extract_all

from pipeline.indicators import COLUMNS


def _value(frame, table_no, indicator, year, unit=None, **extra):
    rows = frame[(frame.table_no == table_no) & (frame.indicator == indicator) & (frame.year == year)]
    if unit:
        rows = rows[rows.unit == unit]
    for key, want in extra.items():
        rows = rows[rows[key] == want]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_values_named_in_the_issue(reference):
    f = reference.indicators.frame
    assert _value(f, 6, "专任教师总数", 2023).value == 990
    assert _value(f, 6, "专任教师总数", 2024).value == 917
    assert _value(f, 3, "高级专业技术职务专任教师比例", 2023).value == 32.81
    row = _value(f, 3, "高级专业技术职务专任教师比例", 2024)
    assert (row.value, row.value_raw, row.unit, row.page) == (15.50, "15.50", "%", 51)
    sat = _value(f, 2, "应届毕业生满意度", 2024)
    assert (sat.value, sat.survey_count, sat.survey_method, sat.parent_indicator) == (96.80, 832, "网络问卷、随访", "毕业生满意度")


def test_every_table_and_row_count(reference):
    f = reference.indicators.frame
    assert list(f.columns[: len(COLUMNS)]) == COLUMNS
    rows_per_table = f[f.year == 2024].groupby("table_no").size().to_dict()
    assert rows_per_table == {1: 12, 2: 12, 3: 46, 4: 18, 5: 14, 6: 21}
    assert set(f.year) == {2023, 2024}
    assert reference.indicators.issues == []


def test_platform_rows_keep_distinct_parents(reference):
    f = reference.indicators.frame
    rows = f[(f.table_no == 3) & (f.indicator == "接入国家智慧教育平台数") & (f.year == 2024)]
    assert list(zip(rows.serial, rows.parent_indicator, rows.value)) == [
        ("6", "国家级数量", 0), ("6", "省级数量", 10), ("6", "校级数量", 0),
        ("7", "国家级数量", 1), ("7", "省级数量", 5), ("7", "校级数量", 10),
        ("8", "国家级数量", 0), ("8", "省级数量", 0), ("8", "校级数量", 0),
        ("9", "新形态教材数", 3),
    ]
    level = _value(f, 3, "省级数量", 2024, serial="6")
    assert level.parent_indicator == "专业教学资源库数"


def test_hours_row_keeps_the_indicator_name(reference):
    f = reference.indicators.frame
    courses = _value(f, 3, "在线精品课程数", 2024, unit="门")
    hours = _value(f, 3, "在线精品课程数", 2024, unit="学时")
    assert (courses.value, hours.value, hours.row_seq - courses.row_seq) == (31, 1726, 1)
    sub = _value(f, 3, "课证融通课程数", 2023, unit="学时")
    assert (sub.value, sub.parent_indicator) == (8640, "教学计划内课程总数")


def test_dash_is_empty_and_raw_is_kept(reference):
    f = reference.indicators.frame
    row = _value(f, 3, "网络教学课程数", 2024, unit="门")
    assert row.value_raw == "-" and row.value != row.value  # NaN
    assert _value(f, 1, "月收入", 2024).value_raw == "4174.00"
    assert _value(f, 3, "生师比", 2024).unit == ":"


def test_qizhong_prefix_and_parents(reference):
    f = reference.indicators.frame
    assert not f.indicator.str.startswith("其中").any()
    assert _value(f, 4, "A类：留在当地就业人数", 2024).parent_indicator == "毕业生初次就业人数"
    assert _value(f, 6, "学生体质测评合格率", 2024).parent_indicator == "参加国家学生体质健康标准测试人数"
    assert _value(f, 6, "行业导师年课时总量", 2024).parent_indicator == ""
    assert _value(f, 6, "班主任人数", 2024).serial == "5"  # as printed in this report


def test_indicators_match_pdfplumber_cell_for_cell(reference):
    """Every row and value against pdfplumber's own table text (an independent reading)."""
    f = reference.indicators.frame
    with pdfplumber.open(REFERENCE) as pdf:
        for table_no, pages in {1: [49], 2: [50], 3: [51, 52], 4: [53], 5: [54], 6: [55]}.items():
            rows = []
            for n in pages:
                extracted = pdf.pages[n - 1].extract_tables()[0]
                rows += [r for r in extracted if r[1] != "指标"]  # header (repeated on p52)
            mine = f[f.table_no == table_no]
            assert mine.row_seq.max() == len(rows)
            for r in mine.itertuples():
                theirs = rows[r.row_seq - 1]
                name = (theirs[1] or rows[r.row_seq - 2][1]).replace("\n", "").removeprefix("其中：")
                assert r.indicator == name
                assert r.unit == theirs[2]
                assert r.value_raw == theirs[3 if r.year == 2023 else 4]


def test_another_districts_style_parses(tmp_path):
    """计量单位 header, years without 年, thousands separators, a table split over two pages."""
    got = extract_all(pdfs.split_appendix_table(tmp_path / "split.pdf"))
    f = got.indicators.frame
    assert len(f) == 2 * len(pdfs.APPENDIX6_ROWS)
    assert _value(f, 6, "全日制在校生人数", 2023).value == 12206
    assert _value(f, 6, "年生均财政拨款水平", 2024).value == 10598
    late = _value(f, 6, "聘请大国工匠、劳动模范人数", 2024)
    assert (late.page, late.parent_indicator, late.value) == (2, "聘请行业导师人数", 2)
    missing = [i.message for i in got.indicators.issues]
    assert len(missing) == 5 and all("not found" in m for m in missing)


def test_tables_found_by_kind_with_the_reports_own_numbers(tmp_path):
    """国际影响表 printed as 附表4, 服务贡献表 as 附表5, a 计分卡 with no number: each is found by what it prints."""
    got = extract_all(pdfs.renumbered_appendix_tables(tmp_path / "renumbered.pdf"))
    f = got.indicators.frame
    kinds = f.drop_duplicates("table_kind")[["table_kind", "table_no", "page"]].values.tolist()
    assert [[k, None if pd.isna(n) else int(n), p] for k, n, p in kinds] == [
        ["计分卡", None, 3], ["服务贡献表", 5, 2], ["国际影响表", 4, 1]]
    # parents come from the template of the table's kind, whatever its number
    assert _value(f, 4, "专业标准数量", 2024).parent_indicator == "标准数量"
    assert _value(f, 4, "课程标准数量", 2023).parent_indicator == "标准数量"
    assert _value(f, 5, "发明专利授权数量", 2024).parent_indicator == "专利授权数量"
    assert _value(f, 5, "A类：留在当地就业人数", 2024).value == 530
    # a row the template does not list is kept, with its serial
    extra = f[(f.indicator == "境外合作办学项目数") & (f.year == 2024)].iloc[0]
    assert (extra.table_kind, extra.serial, extra.value) == ("国际影响表", "4", 3)
    # ％ is canonicalised; the printed form is kept
    rate = f[(f.indicator == "毕业生本省去向落实率") & (f.year == 2024)].iloc[0]
    assert (rate.unit, rate.unit_raw, rate.value) == ("%", "％", 96.10)


def test_absent_template_indicators_are_warnings(tmp_path):
    got = extract_all(pdfs.renumbered_appendix_tables(tmp_path / "renumbered.pdf"))
    missing = [i.message for i in got.indicators.issues if i.level == "missing"]
    # one line per table, naming every indicator of the template it lacks
    by_table = {m.split(":")[0]: m for m in missing if "not in the table" in m}
    assert sorted(by_table) == ["国际影响表 (附表4, p.1)", "服务贡献表 (附表5, p.2)", "计分卡 (p.3)"]
    assert "'中外合作办学专业数' (个)" in by_table["国际影响表 (附表4, p.1)"]
    assert "'非学历培训到账经费' (万元)" in by_table["服务贡献表 (附表5, p.2)"]
    assert "'月收入' (元)" in by_table["计分卡 (p.3)"]
    assert not any("'标准数量'" in m or "'毕业生人数'" in m for m in missing)
    assert sum("not found; its indicators are missing" in m for m in missing) == 3  # 满意度, 教学资源, 落实政策


def test_unknown_row_is_listed_in_validation(tmp_path):
    from pipeline.writers.frames import indicators_frame
    from schemas import validate

    got = extract_all(pdfs.renumbered_appendix_tables(tmp_path / "renumbered.pdf"))
    rows = validate({"indicators": indicators_frame(got.indicators)})
    unknown = rows[rows["check"] == "indicator_in_template"]
    assert len(unknown) == 2  # 境外合作办学项目数, one row per year column
