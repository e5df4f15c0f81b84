"""The page behind every number: a page of a report's source PDF rendered as PNG, with boxes drawn on it.

A page is rendered once per (PDF sha256, page, scale) and kept in the output folder's cache
(``.vetreport-cache/pages/``, written atomically); the boxes a link asks for (``?box=x0,top,x1,bottom``,
PDF points from the page's top-left corner, as the CSVs hold them) are drawn on a copy at each request.
The PDF is the one the report's manifest.json names; one that is missing, changed since the run (another
sha256) or unreadable is said plainly (PageUnavailable), never a 500.

PDFium may be called by one thread at a time in a process (its documentation says so), so every use of it
in the app — these renders and the audit report's redraws — holds ``PDFIUM``.
"""

from __future__ import annotations

import io
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..files import atomic_write_bytes, file_sha256
from ..records import BBox
from ..writers.audit import SourceMissing, source_pdf

PDFIUM = threading.Lock()
CACHE = Path(".vetreport-cache") / "pages"
SCALES = (1.0, 1.5, 2.0, 3.0)  # the scales a request may ask for (a small set: each is a cached file)
DEFAULT_SCALE = 2.0  # 144 dpi, as the audit's evidence images
MAX_PIXELS = 40_000_000  # a page larger than this at the asked scale is rendered smaller
MAX_BOXES = 24  # boxes one request may draw
BOX_COLOURS = ((220, 30, 30), (30, 90, 220), (20, 150, 60))  # the first box red, then blue, then green
LINE = 3  # pixels: the width of a box's outline
PAD = 2  # pixels between a box and its outline


class PageUnavailable(Exception):
    """The page cannot be shown: ``status`` is the HTTP status, ``missing`` the PDF path when it is not there."""

    def __init__(self, status: int, message: str, missing: str | None = None):
        super().__init__(message)
        self.status, self.missing = status, missing


class BadBox(ValueError):
    """A ?box= value that is not four finite numbers x0,top,x1,bottom."""


Box = BBox  # x0, top, x1, bottom in PDF points, as the published CSVs give them


@dataclass(frozen=True)
class Source:
    pdf: Path
    sha256: str
    pages: int


def parse_boxes(values: list[str]) -> list[Box]:
    """The boxes of ``?box=x0,top,x1,bottom`` values (points, top-left origin); BadBox for anything else."""
    if len(values) > MAX_BOXES:
        raise BadBox(f"at most {MAX_BOXES} boxes (got {len(values)})")
    boxes = []
    for value in values:
        parts = value.split(",")
        if len(parts) != 4 or len(value) > 100:
            raise BadBox(f"a box is x0,top,x1,bottom in PDF points, not {value[:40]!r}")
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            raise BadBox(f"a box is four numbers x0,top,x1,bottom, not {value[:40]!r}") from None
        if not all(math.isfinite(n) and abs(n) < 100_000 for n in numbers):
            raise BadBox(f"a box's numbers must be finite points on a page, not {value[:40]!r}")
        x0, top, x1, bottom = numbers
        boxes.append((min(x0, x1), min(top, bottom), max(x0, x1), max(top, bottom)))
    return boxes


def box_query(boxes) -> str:
    """``box=x0,top,x1,bottom&box=…`` for the boxes that are whole (four numbers); '' when none is."""
    parts = []
    for box in boxes:
        if box is None or len(box) != 4 or any(_missing(v) for v in box):
            continue
        parts.append("box=" + ",".join(_short(float(v)) for v in box))
    return "&".join(parts)


def page_href(report_id: str, page, boxes=()) -> str:
    """The address of the app's page view of ``page`` of ``report_id`` with ``boxes`` drawn; '' without a page."""
    if _missing(page):
        return ""
    query = box_query(boxes)
    return f"/reports/{quote(str(report_id), safe='')}/pages/{int(float(page))}" + (f"?{query}" if query else "")


def _missing(value) -> bool:
    try:
        return value is None or value == "" or not math.isfinite(float(value))
    except (TypeError, ValueError):
        return True


def _short(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


class PageImages:
    """Pages of the output folder's reports rendered, cached in ``root``/.vetreport-cache/pages."""

    def __init__(self, root: Path):
        self.cache = Path(root) / CACHE
        self._digests: dict[tuple, str] = {}
        self._lock = threading.Lock()

    def source(self, folder: Path, manifest: dict) -> Source:
        """The report's PDF, checked to be the one it was made from; PageUnavailable when it cannot be used."""
        try:
            pdf = source_pdf(folder)
        except SourceMissing:
            named = str(manifest.get("input") or "")
            raise PageUnavailable(404, "source PDF missing", missing=named or "(none named in manifest.json)") from None
        digest = self._sha256(pdf)
        if manifest.get("sha256") and digest != manifest["sha256"]:
            raise PageUnavailable(409, f"{pdf} is not the PDF {folder.name} was made from (its sha256 differs "
                                       f"from manifest.json's): the boxes would not fit its pages; run `vetreport run` again")
        return Source(pdf, digest, self._page_count(pdf))

    def _sha256(self, pdf: Path) -> str:
        stat = pdf.stat()
        key = (str(pdf), stat.st_ino, stat.st_size, stat.st_mtime_ns)
        with self._lock:
            known = self._digests.get(key)
        if known is None:
            known = file_sha256(pdf)
            with self._lock:
                self._digests[key] = known
        return known

    def _page_count(self, pdf: Path) -> int:
        import pypdfium2 as pdfium

        with PDFIUM:
            try:
                document = pdfium.PdfDocument(str(pdf))
            except Exception as exc:  # encrypted, damaged since the run
                raise PageUnavailable(503, f"{pdf} cannot be opened ({type(exc).__name__}: {str(exc)[:200]})") from None
            try:
                return len(document)
            finally:
                document.close()

    def png(self, source: Source, page: int, scale: float, boxes: list[Box]) -> bytes:
        """Page ``page`` (1-based) at ``scale`` with ``boxes`` outlined (red, blue, green, …)."""
        image, used = self._rendered(source, page, scale)
        if not boxes:
            return image
        return draw_boxes(image, boxes, used)

    def _rendered(self, source: Source, page: int, scale: float) -> tuple[bytes, float]:
        """The page's PNG without boxes, from the cache or rendered into it, and the scale it was rendered at."""
        path = self.cache / f"{source.sha256}-p{page}-s{_short(scale)}.png"
        try:
            data = path.read_bytes()
            return data, _stored_scale(data, scale)
        except OSError:
            pass
        data, used = self._render(source.pdf, page, scale)
        try:
            atomic_write_bytes(path, data)
        except OSError:  # a read-only output folder: the page is shown, just not kept
            pass
        return data, used

    def _render(self, pdf: Path, page: int, scale: float) -> tuple[bytes, float]:
        import pypdfium2 as pdfium

        with PDFIUM:
            try:
                document = pdfium.PdfDocument(str(pdf))
            except Exception as exc:
                raise PageUnavailable(503, f"{pdf} cannot be opened ({type(exc).__name__}: {str(exc)[:200]})") from None
            try:
                pdf_page = document[page - 1]
                width, height = pdf_page.get_size()
                used = min(scale, (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
                image = pdf_page.render(scale=used).to_pil().convert("RGB")
            except Exception as exc:
                raise PageUnavailable(503, f"page {page} of {pdf} cannot be rendered ({type(exc).__name__}: "
                                           f"{str(exc)[:200]})") from None
            finally:
                document.close()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", pnginfo=_scale_info(used))
        return buffer.getvalue(), used


def _scale_info(scale: float):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("vetreport-scale", repr(scale))
    return info


def _stored_scale(data: bytes, asked: float) -> float:
    """The scale a cached PNG was rendered at (smaller than asked for a very large page)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        try:
            return float(image.text.get("vetreport-scale", asked))
        except ValueError:
            return asked


def draw_boxes(png: bytes, boxes: list[Box], scale: float) -> bytes:
    """``boxes`` (points, top-left origin) outlined on the page image ``png`` rendered at ``scale``."""
    from PIL import Image, ImageDraw

    with Image.open(io.BytesIO(png)) as opened:
        image = opened.convert("RGB")
    draw = ImageDraw.Draw(image)
    for n, (x0, top, x1, bottom) in enumerate(boxes):
        draw.rectangle((x0 * scale - PAD - LINE, top * scale - PAD - LINE, x1 * scale + PAD + LINE - 1,
                        bottom * scale + PAD + LINE - 1), outline=BOX_COLOURS[n % len(BOX_COLOURS)], width=LINE)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def page_number(text: str) -> int | None:
    """A page number from a URL: ASCII digits, at most six of them (no sign, no ², no spaces); else None."""
    if not text or len(text) > 6 or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def scale_of(text: str | None) -> float | None:
    """?scale= as one of SCALES (none given: the default); None for any other value."""
    if text in (None, ""):
        return DEFAULT_SCALE
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value in SCALES else None

