"""Another district's report on the same template, drawn by reportlab for the audit tests.

江苏省江南市滨江区, six 中职 schools and one 高职 (written 六所 and 1 所), a school table whose 类型
column abbreviates (国重点), a body table of 优质专业, full-width ％, 留在本省就业, a case headed 案例一,
and appendix tables headed 指标名称/计量单位/2023年度/2024年度 with 服务贡献表 printed as 附表5. Its numbers
differ from the reference's; the verdicts each sentence should get are worked out by hand in
tests/test_reconcile_district.py from the values below.
"""

from __future__ import annotations

from pathlib import Path

from pdfs import A4, DISTRICT_HEADER, Span, _appendix_page, canvas, draw_lattice, page_number, paragraphs, text

TITLE = "滨江区中等职业教育质量年度报告（2024年度）"

SCHOOLS = [  # (group, serial name, 类型)
    ("高职", "1 江南滨江职业技术学院", "新型职业院校"),
    ("中职", "1 江南市滨江中等专业学校", "国重点、市优质"),
    ("中职", "2 江南市群星职业技术学校", ""),
    ("中职", "3 江南市滨江外事服务学校", "国重点、国示范"),
    ("中职", "4 江南市航空服务学校", "国重点"),
    ("中职", "5 江南海事职业技术学校", ""),
    ("中职", "6 江南工学院附属科技学校", "市特色示范"),
]
MAJORS = [  # (serial, school, n, 市级优质专业名称); a school's rows merged
    ("一", "江南市滨江中等专业学校", "1", "幼儿保育"),
    ("二", "江南市航空服务学校", "2", "航空服务"),
    ("二", "江南市航空服务学校", "3", "飞机设备维修"),
    ("三", "江南市群星职业技术学校", "4", "动漫与游戏制作"),
    ("四", "江南海事职业技术学校", "5", "物流服务与管理"),
]

PAGE1 = [
    "办学规模。近年来，滨江区中职学校在校生保持在1.2万人左右，2024年六所区属中职学校在校生共计11876人。",
    "学校布局。2024年，滨江区教育局主管高等职业学校1所、中等职业学校六所。六所中职学校中，三所为国家级重点中职学校，"
    "江南市滨江外事服务学校为国家中职改革发展示范校。",
    "全区共有7所中职学校参加了年度评估。区属六所中职学校中，3所中职学校开设了航空类专业。",
]
PAGE2 = [
    "2024年，六所中职学校校均班主任数60人，校均体育课专任教师数11人。各校校均美育课专任教师数9人。",
    "目前，滨江区六所中职学校共有5个市优质专业。江南市航空服务学校的航空服务、飞机设备维修两个市级优质专业成效明显。"
    "江南市群星职业技术学校有两个市级优质专业。",
]
PAGE3 = [
    "江南市滨江中等专业学校重点发展智能制造、数字商贸、现代服务3个专业群；《智能制造基础》《数字商贸实务》《现代服务礼仪》"
    "2本教材入选省级规划教材。该校构建匠心、启航、筑梦和致远四大教师团队。",
    "2024年，毕业生就业率为98.00％，其中升学的比例为78.00％，直接就业比例20.00％。",
    "2024年，滨江区六所中职学校直接就业学生中，70.5％进入中小微企业就业，20.5％进入大型企业就业，9.0％进入其他单位就业。"
    "直接就业学生中有88.17％留在本省就业。",
    "在全省技能大赛中，学生获奖20项，包括一等奖5项、二等奖8项、三等奖9项。",
    "各中职学校依托专业开展非学历职业培训项目41个，近45000学时。",
]
CASE = ["江南市航空服务学校与航空企业共建实训基地，该校航空服务、飞机设备维修两个专业入选市级优质专业。"]

SCORECARD = [
    ("1", "毕业生人数", "人", "950", "1000"),
    ("2", "毕业去向落实人数", "人", "920", "980"),
    ("2", "其中：升学人数", "人", "700", "780"),
    ("3", "毕业生本省去向落实率", "％", "95.20", "98.00"),
    ("4", "毕业生面向三次产业就业人数", "人", "220", "200"),
    ("4", "其中：面向第一产业就业人数", "人", "0", "0"),
    ("4", "面向第二产业就业人数", "人", "70", "60"),
    ("4", "面向第三产业就业人数", "人", "150", "140"),
]
SERVICE = [
    ("1", "毕业生初次就业人数", "人", "220", "198"),
    ("1", "其中：A类：留在当地就业人数", "人", "200", "185"),
    ("1", "B类：到西部和东北地区就业人数", "人", "0", "1"),
    ("1", "C类：到中小微企业就业人数", "人", "150", "141"),
    ("1", "D类：到大型企业就业人数", "人", "50", "41"),
    ("2", "非学历培训项目数", "项", "40", "41"),
    ("2", "非学历培训学时", "学时", "36000", "38000"),
]
POLICY = [
    ("1", "全日制在校生人数", "人", "12000", "11876"),
    ("2", "教职工总数", "人", "1000", "985"),
    ("2", "其中：专任教师总数", "人", "900", "880"),
    ("2", "体育课专任教师数", "人", "70", "58"),
    ("2", "美育课专任教师数", "人", "60", "54"),
    ("2", "班主任人数", "人", "350", "360"),
]


def _school_table(c: canvas.Canvas, top: float) -> float:
    text(c, 200, top, "图表 2 滨江区教育局主管职业院校布局", size=11)
    spans = [Span(0, 0, "学校名称", colspan=2), Span(0, 2, "类型"), Span(1, 0, "高职"), Span(2, 0, "中职", rowspan=6)]
    for r, (_, name, kind) in enumerate(SCHOOLS, start=1):
        spans += [Span(r, 1, name), Span(r, 2, kind)]
    return draw_lattice(c, 90, top + 22, [50, 230, 140], 20, spans)


def _majors_table(c: canvas.Canvas, top: float) -> float:
    text(c, 200, top, "图表 5 滨江区中等职业学校优质专业立项", size=11)
    spans = [Span(0, 0, "学校名称", colspan=2), Span(0, 2, "市级优质专业名称", colspan=2)]
    r = 1
    while r <= len(MAJORS):
        serial, school = MAJORS[r - 1][:2]
        run = sum(1 for m in MAJORS if m[1] == school)
        spans += [Span(r, 0, serial, rowspan=run), Span(r, 1, school, rowspan=run)]
        for k in range(run):
            spans += [Span(r + k, 2, MAJORS[r - 1 + k][2]), Span(r + k, 3, MAJORS[r - 1 + k][3])]
        r += run
    return draw_lattice(c, 90, top + 22, [30, 220, 30, 140], 20, spans)


def district_report(path: Path) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4)
    text(c, 120, 60, TITLE, size=16)
    top = paragraphs(c, 100, PAGE1)
    _school_table(c, top + 10)
    page_number(c, 1)
    c.showPage()
    top = paragraphs(c, 70, PAGE2)
    _majors_table(c, top + 10)
    page_number(c, 2)
    c.showPage()
    paragraphs(c, 70, PAGE3)
    page_number(c, 3)
    c.showPage()
    text(c, 90, 70, "案例一 深化产教融合", size=13)
    paragraphs(c, 100, CASE)
    page_number(c, 4)
    c.showPage()
    for n, (heading, caption, rows) in enumerate([("附表 1 人才培养质量计分卡", "表1 人才培养质量计分卡", SCORECARD),
                                                   ("附表 5 服务贡献表", "表5 服务贡献表", SERVICE),
                                                   ("附表 6 落实政策表", "表6 落实政策表", POLICY)], start=5):
        _appendix_page(c, heading, caption, rows, header=DISTRICT_HEADER)
        page_number(c, n)
        c.showPage()
    c.save()
    return path




def school_level_report(path: Path) -> Path:
    """A 中职 report that never states its number of schools: a 校均 figure divides by the school table's
    中职 rows (three), not by all its rows (one 高职 and three 中职)."""
    c = canvas.Canvas(str(path), pagesize=A4)
    text(c, 120, 60, TITLE, size=16)
    top = paragraphs(c, 100, ["2024年，各中职学校校均班主任数20人。"])
    text(c, 200, top + 10, "图表 1 滨江区职业院校", size=11)
    spans = [Span(0, 0, "学校名称", colspan=2), Span(0, 2, "类型"), Span(1, 0, "高职"), Span(2, 0, "中职", rowspan=3)]
    for r, (_, name, kind) in enumerate(SCHOOLS[:4], start=1):
        spans += [Span(r, 1, name), Span(r, 2, kind)]
    draw_lattice(c, 90, top + 32, [50, 230, 140], 20, spans)
    page_number(c, 1)
    c.showPage()
    _appendix_page(c, "附表 6 落实政策表", "表6 落实政策表", [("1", "班主任人数", "人", "64", "60")], header=DISTRICT_HEADER)
    page_number(c, 2)
    c.save()
    return path
