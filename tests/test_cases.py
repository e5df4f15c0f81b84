"""Stage 5: case studies."""

import pytest

TITLES = [
    "贯彻全面发展理念，培养学生综合素养", "推进市级优质专业建设，打造浦东职业教育品牌", "深化内涵建设, 推动课程教学改革",
    "落实培养培训制度，构建高质量教学团队", "专创融合，激发学生创新创业潜力", "以赛促教、以赛促学，技能大赛摘金夺银",
    "整合优质资源，倾力开展对口帮扶", "对接区域产业，优化专业布局", "综合服务，促进行业人力资源提升",
    "开展公益服务，助力人民城市建设", "发挥中职职能，传承优秀文化", "完善中外合作机制，培养高质量技术技能人才",
    "深化产教融合，提升职业教育适应性",
]


def test_thirteen_cases_with_titles(reference):
    cases = reference.cases.cases
    assert [c.case_no for c in cases] == list(range(1, 14))
    assert [c.title for c in cases] == TITLES


def test_case_placement_and_pages(reference):
    c1, c13 = reference.cases.cases[0], reference.cases.cases[12]
    assert (c1.chapter, c1.section, c1.page_start, c1.page_end) == ("1 人才培养", "1.2 立德树人", 10, 11)
    assert (c13.chapter, c13.section, c13.page_start, c13.page_end) == ("5 产教融合", "5.3 校企合作模式", 40, 41)


def test_case_text_is_the_box_content_only(reference):
    c1 = reference.cases.cases[0]
    assert c1.text.startswith("上海第二工业大学附属浦东振华外经职业技术学校2024年荣获上海市学生运动会男子跳高银牌")
    assert c1.text.endswith("第十二届全国职业院校日语情景剧大赛团体二等奖等。")
    assert "艺术节闭幕式" not in c1.text  # photo caption under the box's photo
    assert c1.text.count("\n") == 2  # three paragraphs


def test_schools_are_official_names(reference):
    by_no = {c.case_no: c for c in reference.cases.cases}
    assert by_no[1].schools == ["上海第二工业大学附属浦东振华外经职业技术学校", "上海海事大学附属职业技术学校", "上海市航空服务学校"]
    # written "(上海市临港科技学校)" with ASCII brackets in the text
    assert by_no[9].schools[0] == "上海电机学院附属科技学校（上海市临港科技学校）"


def test_short_forms_map_through_the_school_table():
    from pipeline.schools import SchoolDirectory

    schools = SchoolDirectory.from_names(
        ["上海第二工业大学附属浦东振华外经职业技术学校", "上海市群星职业技术学校", "上海海事大学附属职业技术学校",
         "上海电机学院附属科技学校（上海市临港科技学校）"])
    text = "上海市临港科技学校、海大职校的“数智物流”、群星职校的“融媒”；上海第二工业大学附属振华外经职业技术学校与金桥镇"
    assert schools.find(text) == [
        "上海电机学院附属科技学校（上海市临港科技学校）", "上海海事大学附属职业技术学校", "上海市群星职业技术学校",
        "上海第二工业大学附属浦东振华外经职业技术学校"]
    # a short form without a school word (临港科技) is not taken: 航空服务 is also a major's name
    assert schools.find("临港科技的“芯智制造开放实训中心”") == []
    assert schools.find("各中职学校积极开展职业学校建设") == []


def test_case_headings_written_other_ways(tmp_path):
    import pdfs
    from conftest import extract_all

    got = extract_all(pdfs.case_headings(tmp_path / "cases.pdf"))
    cases = {c.case_no: c for c in got.cases.cases}
    assert sorted(cases) == [1, 2, 3, 4]
    assert [cases[n].title for n in (1, 2, 3, 4)] == ["课程思政进课堂", "产教融合实训基地", "技能大赛成绩突出", "社区培训"]
    assert cases[1].text == "某职业学校开设思政选修课12门。全年覆盖学生3000人次。"  # ends at heading 1.2
    assert cases[3].text == "学生获一等奖4项。"  # ends at the caption
    assert cases[4].text == "面向社区开展培训20期。"  # ends at the table
    assert [(c.page_start, c.page_end) for c in got.cases.cases] == [(1, 1), (1, 1), (2, 2), (2, 2)]


@pytest.mark.xfail(strict=True, reason="a box drawn as four separate lines is not a frame yet (table stage)")
def test_case_in_a_box_of_four_lines(tmp_path):
    import pdfs
    from conftest import extract_all

    got = extract_all(pdfs.case_headings(tmp_path / "cases.pdf"))
    case = next(c for c in got.cases.cases if c.case_no == 2)
    assert case.text == "与企业共建实训基地2个。年培训员工800人次。"  # the box's content only
