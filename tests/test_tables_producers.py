"""Stage 3 on pages other producers draw: HTML printed by headless Chromium and by WeasyPrint. Both draw a
border-collapse table's rules as one piece per cell (Chromium as thin filled bars, WeasyPrint as
lines), a box's border as a stroked rectangle or a painted ring, and split a box over a page break
with its sides open. The tables and texts asserted here are the ones printed (rendered and looked at)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import extract_all

PRODUCERS = ["chromium", "weasyprint"]

STYLE = """@page { size: A4; margin: 20mm; }
body { font-family: "Noto Serif CJK SC"; font-size: 10.5pt; }
p { margin: 0 0 8pt 0; }"""

THREE_LINES = """table { border-top: 1.5pt solid black; border-bottom: 1.5pt solid black; }
th { border-bottom: 0.75pt solid black; }"""
# double rules at the top and bottom, a dashed rule under the header (Chromium draws the dashes as curves)
DOUBLE_AND_DASHED = """table { border-top: 3pt double black; border-bottom: 3pt double black; }
th { border-bottom: 1pt dashed black; }"""
RULES = {"three-line": (THREE_LINES, "rules"), "double-and-dashed": (DOUBLE_AND_DASHED, "rules"), "no-rules": ("", "text")}
APPENDIX_TABLE = """<p>附表3 教学资源表</p>
<p style="text-align:center">表3 教学资源表</p>
<style>
table { border-collapse: collapse; width: 100%; }
th, td { padding: 2pt 4pt; text-align: center; }
td.name { text-align: left; width: 45%; }
</style>
<table>
<thead><tr><th>序号</th><th>指标</th><th>单位</th><th>2023年</th><th>2024年</th></tr></thead>
<tbody>
<tr><td>1</td><td class="name">生师比</td><td>:</td><td>12.30</td><td>13.10</td></tr>
<tr><td rowspan="2">2</td><td class="name">“双师型”教师比例</td><td>%</td><td>-</td><td>80.90</td></tr>
<tr><td class="name">其中：高级“双师型”教师比例</td><td>%</td><td>-</td><td>32.00</td></tr>
<tr><td>3</td><td class="name">高级专业技术职务专任教师比例（含兼职教师中具有高级专业技术职务的人员）</td><td>%</td><td>32.81</td><td>15.50</td></tr>
<tr><td rowspan="8">5</td><td class="name" rowspan="2">教学计划内课程总数</td><td>门</td><td>3077</td><td>2531</td></tr>
<tr><td>学时</td><td>282633</td><td>265677</td></tr>
<tr><td class="name" rowspan="2">其中：课证融通课程数</td><td>门</td><td>108</td><td>45</td></tr>
<tr><td>学时</td><td>8640</td><td>5058</td></tr>
<tr><td class="name" rowspan="2">网络教学课程数</td><td>门</td><td>422</td><td>-</td></tr>
<tr><td>学时</td><td>29376</td><td>-</td></tr>
<tr><td class="name" rowspan="2">校企合作课程数</td><td>门</td><td>2</td><td>5</td></tr>
<tr><td>学时</td><td>144</td><td>324</td></tr>
<tr><td rowspan="3">6</td><td class="name">专业教学资源库数</td><td>个</td><td>47</td><td>45</td></tr>
<tr><td class="name">其中：国家级数量</td><td>个</td><td>0</td><td>0</td></tr>
<tr><td class="name">接入国家智慧教育平台数</td><td>个</td><td>0</td><td>0</td></tr>
</tbody></table>
<p>注：数据来源于各校填报。</p>"""

BOXES = """<style>
body { font-size: 12pt; line-height: 1.6; }
p { margin: 0 0 6pt 0; text-indent: 2em; }
.box { border: 1pt solid #333; padding: 8pt; margin: 12pt 0; }
.band { border-top: 1.5pt solid #333; border-bottom: 1.5pt solid #333; padding: 8pt 0; margin: 12pt 0; }
.fill { background: #eef3fa; padding: 8pt; margin: 12pt 0; }
h3 { text-align: center; font-size: 12pt; margin: 0 0 6pt 0; }
</style>"""
SUBJECTS = ["该校深化产教融合", "学校持续推进三教改革", "学院积极开展社会培训", "该校注重学生职业素养",
            "学校完善实训基地建设", "学校推动国际交流合作", "该校加强师资队伍建设", "学校开展技能竞赛活动"]


def _paragraphs(first: int, count: int) -> str:
    """Paragraphs numbered from ``first`` (第N项), each with its own figures, so no two lines repeat."""
    return "".join(
        f"<p>{SUBJECTS[i % len(SUBJECTS)]}，第{i}项举措与区内{i + 3}家企业共建实训基地，近三年累计培养技术技能人才"
        f"{1000 + 37 * i}人，毕业生就业率保持在{90 + i % 9}%以上，企业满意度持续提升。</p>"
        for i in range(first, first + count)
    )


ONE_PAGE_OF_BOXES = (BOXES + _paragraphs(1, 2)
                     + f'<div class="box"><h3>案例1 产教融合共建实训基地</h3>{_paragraphs(3, 2)}</div>{_paragraphs(5, 1)}'
                     + f'<div class="band"><h3>案例2 校企合作订单培养</h3>{_paragraphs(6, 2)}</div>{_paragraphs(8, 1)}'
                     + f'<div class="fill"><h3>案例3 技能大赛成绩</h3>{_paragraphs(9, 1)}</div>')
BOXES_OVER_PAGE_BREAKS = (BOXES + _paragraphs(1, 9)
                          + f'<div class="box"><h3>案例4 跨页的边框案例</h3>{_paragraphs(10, 8)}</div>{_paragraphs(18, 1)}'
                          + f'<div class="band"><h3>案例5 跨页的上下线案例</h3>{_paragraphs(19, 12)}</div><p>结束。</p>')


def _print(html: str, producer: str, out: Path) -> Path:
    page = out.with_suffix(".html")
    page.write_text(f'<!doctype html><html><head><meta charset="utf-8"><style>{STYLE}</style></head>'
                    f"<body>{html}</body></html>", encoding="utf-8")
    if producer == "weasyprint":
        import weasyprint

        weasyprint.HTML(str(page)).write_pdf(str(out))
        return out
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("headless Chromium is not installed")
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={out.parent / 'chromium-profile'}", "--no-pdf-header-footer",
                    f"--print-to-pdf={out}", page.as_uri()], check=True, capture_output=True, timeout=120)
    return out


@pytest.fixture(scope="session")
def printed(tmp_path_factory):
    """Each document printed by each producer once per session, then read by the stages."""
    folder = tmp_path_factory.mktemp("producers")
    cache: dict[tuple[str, str], object] = {}

    def read(name: str, html: str, producer: str):
        if (name, producer) not in cache:
            cache[name, producer] = extract_all(_print(html, producer, folder / f"{name}-{producer}.pdf"))
        return cache[name, producer]

    return read


@pytest.mark.parametrize("producer", PRODUCERS)
@pytest.mark.parametrize("rules", list(RULES))
def test_appendix_table_drawn_as_three_line_table_or_without_rules(printed, producer, rules):
    """A 三线表 whose rules are one piece per cell (solid, or double and dashed), and the same table
    printed without any rule."""
    style, kind = RULES[rules]
    got = printed(f"appendix-{rules}", APPENDIX_TABLE + f"<style>{style}</style>", producer)
    [t] = got.tables.tables
    assert (t.table_id, t.kind, t.n_rows, t.n_cols) == ("附表3", kind, 16, 5)
    grid = t.grid()
    assert grid[0] == ["序号", "指标", "单位", "2023年", "2024年"]
    assert grid[1] == ["1", "生师比", ":", "12.30", "13.10"]
    assert grid[3] == ["2", "其中：高级“双师型”教师比例", "%", "-", "32.00"]
    # an indicator name wrapped over two lines is one cell of one row
    assert grid[4] == ["3", "高级专业技术职务专任教师比例（含兼职教师中具有高级专业技术职务的人员）", "%", "32.81", "15.50"]
    assert [row[2:] for row in grid[5:13]] == [["门", "3077", "2531"], ["学时", "282633", "265677"], ["门", "108", "45"],
                                               ["学时", "8640", "5058"], ["门", "422", "-"], ["学时", "29376", "-"],
                                               ["门", "2", "5"], ["学时", "144", "324"]]
    # labels centred beside the rows they cover are cells spanning them
    serials = {c.text: (c.row, c.rowspan) for c in t.cells if c.col == 0}
    assert serials == {"序号": (0, 1), "1": (1, 1), "2": (2, 2), "3": (4, 1), "5": (5, 8), "6": (13, 3)}
    names = {c.text: (c.row, c.rowspan) for c in t.cells if c.col == 1 and c.rowspan > 1}
    assert names == {"教学计划内课程总数": (5, 2), "其中：课证融通课程数": (7, 2), "网络教学课程数": (9, 2), "校企合作课程数": (11, 2)}
    assert grid[15] == ["6", "接入国家智慧教育平台数", "个", "0", "0"]
    assert "注：数据来源于各校填报。" not in {c.text for c in t.cells}


@pytest.mark.parametrize("producer", PRODUCERS)
def test_boxes_of_every_shape_are_frames_not_tables(printed, producer):
    got = printed("boxes", ONE_PAGE_OF_BOXES, producer)
    assert got.tables.tables == []
    frames = sorted(got.tables.frames, key=lambda f: f.bbox[1])
    assert len(frames) == 3
    border, band, fill = frames
    assert border.kind in ("box", "filled")  # Chromium strokes one rectangle, WeasyPrint paints a ring
    assert (band.kind, fill.kind) == ("band", "filled")
    cases = {c.case_no: c for c in got.cases.cases}
    assert "第3项举措" in cases[1].text and "第4项举措" in cases[1].text and "第5项举措" not in cases[1].text
    assert "第7项举措" in cases[2].text and "第8项举措" not in cases[2].text
    assert "第9项举措" in cases[3].text


@pytest.mark.parametrize("producer", PRODUCERS)
def test_boxes_running_over_a_page_break_are_found_on_both_pages(printed, producer):
    got = printed("boxes-over-pages", BOXES_OVER_PAGE_BREAKS, producer)
    assert got.tables.tables == []
    cases = {c.case_no: c for c in got.cases.cases}
    bordered, banded = cases[4], cases[5]
    assert bordered.page_end == bordered.page_start + 1 and banded.page_end == banded.page_start + 1
    assert "第10项举措" in bordered.text and "第17项举措" in bordered.text and "第18项举措" not in bordered.text
    assert "第19项举措" in banded.text and "第30项举措" in banded.text and "结束" not in banded.text
    kinds = {(f.page, f.kind) for f in got.tables.frames}
    assert {(bordered.page_start, "box"), (bordered.page_end, "box"), (banded.page_start, "band"), (banded.page_end, "band")} <= kinds
