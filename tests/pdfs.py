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


def draw_open_table(c: canvas.Canvas, x: float, top: float, widths: list[float], row_h: float, rows: list[list[str]],
                    size: float = 10) -> float:
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


# Appendix tables as another district numbers and heads them: 国际影响表 is 附表4 and 服务贡献表 附表5 (the
# national template has them the other way round), 指标名称/计量单位/2023年度 headers, a full-width ％, a row
# the template does not list, and a 计分卡 printed under its title alone, without a number.
INTERNATIONAL_ROWS = [
    ("1", "开发并被国外采用的职业教育标准、资源、装备数量", "个", "5", "7"),
    ("1", "其中：标准数量", "个", "3", "4"),
    ("1", "专业标准数量", "个", "1", "1"),
    ("1", "课程标准数量", "个", "2", "2"),
    ("1", "资源数量", "个", "1", "2"),
    ("1", "装备数量", "个", "1", "1"),
    ("2", "接收国外留学生专业数", "个", "0", "1"),
    ("3", "接收国外留学生人数", "人", "0", "12"),
    ("4", "境外合作办学项目数", "个", "2", "3"),
]
SERVICE_ROWS = [
    ("1", "毕业生初次就业人数", "人", "600", "620"),
    ("1", "其中：A类：留在当地就业人数", "人", "500", "530"),
    ("1", "B类：到西部和东北地区就业人数", "人", "10", "12"),
    ("1", "C类：到中小微企业就业人数", "人", "400", "410"),
    ("1", "D类：到大型企业就业人数", "人", "150", "160"),
    ("2", "知识产权项目数量", "项", "10", "12"),
    ("2", "其中：专利授权数量", "项", "6", "8"),
    ("2", "发明专利授权数量", "项", "1", "2"),
]
SCORECARD_ROWS = [
    ("1", "毕业生人数", "人", "900", "950"),
    ("2", "毕业去向落实人数", "人", "860", "915"),
    ("3", "毕业生本省去向落实率", "％", "95.20", "96.10"),
]
DISTRICT_HEADER = ["序号", "指标名称", "计量单位", "2023年度", "2024年度"]


def _appendix_page(c: canvas.Canvas, heading: str, caption: str, rows, header=DISTRICT_HEADER) -> None:
    text(c, 90, 60, heading, size=16)
    if caption:
        text(c, 230, 95, caption, size=12)
    spans = [Span(0, i, h) for i, h in enumerate(header)]
    r = 0
    while r < len(rows):
        run = 1
        while r + run < len(rows) and rows[r + run][0] == rows[r][0]:
            run += 1
        spans.append(Span(r + 1, 0, rows[r][0], rowspan=run))
        for k in range(run):
            for col in range(1, 5):
                spans.append(Span(r + 1 + k, col, rows[r + k][col]))
        r += run
    draw_lattice(c, 70, 125, APPENDIX6_WIDTHS, 22, spans)


def renumbered_appendix_tables(path: Path) -> Path:
    """附表4 国际影响表, 附表5 服务贡献表, then a 人才培养质量计分卡 without a number, one page each."""
    c = canvas.Canvas(str(path), pagesize=A4)
    _appendix_page(c, "附表 4 国际影响表", "表4 国际影响表", INTERNATIONAL_ROWS)
    page_number(c, 1)
    c.showPage()
    _appendix_page(c, "附表 5 服务贡献表", "表5 服务贡献表", SERVICE_ROWS)
    page_number(c, 2)
    c.showPage()
    _appendix_page(c, "人才培养质量计分卡", "", SCORECARD_ROWS)
    page_number(c, 3)
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


def paragraphs(c: canvas.Canvas, top: float, texts: list[str]) -> float:
    """Body text from ``top`` down, one paragraph per entry, wrapped at 36 characters with a first-line
    indent; returns where the text ends (from the top of the page)."""
    for paragraph in texts:
        rest, first = paragraph, True
        while rest:
            width = 34 if first else 36
            text(c, 90 + (24 if first else 0), top, rest[:width])
            rest, first, top = rest[width:], False, top + 20
        top += 6
    return top


def narrative(path: Path, texts: list[str]) -> Path:
    """Plain body text, one paragraph per entry, wrapped at 36 characters with a first-line indent."""
    c = canvas.Canvas(str(path), pagesize=A4)
    paragraphs(c, 80, texts)
    page_number(c, 1)
    c.save()
    return path


def case_headings(path: Path) -> Path:
    """Case studies headed four other ways, none in a filled box: 案例一 (unboxed, ends at the next heading),
    【案例2】 over a box drawn as four separate lines, 案例3 with its title on the next line (unboxed, ends at
    a caption), 案例 4：title (unboxed, ends at a ruled table)."""
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont(FONT, 16)
    c.drawString(90, HEIGHT - 76, "1.1 立德树人")
    text(c, 90, 100, "案例一 课程思政进课堂", size=13)
    text(c, 114, 124, "某职业学校开设思政选修课12门。")
    text(c, 90, 148, "全年覆盖学生3000人次。")
    c.setFont(FONT, 16)
    c.drawString(90, HEIGHT - 190, "1.2 专业建设")
    text(c, 114, 214, "区内学校新增专业5个。")
    # a box of four lines, not a rectangle
    c.setLineWidth(0.8)
    for x0, y0, x1, y1 in ((80, 240, 520, 240), (80, 330, 520, 330), (80, 240, 80, 330), (520, 240, 520, 330)):
        c.line(x0, HEIGHT - y0, x1, HEIGHT - y1)
    text(c, 90, 250, "【案例2】产教融合实训基地", size=13)
    text(c, 114, 276, "与企业共建实训基地2个。")
    text(c, 90, 300, "年培训员工800人次。")
    text(c, 114, 350, "框外的正文不属于案例。")
    page_number(c, 1)
    c.showPage()
    text(c, 90, 60, "案例3", size=13)
    text(c, 90, 82, "技能大赛成绩突出", size=13)
    text(c, 114, 108, "学生获一等奖4项。")
    text(c, 230, 140, "图表3 技能大赛获奖情况", size=11)
    text(c, 114, 170, "图表之后的正文不属于案例。")
    text(c, 90, 210, "案例 4：社区培训", size=13)
    text(c, 114, 236, "面向社区开展培训20期。")
    draw_lattice(c, 90, 270, [120, 120], 20, grid_spans([["项目", "期数"], ["社区培训", "20"]]))
    text(c, 114, 340, "表格之后的正文不属于案例。")
    page_number(c, 2)
    c.save()
    return path


# ---------------------------------------------------------------- hostile and unusual files


def scanned_copy(src: Path, dst: Path, dpi: int = 300, pages: list[int] | None = None) -> Path:
    """An image-only PDF: each page rendered to a grayscale JPEG, as a scanner would make it."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(src))
    numbers = pages or list(range(1, len(pdf) + 1))
    images = [pdf[n - 1].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for n in numbers]
    pdf.close()
    images[0].save(dst, save_all=True, append_images=images[1:], resolution=dpi, quality=85)
    return dst


def encrypted_copy(src: Path, dst: Path, password: str) -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(str(src)))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-128")
    with dst.open("wb") as fh:
        writer.write(fh)
    return dst


def broken_xref_copy(src: Path, dst: Path) -> Path:
    """The cross-reference table's offsets and the startxref pointer overwritten with wrong numbers."""
    data = bytearray(src.read_bytes())
    xref = data.rindex(b"\nxref")
    start = data.index(b"\n", data.index(b"\n", xref + 1) + 1) + 1  # first entry, after "xref" and "0 N"
    end = data.index(b"trailer", start)
    for pos in range(start, end, 20):
        data[pos:pos + 10] = b"%010d" % (int(data[pos:pos + 10]) + 7)
    pointer = data.rindex(b"startxref") + len(b"startxref\n")
    digits = data.index(b"\n", pointer) - pointer
    data[pointer:pointer + digits] = str(xref // 2).rjust(digits).encode()
    dst.write_bytes(bytes(data))
    return dst


def truncated_copy(src: Path, dst: Path, share: float) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * share)])
    return dst


def without_tounicode(src: Path, dst: Path, pages: list[int]) -> Path:
    """Chosen pages of a PDF with embedded subset fonts, their /ToUnicode maps removed: the text layer
    becomes (cid:N) placeholders while the page still looks the same."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    reader = PdfReader(str(src))
    writer = PdfWriter()
    for n in pages:
        writer.add_page(reader.pages[n - 1])
    for page in writer.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            if NameObject("/ToUnicode") in font:
                del font[NameObject("/ToUnicode")]
    with dst.open("wb") as fh:
        writer.write(fh)
    return dst


def appendix_rows_pdf(path: Path, pagesize=A4, rotate: int = 0) -> Path:
    """The first rows of 附表6 on one page of any size (drawn at its bottom left). With ``rotate=90`` the
    page carries /Rotate 90 and its content is drawn turned back, so it reads upright on screen (how
    landscape pages are often stored)."""
    c = canvas.Canvas(str(path), pagesize=pagesize)
    if rotate == 90:
        c.setPageRotation(90)
        c.translate(pagesize[0], 0)
        c.rotate(90)  # now in the displayed page's coordinates: pagesize[1] wide, pagesize[0] high
        c.translate(0, pagesize[0] - HEIGHT)  # the helpers measure from the top of an A4 portrait page
    text(c, 90, 60, "附表 6 落实政策表", size=16)
    text(c, 230, 95, "表6 落实政策表", size=12)
    spans = [Span(0, i, h) for i, h in enumerate(APPENDIX6_HEADER)]
    for r, row in enumerate(APPENDIX6_ROWS[:8], start=1):
        spans += [Span(r, col, value) for col, value in enumerate(row)]
    draw_lattice(c, 70, 125, APPENDIX6_WIDTHS, 20, spans)
    c.save()
    return path


def invisible_text(c: canvas.Canvas, x: float, top: float, value: str, size: float = 12) -> None:
    """Text in render mode 3: laid out like any other, painted nowhere."""
    hidden = c.beginText(x, HEIGHT - top)
    hidden.setFont(FONT, size)
    hidden.setTextRenderMode(3)
    hidden.textLine(value)
    c.drawText(hidden)


def hygiene_page(path: Path) -> Path:
    """Visible text beside text a reader cannot see: render mode 3, white on white, outside the crop
    box, off the page; and white text on a dark table header, which a reader does see."""
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setCropBox((0, 0, WIDTH, HEIGHT - 60))
    text(c, 90, 100, "可见的正文")
    c.saveState()  # the render mode is graphics state: restored after the hidden line
    invisible_text(c, 90, 140, "隐藏的文字")
    c.restoreState()
    c.setFillColorRGB(1, 1, 1)
    text(c, 90, 160, "白色的文字")
    c.setFillColorRGB(0.1, 0.2, 0.5)
    c.rect(88, HEIGHT - 220, 200, 24, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    text(c, 90, 198, "深色表头上的白字")
    c.setFillColorRGB(0, 0, 0)
    text(c, 90, 20, "裁切框外的文字")
    text(c, -300, 300, "页面外的文字")
    text(c, 90, 240, "\u2f08\u2ea0\u2ed3\u671f\uf9b5")  # Kangxi 人, radical 民, radical 长, 期, compatibility 例
    c.save()
    return path


def invisible_ocr_layer(path: Path, scan: Path) -> Path:
    """A scanned page with its own OCR text layer drawn invisibly (render mode 3) over the image."""
    c = canvas.Canvas(str(path), pagesize=A4)
    c.drawImage(str(scan), 0, 0, WIDTH, HEIGHT)
    invisible_text(c, 90, 100, "扫描件自带的文字层")
    c.save()
    return path


def _raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF from numbered object bodies (object i+1 = objects[i]), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def many_pages(path: Path, count: int) -> Path:
    """``count`` pages sharing one small content stream."""
    first_page = 4
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(count))
    content = b"BT /F1 12 Tf 72 720 Td (page) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R /Resources << /Font << /F1 %d 0 R >> >> >>"
    font_number = first_page + count
    objects += [page % font_number] * count
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    path.write_bytes(_raw_pdf(objects))
    return path


def image_bomb(path: Path, side: int = 20000) -> Path:
    """One page showing a side x side 1-bit image whose Flate stream is tiny (a decompression bomb)."""
    import zlib

    packer = zlib.compressobj(9)
    row = bytes((side + 7) // 8)
    stream = b"".join(packer.compress(row * 1000) for _ in range(side // 1000)) + packer.flush()
    content = b"q 595 0 0 842 0 0 cm /Im1 Do Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 1 "
        b"/Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (side, side, len(stream), stream),
    ]
    path.write_bytes(_raw_pdf(objects))
    return path
