"""The OCR engines (pipeline/pages/ocr/engines.py): tesseract and rapidocr read the same image into the same
Word records, the engine is chosen with --ocr-engine and recorded. Accuracy and speed are measured in
benchmarks/ocr.py, not here: rapidocr reads one small image in this file."""

from __future__ import annotations

import numpy as np
import pdfs
import pytest
from conftest import REFERENCE
from outcome import run_cli

from pipeline.config import OcrSettings
from pipeline.pages.ocr.engines import bands, engine_problem, read_words
from pipeline.pages.ocr.tesseract import Word

# Page 49 (附表1) of the reference rendered at 200 dpi, the rows 序号 … 毕业生本省去向落实率 of its table,
# typed by hand from the rendered picture.
NUMBERS = ["3913", "3552", "3822", "3478", "3148", "2878", "351", "383", "89.30", "97.92"]
NAMES = ["毕业生人数", "毕业去向落实人数", "其中：升学人数", "升入本科人数", "毕业生本省去向落实率"]
# Where 3913 is in that picture (pixels, measured by hand on it): its ink spans x 905-968, y 62-90.
INK_3913 = (905, 62, 968, 90)


@pytest.fixture(scope="module")
def table_image() -> np.ndarray:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(REFERENCE))
    try:
        page = np.array(pdf[48].render(scale=200 / 72, grayscale=True).to_pil().convert("L"))
    finally:
        pdf.close()
    return page[450:712, 250:1420]


def _read(image: np.ndarray, engine: str, whitelist: str = "") -> list[Word]:
    settings = OcrSettings(engine=engine)
    problem = engine_problem(settings)
    if problem:
        pytest.skip(problem)
    return read_words(image, settings, settings.language, settings.psm, 200, 60, 49, "test", whitelist)


@pytest.fixture(scope="module")
def rapid_words(table_image) -> list[Word]:
    """rapidocr's reading of the table, its models loaded afresh with the network shut: they come from the wheel."""
    import socket

    from pipeline.pages.ocr import engines

    def refuse(*args, **kwargs):
        raise AssertionError("rapidocr opened a network connection")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "create_connection", refuse)
        engines._rapid_model.cache_clear()
        return _read(table_image, "rapidocr")


def test_tesseract_reads_the_table_numbers(table_image):
    texts = [w.text for w in _read(table_image, "tesseract")]
    assert all(number in texts for number in NUMBERS), texts


def test_rapidocr_reads_the_table_numbers_names_serials_and_units(rapid_words):
    texts = [w.text for w in rapid_words]
    assert all(text in texts for text in NUMBERS + NAMES + ["2023年", "2024年", "1", "2", "3", "%"]), texts
    assert texts.count("人") == 4


def test_rapidocr_boxes_are_in_the_image_pixels_and_confidences_0_to_100(rapid_words, table_image):
    height, width = table_image.shape
    for w in rapid_words:
        assert 0 <= w.left and w.left + w.width <= width and 0 <= w.top and w.top + w.height <= height, w
        assert 0 < w.confidence <= 100, w
    assert min(w.confidence for w in rapid_words) >= 90  # a clean print
    box = next(w for w in rapid_words if w.text == "3913")
    x0, y0, x1, y1 = INK_3913
    assert abs(box.left - x0) <= 8 and abs(box.left + box.width - x1) <= 8
    assert box.top <= y0 and box.top + box.height >= y1 and box.height <= 2 * (y1 - y0)
    assert len({w.line_key for w in rapid_words}) == len(rapid_words)  # a detected text line is one word


def test_rapidocr_whitelist_is_applied_after_reading(rapid_words, table_image):
    """rapidocr has no whitelist: what it read is filtered (the same reading, so the same words remain)."""
    digits = [w.text for w in _read(table_image, "rapidocr", whitelist="0123456789.")]
    assert digits == [t for t in ("".join(ch for ch in w.text if ch in "0123456789.") for w in rapid_words) if t]
    assert "3913" in digits and "2023" in digits and "毕业生人数" not in digits


def test_a_tall_image_is_read_in_bands_cut_at_blank_rows():
    image = np.full((5000, 40), 255, np.uint8)
    for top in range(30, 5000, 60):  # a line of text every 60 rows, 30 rows of ink each
        image[top:top + 30, 5:35] = 0
    cuts = bands(image, 2000)
    assert cuts[0][0] == 0 and cuts[-1][1] == 5000 and all(a[1] == b[0] for a, b in zip(cuts, cuts[1:]))
    assert all(bottom - top <= 2000 for top, bottom in cuts)
    assert all(image[cut].min() == 255 for _, cut in cuts[:-1])  # never through a line
    assert bands(image[:1500], 2000) == [(0, 1500)]


def test_ocr_engine_reaches_manifest_and_pages_csv(tmp_path):
    scan = pdfs.scanned_copy(pdfs.three_line_table(tmp_path / "t.pdf"), tmp_path / "scan.pdf", dpi=100)
    o = run_cli(scan, tmp_path / "out", "--ocr-engine", "tesseract")
    assert o.manifest["options"]["ocr"]["engine"] == "tesseract"
    assert o.csv("pages").notes[0].startswith("no text layer: OCRed by tesseract")


def test_an_unknown_engine_is_a_clear_cli_error(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    result = CliRunner().invoke(app, ["run", str(REFERENCE), "--out", str(tmp_path), "--ocr-engine", "paddle"])
    assert result.exit_code == 2
    assert "Invalid value for '--ocr-engine': 'paddle' is not one of 'tesseract', 'rapidocr'" in result.output
    assert not any(tmp_path.iterdir())
    with pytest.raises(ValueError, match="unknown OCR engine 'paddle'"):
        OcrSettings(engine="paddle")


def test_without_rapidocr_the_error_says_how_to_install_it(tmp_path, monkeypatch):
    import sys

    from pipeline.config import Settings
    from pipeline.pages.ocr import engines
    from pipeline.process import process_report

    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # import fails as when it is not installed
    engines._rapid_problem.cache_clear()
    try:
        scan = pdfs.scanned_copy(pdfs.three_line_table(tmp_path / "t.pdf"), tmp_path / "scan.pdf", dpi=100)
        result = process_report(scan, tmp_path / "out", Settings(ocr=OcrSettings(engine="rapidocr")))
    finally:
        engines._rapid_problem.cache_clear()
    assert result.status == "error"
    assert result.error["message"].startswith("no page has a usable text layer and OCR is unavailable: the rapidocr "
                                              "engine is not installed")
    assert result.error["message"].endswith("install it with: pip install --no-deps rapidocr-onnxruntime (see the "
                                            "Makefile's setup)")


def test_rapidocr_reads_a_finer_image_reduced_and_answers_in_its_pixels(table_image):
    """A 300-dpi image is read at 200 dpi; the boxes come back in the 300-dpi image's pixels."""
    import cv2

    fine = cv2.resize(table_image, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC)
    settings = OcrSettings(engine="rapidocr")
    words = read_words(fine, settings, settings.language, settings.psm, 300, 60, 49, "test")
    box = next(w for w in words if w.text == "3913")
    x0, y0, x1, y1 = (1.5 * v for v in INK_3913)
    assert abs(box.left - x0) <= 12 and abs(box.left + box.width - x1) <= 12
    assert box.top <= y0 and box.top + box.height >= y1 and box.height <= 2 * (y1 - y0)
