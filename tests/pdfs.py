"""Small PDFs built by the tests themselves (reportlab, the Adobe-GB1 CID font STSong-Light).

Each builder draws a real layout the pipeline must handle; the tests then
read it back through the whole stage, not through these helpers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
WIDTH, HEIGHT = A4


@dataclass
class Span:
    """A cell covering rows [row, row+rowspan) and columns [col, col+colspan)."""

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1


def grid_spans(rows: list[list[str]]) -> list[Span]:
    return [Span(r, c, text) for r, row in enumerate(rows) for c, text in enumerate(row)]


def draw_lattice(c: canvas.Canvas, x: float, top: float, widths: list[float], row_h: float, spans: list[Span], size: float = 10) -> float:
    """Fully ruled table; ``top`` is from the top of the page. Returns the table's bottom (from top)."""
    lefts = [x + sum(widths[:i]) for i in range(len(widths) + 1)]
    c.setLineWidth(0.5)
    c.setFont(FONT, size)
    bottom = top
    for s in spans:
        x0, x1 = lefts[s.col], lefts[s.col + s.colspan]
        t, b = top + s.row * row_h, top + (s.row + s.rowspan) * row_h
        c.rect(x0, HEIGHT - b, x1 - x0, b - t, stroke=1, fill=0)
        c.drawString(x0 + 3, HEIGHT - (t + b) / 2 - size / 3, s.text)
        bottom = max(bottom, b)
    return bottom


def draw_open_table(c: canvas.Canvas, x: float, top: float, widths: list[float], row_h: float, rows: list[list[str]], size: float = 10) -> float:
    """三线表: a rule above the header, one under it, one under the last row; no vertical rules."""
    total = sum(widths)
    c.setFont(FONT, size)
    for r, row in enumerate(rows):
        for col, text in enumerate(row):
            c.drawString(x + sum(widths[:col]) + 3, HEIGHT - (top + r * row_h + row_h / 2) - size / 3, text)
    bottom = top + len(rows) * row_h
    for y, width in ((top, 1.2), (top + row_h, 0.6), (bottom, 1.2)):
        c.setLineWidth(width)
        c.line(x, HEIGHT - y, x + total, HEIGHT - y)
    return bottom


def text(c: canvas.Canvas, x: float, top: float, value: str, size: float = 12) -> None:
    c.setFont(FONT, size)
    c.drawString(x, HEIGHT - top - size, value)


def page_number(c: canvas.Canvas, n: int) -> None:
    c.setFont(FONT, 9)
    c.drawCentredString(WIDTH / 2, 30, str(n))


def three_line_table(path: Path) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4)
    text(c, 90, 80, "在校生规模保持稳定，专任教师数量增加。")
    text(c, 200, 120, "表1 近两年办学基本情况", size=11)
    rows = [["项目", "2023年", "2024年"], ["在校生数", "1,200", "1,350"], ["专任教师数", "90", "95"], ["生师比", "13.3", "14.2"]]
    draw_open_table(c, 90, 145, [200, 110, 110], 22, rows)
    text(c, 90, 260, "以上数据来自学校统计报表。")
    page_number(c, 1)
    c.save()
    return path


APPENDIX6_ROWS = [
    ("1", "全日制在校生人数", "人", "12,206", "12,001"),
    ("2", "年生均财政拨款水平", "元", "10,661.00", "10,598.00"),
    ("3", "年财政专项经费", "万元", "10,878.00", "11,974.00"),
    ("4", "教职员工额定编制数", "人", "1,294", "1,320"),
    ("4", "教职工总数", "人", "1,100", "1,045"),
    ("4", "其中：专任教师总数", "人", "990", "917"),
    ("4", "思政课教师数", "人", "76", "66"),
    ("4", "体育课专任教师数", "人", "70", "61"),
    ("4", "美育课专任教师数", "人", "81", "53"),
    ("4", "班主任人数", "人", "374", "368"),
    ("5", "参加国家学生体质健康标准测试人数", "人", "10,175", "10,441"),
    ("5", "其中：学生体质测评合格率", "%", "89.79", "94.81"),
    ("6", "职业技能等级证书（含职业资格证书）获取人数", "人", "2,049", "2,605"),
    ("7", "企业提供的校内实践教学设备值", "万元", "30", "30.00"),
    ("8", "与企业共建开放型区域产教融合实践中心数量", "个", "1", "1"),
    ("9", "聘请行业导师人数", "人", "66", "61"),
    ("9", "其中：聘请大国工匠、劳动模范人数", "人", "4", "2"),
    ("9", "行业导师年课时总量", "课时", "4,022", "3,703"),
    ("9", "年支付行业导师课酬", "万元", "94.14", "56.92"),
    ("10", "年实习专项经费", "万元", "464.26", "112.90"),
    ("10", "其中：年实习责任保险经费", "万元", "15.41", "9.45"),
]
APPENDIX6_HEADER = ["序号", "指标", "计量单位", "2023", "2024"]
APPENDIX6_WIDTHS = [35, 255, 50, 70, 70]


def split_appendix_table(path: Path, first_page_rows: int = 16, rows=APPENDIX6_ROWS, header=APPENDIX6_HEADER) -> Path:
    """附表6 in another district's style (计量单位, years without 年, thousands separators),
    continued on the next page with its header repeated; 序号 cells merged within each page.
    ``rows`` and ``header`` draw another edition of the table (other values or years)."""
    c = canvas.Canvas(str(path), pagesize=A4)
    text(c, 90, 60, "附表 6 落实政策表", size=16)
    text(c, 230, 95, "表6 落实政策表", size=12)
    parts = [rows[:first_page_rows], rows[first_page_rows:]]
    top = 125
    for n, part in enumerate(parts, start=1):
        if n > 1:
            c.showPage()
            top = 60
        spans = [Span(0, i, h) for i, h in enumerate(header)]
        r = 0
        while r < len(part):
            serial = part[r][0]
            run = 1
            while r + run < len(part) and part[r + run][0] == serial:
                run += 1
            spans.append(Span(r + 1, 0, serial, rowspan=run))
            for k in range(run):
                for col in range(1, 5):
                    spans.append(Span(r + 1 + k, col, part[r + k][col]))
            r += run
        bottom = draw_lattice(c, 70, top, APPENDIX6_WIDTHS, 22 if n == 1 else 20, spans)
        assert bottom < HEIGHT - 40, "table must fit its page"
        page_number(c, n)
    c.save()
    return path


SCHOOLS = ["上海市甲乙职业技术学校", "上海市丙丁服务学校"]


def merged_cells_table(path: Path) -> Path:
    """A school name spanning three rows and a header spanning two columns."""
    c = canvas.Canvas(str(path), pagesize=A4)
    text(c, 180, 80, "图表 3 学校优质专业立项", size=11)
    spans = [
        Span(0, 0, "学校名称"), Span(0, 1, "专业", colspan=2),
        Span(1, 0, SCHOOLS[0], rowspan=3), Span(1, 1, "1"), Span(1, 2, "机电技术应用"),
        Span(2, 1, "2"), Span(2, 2, "物流服务与管理"),
        Span(3, 1, "3"), Span(3, 2, "航空服务"),
        Span(4, 0, SCHOOLS[1]), Span(4, 1, "4"), Span(4, 2, "幼儿保育"),
    ]
    draw_lattice(c, 90, 105, [200, 40, 170], 22, spans)
    page_number(c, 1)
    c.save()
    return path


def fake_bold_heading(path: Path) -> Path:
    """A heading drawn twice, 0.4 pt apart (how Word and WPS fake bold for fonts without a bold face)."""
    c = canvas.Canvas(str(path), pagesize=A4)
    for dx in (0, 0.4):
        c.setFont(FONT, 16)
        c.drawString(90 + dx, HEIGHT - 100, "1 人才培养")
    text(c, 90, 120, "2024年，6所中职学校在校生共计12001人。")
    c.save()
    return path


def narrative(path: Path, paragraphs: list[str]) -> Path:
    """Plain body text, one paragraph per entry, wrapped at 36 characters with a first-line indent."""
    c = canvas.Canvas(str(path), pagesize=A4)
    top = 80
    for paragraph in paragraphs:
        rest, first = paragraph, True
        while rest:
            width = 34 if first else 36
            text(c, 90 + (24 if first else 0), top, rest[:width])
            rest, first, top = rest[width:], False, top + 20
        top += 6
    page_number(c, 1)
    c.save()
    return path
