"""Per-report limits: time, memory, pages, rendered pixels, OCR pages. A report that hits one is an
error record (or partial results, when earlier stages finished) and the batch goes on."""

import os
import shutil
import time

import pdfs
import pytest
from conftest import REFERENCE
from outcome import run_cli

import pipeline.cases
from pipeline.config import Limits, OcrSettings, Settings
from pipeline.limits import Budget, LimitExceeded
from pipeline.pages import ocr
from pipeline.process import process_report


def test_time_limit_ends_the_report_as_an_error(tmp_path):
    o = run_cli(REFERENCE, tmp_path / "out", "--time-limit", "1")
    assert (o.status, o.error["stage"]) == ("error", "pages")
    assert o.error["message"] == "time limit of 1 s exceeded"
    assert o.error["page"] >= 1


def test_a_stage_stuck_in_a_loop_is_interrupted_and_earlier_results_kept(tmp_path, monkeypatch):
    def stuck(*args):
        while True:  # pure-Python work that never checks the budget
            sum(range(1000))

    monkeypatch.setattr(pipeline.cases, "extract_cases", stuck)
    pdf = pdfs.split_appendix_table(tmp_path / "a6.pdf")
    started = time.monotonic()
    result = process_report(pdf, tmp_path / "out", Settings(limits=Limits(seconds=3)))
    assert time.monotonic() - started < 60  # interrupted, not hung (generous: this is no speed test)
    cases = next(s for s in result.stages if s.name == "cases")
    assert (cases.status, cases.message) == ("failed", "time limit of 3 s exceeded")
    assert result.status == "partial"
    assert (result.out_dir / "indicators.csv").is_file() and not (result.out_dir / "cases.csv").exists()


def test_memory_limit(tmp_path):
    pdf = pdfs.three_line_table(tmp_path / "small.pdf")
    result = process_report(pdf, tmp_path / "out", Settings(limits=Limits(memory_mb=1)))
    assert result.status == "error"
    assert result.error["message"].startswith("memory limit of 1 MB exceeded (")


def test_decompression_bomb_is_never_rendered(tmp_path):
    pdf = pdfs.image_bomb(tmp_path / "bomb.pdf", side=20000)  # 400 million pixels in a 50 kB file
    o = run_cli(pdf, tmp_path / "out")
    assert o.status == "partial"
    assert ("no text layer; not OCRed: an embedded image of 20000x20000 pixels exceeds the limit of 200000000 "
            "(limit max_image_pixels)") in o.warnings("missing")
    assert o.csv("pages").iloc[0].source == "empty"


def test_render_scale_fits_the_pixel_budget():
    renderer = ocr.PageRenderer(REFERENCE, None, Limits(max_render_pixels=1_000_000))
    assert renderer.scale_for(595, 842, 300) == pytest.approx((1_000_000 / (595 * 842)) ** 0.5)
    assert renderer.scale_for(50, 50, 300) == 300 / 72


def test_ocr_page_limit(tmp_path):
    scan = pdfs.scanned_copy(pdfs.split_appendix_table(tmp_path / "a6.pdf"), tmp_path / "scan.pdf", dpi=150)
    o = run_cli(scan, tmp_path / "out", "--ocr-max-pages", "1")
    assert o.csv("pages").source.tolist() == ["ocr", "empty"]
    assert ("no text layer; not OCRed: the OCR page limit (1, limit ocr_max_pages) is reached; the page's text is missing"
            in o.warnings("missing"))


def test_without_tesseract_the_error_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)  # in this process: the report runs here, not in a worker
    scan = pdfs.scanned_copy(pdfs.three_line_table(tmp_path / "t.pdf"), tmp_path / "scan.pdf", dpi=100)
    result = process_report(scan, tmp_path / "out", Settings(ocr=OcrSettings(engine="tesseract")))
    assert result.status == "error"
    assert result.error["message"] == ("no page has a usable text layer and OCR is unavailable: Tesseract is not "
                                       "installed; install it with: apt-get install tesseract-ocr tesseract-ocr-chi-sim")


def test_ocr_can_be_turned_off(tmp_path):
    scan = pdfs.scanned_copy(pdfs.three_line_table(tmp_path / "t.pdf"), tmp_path / "scan.pdf", dpi=100)
    o = run_cli(scan, tmp_path / "out", "--no-ocr")
    assert o.status == "partial"
    assert "no text layer; not OCRed: OCR is off; the page's text is missing" in o.warnings("missing")


def test_budget_checks_time_and_names_the_place():
    budget = Budget(Limits(seconds=0.01), "x.pdf")
    time.sleep(0.02)
    with pytest.raises(LimitExceeded) as err:
        budget.check("tables", 7)
    assert (err.value.stage, err.value.page, err.value.path) == ("tables", 7, "x.pdf")


def test_a_timer_error_inside_a_finaliser_is_not_printed(capsys):
    budget = Budget(Limits(seconds=600))

    class Finaliser:
        def __del__(self):
            raise budget._time_error()  # what the timer does when it fires during garbage collection

    with budget.watchdog():
        Finaliser()
    assert "Traceback" not in capsys.readouterr().err


def test_one_report_over_a_limit_does_not_stop_the_batch(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    pdfs.many_pages(inputs / "tome.pdf", 40)
    pdfs.split_appendix_table(inputs / "a6.pdf")
    from typer.testing import CliRunner

    from pipeline.cli import app

    result = CliRunner().invoke(app, ["run", str(inputs), "--out", str(tmp_path / "out"), "--max-pages", "10"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (tmp_path / "out" / "tome" / "error.json").is_file()
    assert (tmp_path / "out" / "a6" / "indicators.csv").is_file()


def test_tesseract_is_stopped_after_the_per_page_timeout(tmp_path, monkeypatch):
    """A Tesseract that never answers (here a stand-in that sleeps): the page is given up after
    ocr_page_seconds with a warning, and the report ends."""
    real = shutil.which("tesseract")
    if real is None:
        pytest.skip("Tesseract is not installed")
    stand_in = tmp_path / "bin" / "tesseract"
    stand_in.parent.mkdir()
    stand_in.write_text(f'#!/bin/sh\nif [ "$1" = "--list-langs" ]; then exec {real} "$@"; fi\nexec sleep 600\n')
    stand_in.chmod(0o755)
    monkeypatch.setenv("PATH", f"{stand_in.parent}:{os.environ['PATH']}")
    scan = pdfs.scanned_copy(pdfs.split_appendix_table(tmp_path / "a6.pdf"), tmp_path / "scan.pdf", dpi=100)
    result = process_report(scan, tmp_path / "out", Settings(limits=Limits(ocr_page_seconds=1), ocr=OcrSettings(engine="tesseract")))
    assert result.status == "partial"
    stopped = [i for i in result.issues if "OCR of the page took too long (limit ocr_page_seconds)" in i.message]
    assert [i.page for i in stopped] == [1, 2]
