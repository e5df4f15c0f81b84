"""Text PDFs whose appendix tables are pictures, the way reports paste tables from the national data platform:
the caption and the 名称 line stay text, the table itself is a 200-dpi greyscale image.

Two tools make them, so the pipeline is not fitted to one producer's way of placing an image:

* ``pasted_by_pdfium``: the reference, edited with PDFium (pypdfium2): on each appendix page every object
  inside the table (its text and its rules) is removed and the table's picture inserted in its place;
* ``pasted_by_weasyprint``: the reference's pages before the appendix, then appendix pages printed by
  WeasyPrint from HTML (heading, caption and 名称 line as HTML text, the table as an ``<img>``, a JPEG).

The pictures are renders of the reference's own table regions (found from its vertical rules), so the
values in them are the reference's.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
from PIL import Image

# The reference's appendix: pages 49-55 (表3 runs over 51 and 52), read off the PDF by hand.
APPENDIX_PAGES = tuple(range(49, 56))
DPI = 200


def table_regions(src: Path, pages=APPENDIX_PAGES) -> dict[int, tuple[float, float, float, float]]:
    """page -> the ruled table's box (points, top-left origin): the extent of the page's vertical rules."""
    out = {}
    with pdfplumber.open(str(src)) as pdf:
        for number in pages:
            verticals = [e for e in pdf.pages[number - 1].edges if e["orientation"] == "v"]
            out[number] = (min(e["x0"] for e in verticals) - 1, min(e["top"] for e in verticals) - 1,
                           max(e["x1"] for e in verticals) + 1, max(e["bottom"] for e in verticals) + 1)
    return out


def table_picture(document: pdfium.PdfDocument, number: int, box) -> Image.Image:
    """The table region of a page rendered at DPI, greyscale."""
    page = document[number - 1]
    width, height = page.get_size()
    x0, top, x1, bottom = box
    scale = DPI / 72
    image = page.render(scale=scale, grayscale=True, crop=(x0, height - bottom, width - x1, top)).to_pil()
    page.close()
    return image.convert("L")


def pasted_by_pdfium(src: Path, dst: Path) -> Path:
    """The reference with each appendix table's objects replaced by its picture, at the same place."""
    regions = table_regions(src)
    document = pdfium.PdfDocument(str(src))
    pictures = {n: table_picture(document, n, box) for n, box in regions.items()}
    for number, (x0, top, x1, bottom) in regions.items():
        page = document[number - 1]
        height = page.get_height()
        inside = [obj for obj in page.get_objects(max_depth=1) if _within(obj.get_bounds(), (x0, height - bottom, x1, height - top))]
        for obj in inside:
            page.remove_obj(obj)
        image = pdfium.PdfImage.new(document)
        bitmap = pdfium.PdfBitmap.from_pil(pictures[number])
        image.set_bitmap(bitmap)
        image.set_matrix(pdfium.PdfMatrix().scale(x1 - x0, bottom - top).translate(x0, height - bottom))
        page.insert_obj(image)
        page.gen_content()
        page.close()
    document.save(str(dst))
    document.close()
    return dst


def _within(bounds, box, slack: float = 2.0) -> bool:
    left, bottom, right, top = bounds
    return left >= box[0] - slack and bottom >= box[1] - slack and right <= box[2] + slack and top <= box[3] + slack


def pasted_by_weasyprint(src: Path, dst: Path) -> Path:
    """The reference's pages before the appendix, then the appendix printed by WeasyPrint: each page's text
    above its table (heading, caption, 名称 line) as HTML, the table as a JPEG ``<img>`` of its width."""
    import pypdf
    from weasyprint import HTML

    regions = table_regions(src)
    document = pdfium.PdfDocument(str(src))
    blocks = []
    with pdfplumber.open(str(src)) as pdf:
        for number, box in regions.items():
            above = [line["text"] for line in pdf.pages[number - 1].extract_text_lines()
                     if 70 < line["top"] < box[1] - 2]  # below the running header, above the table
            picture = table_picture(document, number, box)
            buffer = io.BytesIO()
            picture.save(buffer, "JPEG", quality=85)
            name = f"table-{number}.jpg"
            (dst.parent / name).write_bytes(buffer.getvalue())
            blocks.append(_appendix_block(above, name, box[2] - box[0]))
    document.close()
    page_html = ("<html><head><meta charset='utf-8'><style>@page { size: A4; margin: 70pt 85pt; } "
                 "body { font-family: 'Noto Serif CJK SC', 'Noto Sans CJK SC', serif; font-size: 10.5pt; } "
                 "h2 { font-size: 15pt; margin: 0 0 14pt; } .caption { text-align: center; font-weight: bold; "
                 "margin: 0 0 8pt; } section { page-break-after: always; } img { display: block; }</style></head>"
                 f"<body>{''.join(blocks)}</body></html>")
    appendix = dst.with_suffix(".appendix.pdf")
    HTML(string=page_html, base_url=str(dst.parent)).write_pdf(str(appendix))
    writer = pypdf.PdfWriter()
    reader = pypdf.PdfReader(str(src))
    for page in reader.pages[:APPENDIX_PAGES[0] - 1]:
        writer.add_page(page)
    for page in pypdf.PdfReader(str(appendix)).pages:
        writer.add_page(page)
    with open(dst, "wb") as out:
        writer.write(out)
    return dst


def _appendix_block(above: list[str], picture: str, width_pt: float) -> str:
    lines = []
    for text in above:
        if text.startswith("附表"):
            lines.append(f"<h2>{html.escape(text)}</h2>")
        elif text.startswith("表"):
            lines.append(f"<p class='caption'>{html.escape(text)}</p>")
        else:
            lines.append(f"<p>{html.escape(text)}</p>")
    return f"<section>{''.join(lines)}<img src='{picture}' style='width: {width_pt:.1f}pt'></section>"


# ---------------------------------------------------------------- a table drawn by PIL, pasted by reportlab

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
DRAWN_HEADER = ["序号", "指标", "单位", "2023年", "2024年"]
DRAWN_WIDTHS = [45, 190, 50, 65, 65]  # points
ROW_HEIGHT = 20  # points


def drawn_table(rows: list[list[str]], smudged: set[tuple[int, int]] = frozenset(), dpi: int = DPI) -> Image.Image:
    """A ruled table drawn with PIL at ``dpi``, greyscale: a header row and ``rows`` (序号, 指标, 单位, 2023, 2024).
    A (row, column) of ``smudged`` (row 0 = the first of ``rows``) is drawn under a grey blot with a scratch across
    it, as a bad copy leaves a cell."""
    from PIL import ImageDraw, ImageFilter, ImageFont

    scale = dpi / 72
    widths = [round(w * scale) for w in DRAWN_WIDTHS]
    height = round(ROW_HEIGHT * scale)
    image = Image.new("L", (sum(widths) + 2, height * (len(rows) + 1) + 2), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(CJK_FONT, round(10.5 * scale))
    for r, row in enumerate([DRAWN_HEADER, *rows]):
        y = r * height
        for c, value in enumerate(row):
            x = sum(widths[:c])
            draw.rectangle((x, y, x + widths[c], y + height), outline=0, width=max(1, round(scale * 0.5)))
            left = x + 6 if c == 1 else x + (widths[c] - draw.textlength(value, font=font)) / 2
            draw.text((left, y + height * 0.18), value, fill=0, font=font)
            if (r - 1, c) in smudged:
                blot = Image.new("L", (widths[c] - 8, height - 8), 0)
                mask = Image.new("L", blot.size, 0)
                ImageDraw.Draw(mask).ellipse((0, 0, *blot.size), fill=150)
                image.paste(Image.new("L", blot.size, 110), (x + 4, y + 4), mask.filter(ImageFilter.GaussianBlur(6)))
                draw.line((x + 4, y + height * 0.7, x + widths[c] - 4, y + height * 0.3), fill=40, width=round(scale))
    return image


def drawn_appendix(path: Path, rows: list[list[str]], smudged: set[tuple[int, int]] = frozenset()) -> Path:
    """One appendix page by reportlab: heading, caption and 名称 line as text, the table a PIL picture under them."""
    import pdfs
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=pdfs.A4)
    pdfs.text(c, 90, 60, "附表1 人才培养质量计分卡", size=16)
    pdfs.text(c, 230, 95, "表1 人才培养质量计分卡", size=12)
    pdfs.text(c, 90, 120, "名称：某区(000000)", size=10.5)
    picture = drawn_table(rows, smudged)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    width, height = sum(DRAWN_WIDTHS), ROW_HEIGHT * (len(rows) + 1)
    c.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), 90, pdfs.HEIGHT - 140 - height, width, height)
    c.drawImage(ImageReader(_seal()), 380, 120, 120, 120)  # the school's seal, a picture of the appendix page too
    pdfs.page_number(c, 1)
    c.save()
    return path


def _seal() -> io.BytesIO:
    """A round official seal (a ring, a star and the unit's name around it), as a PNG."""
    from PIL import ImageDraw, ImageFont

    image = Image.new("L", (330, 330), 255)
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 320, 320), outline=90, width=12)
    draw.regular_polygon((165, 165, 45), 5, fill=90)
    font = ImageFont.truetype(CJK_FONT, 34)
    draw.text((70, 230), "某区教育局", fill=90, font=font)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def blurred_appendix(path: Path) -> Path:
    """One appendix page whose table picture is so blurred that no rule of its grid is left (a bad scan pasted)."""
    import pdfs
    from PIL import ImageFilter
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=pdfs.A4)
    pdfs.text(c, 90, 60, "附表1 人才培养质量计分卡", size=16)
    pdfs.text(c, 230, 95, "表1 人才培养质量计分卡", size=12)
    picture = drawn_table(DRAWN_ROWS_FOR_BLUR).filter(ImageFilter.GaussianBlur(12))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    width, height = sum(DRAWN_WIDTHS), ROW_HEIGHT * (len(DRAWN_ROWS_FOR_BLUR) + 1)
    c.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), 90, pdfs.HEIGHT - 120 - height, width, height)
    c.save()
    return path


DRAWN_ROWS_FOR_BLUR = [["1", "毕业生人数", "人", "3913", "3552"], ["4", "月收入", "元", "4642", "4174.00"]]
