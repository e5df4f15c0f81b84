"""Running Tesseract: whether it can read a language here, and one call on an image (TSV words with boxes
and confidences). Shared by the page OCR (pipeline.ocr) and the cell reading of ruled tables
(pipeline.ocr_tables)."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from ...errors import ReportError

STAGE = "pages"
INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-chi-sim"
# Tesseract puts a quote before a word that follows a wide gap (a table column): a closing quote
# cannot open a word, and no quote belongs on a bare number.
STRAY_QUOTES = re.compile(r"^[”’]+|^[“‘\"']+(?=[-+]?[\d.,]+%?$)|(?<=\d)[“”‘’\"']+$")


@dataclass
class Word:
    text: str
    left: float
    top: float
    width: float
    height: float
    confidence: float
    line_key: tuple  # words with the same key are on one OCR line


def tesseract_problem(language: str) -> str | None:
    """Why Tesseract cannot OCR ``language`` here (with how to install it), or None."""
    return _tesseract_problem(language, shutil.which("tesseract"))


@lru_cache(maxsize=8)
def _tesseract_problem(language: str, binary: str | None) -> str | None:
    if binary is None:
        return f"Tesseract is not installed; install it with: {INSTALL_HINT}"
    try:
        listed = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError) as exc:
        return f"Tesseract does not run ({exc}); reinstall it with: {INSTALL_HINT}"
    missing = [lang for lang in language.split("+") if lang not in listed]
    if missing:
        return f"Tesseract has no '{'+'.join(missing)}' language data; install it with: {INSTALL_HINT}"
    return None


def run_tesseract(image: np.ndarray, language: str, psm: int, dpi: int, timeout: float, page: int, path: str,
                  whitelist: str = "") -> list[Word]:
    ok, png = cv2.imencode(".png", image)
    if not ok:
        raise ReportError.saying(STAGE, "error.ocr_encode", path, page)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one thread per page is faster than Tesseract's default
    command = ["tesseract", "stdin", "stdout", "-l", language, "--psm", str(psm), "--dpi", str(max(dpi, 1))]
    if whitelist:
        command += ["-c", f"tessedit_char_whitelist={whitelist}"]
    command.append("tsv")
    try:
        done = subprocess.run(command, input=png.tobytes(), capture_output=True, timeout=max(timeout, 0.1), env=env)
    except subprocess.TimeoutExpired as exc:
        raise ReportError.saying(STAGE, "error.ocr_timeout", path, page) from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise ReportError.saying(STAGE, "error.tesseract", path, page, why=message[0])
    return parse_tsv(done.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> list[Word]:
    words = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = STRAY_QUOTES.sub("", (row.get("text") or "").strip())
        if row.get("level") != "5" or not text:
            continue
        try:
            box = [float(row[k]) for k in ("left", "top", "width", "height", "conf")]
            key = tuple(int(row[k]) for k in ("page_num", "block_num", "par_num", "line_num"))
        except (KeyError, TypeError, ValueError):
            continue
        words.append(Word(text, *box, line_key=key))  # type: ignore[arg-type]
    return words


class Clock:
    """The seconds left for Tesseract on one page (several calls share them)."""

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()
