"""Damaged copies of a PDF, the way downloads, editors and scanners damage them (pikepdf and raw bytes).

Each builder writes ``dst`` from ``src`` and returns ``dst``. Byte-level damage keeps the file's
length where it can, so only the damage itself is wrong (not every offset after it).
"""

from __future__ import annotations

import random
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

import pikepdf

if TYPE_CHECKING:
    import numpy as np

DANGLE = b"/DANGLE"  # a name the pikepdf copy writes where the raw bytes then get a dangling reference


def _xref_span(data: bytes) -> tuple[int, int]:
    """Start and end of the last classic cross-reference table's entries (after ``xref`` and ``0 N``)."""
    xref = data.rindex(b"\nxref") + 1
    start = data.index(b"\n", data.index(b"\n", xref) + 1) + 1
    return start, data.index(b"trailer", start)


def shifted_xref(src: Path, dst: Path, shift: int = 7) -> Path:
    """Every offset of the cross-reference table off by ``shift`` bytes (startxref still right)."""
    data = bytearray(src.read_bytes())
    start, end = _xref_span(data)
    for pos in range(start, end, 20):
        if data[pos + 17:pos + 18] == b"n":
            data[pos:pos + 10] = b"%010d" % (int(data[pos:pos + 10]) + shift)
    dst.write_bytes(bytes(data))
    return dst


def overwritten_xref(src: Path, dst: Path) -> Path:
    """The cross-reference table's entries overwritten with spaces (a damaged end of the file)."""
    data = bytearray(src.read_bytes())
    start, end = _xref_span(data)
    data[start:end] = b" " * (end - start)
    dst.write_bytes(bytes(data))
    return dst


def zeroed_xref(src: Path, dst: Path) -> Path:
    """Every offset of the cross-reference table set to 0 (qpdf then finds no /Root; PDFium opens it)."""
    data = bytearray(src.read_bytes())
    start, end = _xref_span(data)
    for pos in range(start, end, 20):
        if data[pos + 17:pos + 18] == b"n":
            data[pos:pos + 10] = b"0" * 10
    dst.write_bytes(bytes(data))
    return dst


def scrambled_xref(src: Path, dst: Path, seed: int, spread: int = 3000) -> Path:
    """Each offset of the cross-reference table moved by its own random amount within ±``spread`` bytes (not
    below 0), seeded: some land inside other objects."""
    rng = random.Random(seed)
    data = bytearray(src.read_bytes())
    start, end = _xref_span(data)
    for pos in range(start, end, 20):
        if data[pos + 17:pos + 18] == b"n":
            data[pos:pos + 10] = b"%010d" % max(0, int(data[pos:pos + 10]) + rng.randrange(-spread, spread + 1))
    dst.write_bytes(bytes(data))
    return dst


def cut_in_trailer(src: Path, dst: Path) -> Path:
    """The download stopped inside the trailer dictionary (no /Root, no startxref, no %%EOF)."""
    data = src.read_bytes()
    trailer = data.rindex(b"trailer")
    dst.write_bytes(data[:trailer + 12])
    return dst


def truncated(src: Path, dst: Path, share: float) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * share)])
    return dst


def _object_span(data: bytes, objgen: tuple[int, int]) -> tuple[int, int]:
    start = data.index(b"\n%d %d obj" % objgen) + 1
    return start, data.index(b"endobj", start)


def flipped_mediabox(src: Path, dst: Path, page: int) -> Path:
    """One byte of one page's /MediaBox turned from a digit into a letter (the page's own object)."""
    with pikepdf.open(src, suppress_warnings=True) as pdf:
        objgen = pdf.pages[page - 1].objgen
    data = bytearray(src.read_bytes())
    start, end = _object_span(data, objgen)
    box = data.index(b"/MediaBox", start, end)
    digit = next(i for i in range(box + 12, end) if chr(data[i]).isdigit())
    data[digit] = ord("x")
    dst.write_bytes(bytes(data))
    return dst


def flipped_bytes(src: Path, dst: Path, count: int, seed: int) -> Path:
    """``count`` random bytes XOR-ed with a random nonzero byte (seeded)."""
    rng = random.Random(seed)
    data = bytearray(src.read_bytes())
    for _ in range(count):
        pos = rng.randrange(len(data))
        data[pos] ^= rng.randrange(1, 256)
    dst.write_bytes(bytes(data))
    return dst


def _save(pdf: pikepdf.Pdf, dst: Path) -> Path:
    # uncompressed object layout, one object per ``N 0 obj``, so raw-byte edits can find them
    pdf.save(dst, object_stream_mode=pikepdf.ObjectStreamMode.disable, static_id=True)
    return dst


def dangling_kid(src: Path, dst: Path, at: int = 3) -> Path:
    """A reference to an object that does not exist inserted into the root /Kids."""
    with pikepdf.open(src, suppress_warnings=True) as pdf:
        pdf.Root.Pages.Kids.insert(at, pikepdf.Name(DANGLE.decode()))
        _save(pdf, dst)
    data = dst.read_bytes()
    assert data.count(DANGLE) == 1
    dst.write_bytes(data.replace(DANGLE, b"999 0 R"))  # same length: the xref stays right
    return dst


def stray_integer_kid(src: Path, dst: Path, at: int = 3) -> Path:
    """An integer among the root /Kids (a page-tree entry that is not a reference)."""
    with pikepdf.open(src, suppress_warnings=True) as pdf:
        pdf.Root.Pages.Kids.insert(at, 7)
        return _save(pdf, dst)


def page_tree_loop(src: Path, dst: Path, at: int = 3, depth: int = 0) -> Path:
    """A loop in the page tree: the root /Pages node listed among its own /Kids (``depth`` 0), or, with ``depth``
    1, ten pages moved under a new node whose /Kids end with a reference back to the root."""
    with pikepdf.open(src, suppress_warnings=True) as pdf:
        root = pdf.Root.Pages
        if depth == 0:
            root.Kids.insert(at, root)
        else:
            kids = list(root.Kids)
            node = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Pages, Kids=pikepdf.Array(kids[at:at + 10]),
                                                        Count=10, Parent=root))
            for kid in kids[at:at + 10]:
                kid.Parent = node
            node.Kids.append(root)
            root.Kids = pikepdf.Array([*kids[:at], node, *kids[at + 10:]])
        return _save(pdf, dst)


def repeated_kid(src: Path, dst: Path, at: int = 3, page: int = 10) -> Path:
    """Page ``page`` (1-based) listed a second time in the root /Kids, before index ``at``."""
    with pikepdf.open(src, suppress_warnings=True) as pdf:
        kids = pdf.Root.Pages.Kids
        kids.insert(at, kids[page - 1])
        return _save(pdf, dst)


def rotated(src: Path, dst: Path, pages: list[int], angle: int) -> Path:
    """/Rotate ``angle`` added to upright pages: a viewer shows them turned."""
    with pikepdf.open(src, suppress_warnings=True) as pdf:
        for n in pages:
            pdf.pages[n - 1].obj.Rotate = angle
        return _save(pdf, dst)


def drawn_rotated(src: Path, dst: Path, pages: list[int]) -> Path:
    """Pages turned to landscape with their content drawn turned by 90° (a cm before the content), no /Rotate:
    the text runs bottom to top on the page."""
    with pikepdf.open(src, suppress_warnings=True) as pdf:
        for n in pages:
            page = pdf.pages[n - 1]
            x0, y0, x1, y1 = (float(v) for v in page.mediabox)
            width, height = x1 - x0, y1 - y0
            page.obj.MediaBox = [0, 0, height, width]
            page.contents_add(pikepdf.Stream(pdf, b"q 0 1 -1 0 %.3f 0 cm" % height), prepend=True)
            page.contents_add(pikepdf.Stream(pdf, b"Q"))
        return _save(pdf, dst)


def _own_resources(pdf: pikepdf.Pdf, page: pikepdf.Page) -> pikepdf.Dictionary:
    """The page's resources as a dictionary of its own (pages often share one)."""
    resources = pikepdf.Dictionary(dict(page.obj.Resources.items()))
    page.obj.Resources = pdf.make_indirect(resources)
    return page.obj.Resources


def without_fonts(src: Path, dst: Path, pages: list[int]) -> Path:
    """The /Font entry of the pages' resources deleted: text is drawn with fonts that are not there."""
    with pikepdf.open(src, suppress_warnings=True) as pdf:
        for n in pages:
            del _own_resources(pdf, pdf.pages[n - 1])["/Font"]
        return _save(pdf, dst)


def without_resources(src: Path, dst: Path, pages: list[int]) -> Path:
    with pikepdf.open(src, suppress_warnings=True) as pdf:
        for n in pages:
            del pdf.pages[n - 1].obj["/Resources"]
        return _save(pdf, dst)


def cut_font_programs(src: Path, dst: Path, keep: float = 1 / 3) -> Path:
    """Every embedded Type 1 font program (/FontFile) cut short in place: its stream's bytes after ``keep``
    and the rest of its object blanked, so the object can no longer be read. The ToUnicode maps are intact."""
    with pikepdf.open(src, suppress_warnings=True) as pdf:
        programs = sorted({d.FontFile.objgen for d in pdf.objects
                           if isinstance(d, pikepdf.Dictionary) and d.get("/Type") == "/FontDescriptor" and "/FontFile" in d})
    data = bytearray(src.read_bytes())
    for objgen in programs:
        start, end = _object_span(data, objgen)
        stream = data.index(b"stream", start) + len(b"stream\n")
        cut = stream + int((data.index(b"endstream", stream) - stream) * keep)
        data[cut:end + len(b"endobj")] = b" " * (end + len(b"endobj") - cut)
    dst.write_bytes(bytes(data))
    return dst


def negative_mediabox(src: Path, dst: Path, pages: list[int]) -> Path:
    """The pages' /MediaBox moved below the origin ([0 -h w 0]) and their content moved with it: they look the same."""
    with pikepdf.open(src, suppress_warnings=True) as pdf:
        for n in pages:
            page = pdf.pages[n - 1]
            x0, y0, x1, y1 = (float(v) for v in page.mediabox)
            page.obj.MediaBox = [x0, y0 - y1, x1, y0]
            page.contents_add(pikepdf.Stream(pdf, b"q 1 0 0 1 0 %.3f cm" % -y1), prepend=True)
            page.contents_add(pikepdf.Stream(pdf, b"Q"))
        return _save(pdf, dst)


def image_bomb_on(src: Path, dst: Path, page: int, side: int = 30000) -> Path:
    """A ``side`` x ``side`` 1-bit image whose Flate stream is tiny drawn over one page (a decompression bomb)."""
    packer = zlib.compressobj(9)
    row = bytes((side + 7) // 8)
    data = b"".join(packer.compress(row * 1000) for _ in range(side // 1000)) + packer.flush()
    with pikepdf.open(src, suppress_warnings=True) as pdf:
        target = pdf.pages[page - 1]
        image = pikepdf.Stream(pdf, data)
        image.stream_dict = pikepdf.Dictionary(Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=side,
                                               Height=side, ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=1,
                                               Filter=pikepdf.Name.FlateDecode)
        resources = _own_resources(pdf, target)
        xobjects = pikepdf.Dictionary(dict(resources.get("/XObject", {}).items()))
        xobjects["/Bomb"] = image
        resources["/XObject"] = xobjects
        target.contents_add(pikepdf.Stream(pdf, b"q 10 0 0 10 0 0 cm /Bomb Do Q"))
        return _save(pdf, dst)


def content_bomb_on(src: Path, dst: Path, page: int, megabytes: int = 400) -> Path:
    """A page content stream that inflates to ``megabytes`` of spaces."""
    packer = zlib.compressobj(9)
    chunk = b" " * 2**20
    data = b"".join(packer.compress(chunk) for _ in range(megabytes)) + packer.flush()
    with pikepdf.open(src, suppress_warnings=True) as pdf:
        stream = pikepdf.Stream(pdf, data)
        stream.stream_dict = pikepdf.Dictionary(Filter=pikepdf.Name.FlateDecode)
        pdf.pages[page - 1].contents_add(stream)
        return _save(pdf, dst)


def photocopy(src: Path, dst: Path, dpi: int = 150, angle: float = 0.5, quality: int = 60,
              pages: list[int] | None = None) -> Path:
    """What a photocopier or a phone makes of a report: every page (or ``pages``) rendered at ``dpi`` in grey,
    tilted by ``angle`` degrees (counter-clockwise, white corners), JPEG-compressed at ``quality``, one image a page."""
    import pypdfium2 as pdfium
    from PIL import Image

    pdf = pdfium.PdfDocument(str(src))
    try:
        images = []
        for number in pages or range(1, len(pdf) + 1):
            page = pdf[number - 1]
            image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            images.append(image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255))
            page.close()
    finally:
        pdf.close()
    images[0].save(dst, "PDF", save_all=True, append_images=images[1:], resolution=dpi, quality=quality)
    return dst


# ---------------------------------------------------------------- a phone photograph

SEAL_INK = (205, 35, 45)  # RGB of red stamp ink
DESK = (62, 54, 48)  # RGB of the desk around the photographed sheet


def seal_mask(size: int, seed: int = 0) -> np.ndarray:
    """The ink of a round official seal, ``size`` pixels across, as coverage 0..1: a thick ring, a five-pointed
    star in its middle and a line of letters along the upper arc (cv2 draws no Chinese; the ink is what matters)."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(seed)
    mask = np.zeros((size, size), np.uint8)
    centre, radius = size // 2, size // 2 - 2
    cv2.circle(mask, (centre, centre), radius - size // 40, 255, max(size // 22, 2), cv2.LINE_AA)
    star = [(centre + radius * 0.3 * np.cos(np.pi / 2 + k * 4 * np.pi / 5), centre - radius * 0.3 * np.sin(np.pi / 2 + k * 4 * np.pi / 5))
            for k in range(5)]
    cv2.fillPoly(mask, [np.array(star, np.int32)], 255, cv2.LINE_AA)
    cv2.fillPoly(mask, [np.array([star[0], star[2], star[4]], np.int32)], 255, cv2.LINE_AA)  # the star's pentagon
    text_radius, letters = radius * 0.72, "PUDONGEDUCATIONBUREAU"
    for k, letter in enumerate(letters):
        angle = np.pi * (1.1 - 1.2 * k / (len(letters) - 1))  # from lower left over the top to lower right
        glyph = np.zeros((size // 8, size // 8), np.uint8)
        cv2.putText(glyph, letter, (size // 64, size // 10), cv2.FONT_HERSHEY_SIMPLEX, size / 500, 255, max(size // 120, 1),
                    cv2.LINE_AA)
        turn = cv2.getRotationMatrix2D((size / 16, size / 16), np.degrees(angle) - 90, 1.0)
        glyph = cv2.warpAffine(glyph, turn, glyph.shape[::-1])
        x = int(centre + text_radius * np.cos(angle) - size / 16)
        y = int(centre - text_radius * np.sin(angle) - size / 16)
        region = mask[y:y + glyph.shape[0], x:x + glyph.shape[1]]
        np.maximum(region, glyph[:region.shape[0], :region.shape[1]], out=region)
    ink = mask.astype(np.float32) / 255
    ink *= rng.uniform(0.7, 1.0, ink.shape).astype(np.float32)  # stamp ink is patchy
    return cv2.GaussianBlur(ink, (3, 3), 0)


def stamp(image: np.ndarray, centre: tuple[int, int], size: int, opacity: float = 0.85, seed: int = 0) -> None:
    """A red seal pressed onto an RGB ``image`` in place: the ink multiplies the paper (what is black stays black)."""
    import numpy as np

    ink = seal_mask(size, seed) * opacity
    x0, y0 = centre[0] - size // 2, centre[1] - size // 2
    region = image[y0:y0 + size, x0:x0 + size].astype(np.float32)
    ink = ink[:region.shape[0], :region.shape[1], None]
    tint = np.array(SEAL_INK, np.float32) / 255
    image[y0:y0 + size, x0:x0 + size] = np.clip(region * (1 - ink + ink * tint), 0, 255).astype(np.uint8)


def _photographed(page: np.ndarray, rng: np.random.Generator, darker: float, blur: float,
                  skew_share: tuple[float, float], ground: tuple[int, int, int] = DESK) -> np.ndarray:
    """One page as a phone sees it: the sheet's corners each moved by 1–2 % of the page (the camera not square
    to it) with the desk (``ground``) around it, one side ``darker`` (a share) darker than the other, slightly out of focus."""
    import cv2
    import numpy as np

    height, width = page.shape[:2]
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    inward = np.float32([[1, 1], [-1, 1], [-1, -1], [1, -1]])
    shares = rng.uniform(*skew_share, (4, 2)).astype(np.float32)
    moved = corners + inward * shares * np.float32([width, height])
    matrix = cv2.getPerspectiveTransform(corners, moved)
    photo = cv2.warpPerspective(page, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=ground)
    ramp = np.linspace(1.0, 1.0 - darker, width, dtype=np.float32)
    if rng.random() < 0.5:
        ramp = ramp[::-1]
    photo = np.clip(photo.astype(np.float32) * ramp[None, :, None], 0, 255).astype(np.uint8)
    return cv2.GaussianBlur(photo, (0, 0), blur)


def photograph(src: Path, dst: Path, dpi: int = 200, quality: int = 70, seed: int = 18,
               seals: dict[int, tuple[float, float]] | None = None, pages: list[int] | None = None,
               darker: float = 0.25, blur: float = 0.8, skew_share: tuple[float, float] = (0.01, 0.02)) -> Path:
    """What a phone makes of a printed report: every page (or ``pages``) rendered in colour at ``dpi``, a red
    round seal pressed on the pages of ``seals`` (page -> centre in PDF points), photographed at an angle
    (``skew_share`` of the page), one side ``darker``, slightly blurred, JPEG quality ``quality``; seeded."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    seals = seals or {}
    scale = dpi / 72
    pdf = pdfium.PdfDocument(str(src))
    try:
        images = []
        for number in pages or range(1, len(pdf) + 1):
            page = pdf[number - 1]
            image = np.array(page.render(scale=scale).to_pil().convert("RGB"))
            page.close()
            if number in seals:
                x, y = seals[number]
                stamp(image, (int(x * scale), int(y * scale)), int(120 * scale), seed=seed + number)
            page_rng = np.random.default_rng([seed, number])  # a page looks the same in a copy of a few pages
            images.append(Image.fromarray(_photographed(image, page_rng, darker, blur, skew_share)))
    finally:
        pdf.close()
    images[0].save(dst, "PDF", save_all=True, append_images=images[1:], resolution=dpi, quality=quality)
    return dst
