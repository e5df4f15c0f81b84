"""The OCR engines: one call reads an image into Words (text, box in the image's pixels, confidence 0-100).

``tesseract`` runs the tesseract command (a language model per call, page segmentation modes, character
whitelists); ``rapidocr`` runs PaddleOCR's PP-OCRv4 Chinese models with onnxruntime in this process
(the models ship inside the rapidocr-onnxruntime wheel; nothing is fetched at run time). Which one
reads is ``OcrSettings.engine``; the callers (the page text, the cell composites of ruled tables) pass
the same arguments to either and get the same records back.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache

import numpy as np

from ...config import OCR_ENGINES, OcrSettings
from ...errors import ReportError
from .tesseract import STAGE, Word, run_tesseract, tesseract_problem

RAPID_HINT = "pip install --no-deps rapidocr-onnxruntime (see the Makefile's setup)"
# PP-OCR's detector scales an image down to this many pixels on its longer side; a taller image (a table's
# cell composite, a 300-dpi page) is read in bands cut at blank rows, so its text is never shrunk.
RAPID_BAND = 2000
# PP-OCR reads an image finer than this (dots per inch) reduced to it: a 300-dpi scan's lone digits in table cells
# were missed or read as the letter O, and the detector's time grows with the pixels.
RAPID_DPI = 200
# Pixels darker than this are ink when looking for blank rows to cut bands at.
INK_LEVEL = 160
_threads = 1


def use_threads(cores: int) -> None:
    """The onnxruntime threads of this process's rapidocr models: the report's cores (set before the first read)."""
    global _threads
    _threads = max(int(cores), 1)


def engine_problem(settings: OcrSettings) -> str | None:
    """Why ``settings.engine`` cannot read here (with how to install it), or None."""
    if settings.engine not in OCR_ENGINES:
        return f"unknown OCR engine {settings.engine!r} (known: {', '.join(OCR_ENGINES)})"
    if settings.engine == "tesseract":
        return tesseract_problem(settings.language)
    return _rapid_problem()


@lru_cache(maxsize=1)
def _rapid_problem() -> str | None:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError as exc:
        return f"the rapidocr engine is not installed ({exc}); install it with: {RAPID_HINT}"
    return None


def second_reading(settings: OcrSettings) -> bool:
    """Whether table cells holding numbers are read again with ``settings.digits_language``: Tesseract's Chinese
    model misreads lone numbers; PP-OCR's one model reads digits and Chinese alike."""
    return settings.engine == "tesseract" and bool(settings.digits_language) and not tesseract_problem(settings.digits_language)


def closed_readings(settings: OcrSettings, tesseract_readings: tuple) -> tuple:
    """The (zoom, binarise) readings of closed-set cells: Tesseract's misreadings of small glyphs shrink when the
    cells are enlarged; PP-OCR scales every text line to one height itself, so one plain reading is enough."""
    return tesseract_readings if settings.engine == "tesseract" else ((1, False),)


def read_words(image: np.ndarray, settings: OcrSettings, language: str, psm: int, dpi: int, timeout: float, page: int,
               path: str, whitelist: str = "") -> list[Word]:
    """The words ``settings.engine`` reads in ``image`` (grey, uint8). ``language`` and ``psm`` are Tesseract's;
    rapidocr has no whitelist, so characters outside ``whitelist`` are removed from what it read."""
    if settings.engine == "tesseract":
        return run_tesseract(image, language, psm, dpi, timeout, page, path, whitelist)
    return read_rapid(image, dpi, timeout, page, path, whitelist)


# ---------------------------------------------------------------- rapidocr


def read_rapid(image: np.ndarray, dpi: int, timeout: float, page: int, path: str, whitelist: str = "") -> list[Word]:
    """PP-OCR's text lines in ``image`` (``dpi`` dots per inch) as Words, band by band (RAPID_BAND). An image
    finer than RAPID_DPI is read reduced to it. A call cannot be stopped midway, so the time left is checked
    before each band."""
    import time

    import cv2

    end = time.monotonic() + max(timeout, 0.1)
    shrink = min(RAPID_DPI / dpi, 1.0) if dpi > 0 else 1.0
    if shrink < 1.0:
        image = cv2.resize(image, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
    words: list[Word] = []
    for band, (top, bottom) in enumerate(bands(image, RAPID_BAND)):
        if time.monotonic() > end:
            raise ReportError.saying(STAGE, "error.ocr_timeout", path, page)
        inked = ink_box(image[top:bottom])
        if inked:
            x0, y0, x1, y1 = inked
            words += _rapid_band(image[top + y0:top + y1, x0:x1], (x0, top + y0), band, whitelist)
    if shrink < 1.0:
        words = [Word(w.text, w.left / shrink, w.top / shrink, w.width / shrink, w.height / shrink, w.confidence, w.line_key)
                 for w in words]
    return words


def ink_box(image: np.ndarray, pad: int = 16) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of the ink in ``image`` with ``pad`` pixels around it, None when it has none:
    the detector's time grows with the pixels it is given, and a page whose tables were read cell by cell is
    mostly white."""
    ink = image < INK_LEVEL
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return None
    height, width = image.shape
    return (max(int(columns[0]) - pad, 0), max(int(rows[0]) - pad, 0), min(int(columns[-1]) + pad + 1, width),
            min(int(rows[-1]) + pad + 1, height))


def _rapid_band(image: np.ndarray, origin: tuple[int, int], band: int, whitelist: str) -> list[Word]:
    found, _ = rapid_model()(np.ascontiguousarray(image))
    words = []
    for index, (box, text, score) in enumerate(found or []):
        text = _allowed(text.strip(), whitelist)
        if not text:
            continue
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        left, upper = float(min(xs)), float(min(ys))
        words.append(Word(text, left + origin[0], upper + origin[1], float(max(xs)) - left, float(max(ys)) - upper,
                          round(float(score) * 100, 1), ("rapidocr", band, index)))
    return words


def _allowed(text: str, whitelist: str) -> str:
    return "".join(ch for ch in text if ch in whitelist) if whitelist else text


def rapid_model():
    """This process's PP-OCR models, loaded on first use (a forked worker loads its own: onnxruntime's sessions
    are not shared across a fork), running on ``use_threads`` threads."""
    return _rapid_model(os.getpid(), _threads)


@lru_cache(maxsize=2)
def _rapid_model(pid: int, threads: int):
    from rapidocr_onnxruntime import RapidOCR

    # intra: threads within one operator; inter: operators at once. Both capped so that one report's OCR
    # uses the cores it was given and no more. No angle classifier: pages are upright (turned pages are read
    # from an upright copy, tilted ones deskewed), and it turns short crops ("0", "1") upside down.
    # The detector by default enlarges an image until its shorter side is 736 pixels: a cell composite
    # (tall and narrow) grew ninefold and took four times a page's time. "max" only shrinks, and only
    # past RAPID_BAND pixels.
    with _threads_that_sleep():
        return RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1, print_verbose=False, use_cls=False,
                        det_limit_type="max", det_limit_side_len=RAPID_BAND)


@contextmanager
def _threads_that_sleep():
    """onnxruntime's sessions made here with threads that wait without spinning: a spinning thread holds its
    core between operators, and on a machine shared with other processes (page workers, other reports)
    that made a report's OCR a third slower. rapidocr makes its sessions' options in one static method;
    it is wrapped while the models load."""
    from rapidocr_onnxruntime.utils import infer_engine

    session = infer_engine.OrtInferSession
    original = vars(session)["_init_sess_opts"]

    def options(config):
        made = original.__func__(config)
        made.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return made

    session._init_sess_opts = staticmethod(options)
    try:
        yield
    finally:
        session._init_sess_opts = original


def bands(image: np.ndarray, height: int) -> list[tuple[int, int]]:
    """Row ranges (top, bottom) of at most ``height`` rows covering ``image``, cut at blank rows (no ink) where
    there are any, so no line of text is cut in two."""
    rows = image.shape[0]
    if rows <= height:
        return [(0, rows)]
    blank = np.nonzero((image < INK_LEVEL).sum(axis=1) == 0)[0]
    out, top = [], 0
    while rows - top > height:
        candidates = blank[(blank > top + height // 2) & (blank <= top + height)]
        cut = int(candidates[-1]) if len(candidates) else top + height
        out.append((top, cut))
        top = cut
    out.append((top, rows))
    return out
