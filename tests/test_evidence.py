"""The table evidence crop a reviewer reads at a glance: the cell, its row label and its column's year.

Read back with Tesseract, as a person would read the picture. On the reference, 附表3 (page 51)
prints 在线精品课程课均学生数 … 817 far below its header row 序号 指标 单位 2023年 2024年, and
互联网出口带宽 … 10000 on page 52, where the table goes on from page 51.
"""

import io
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from conftest import run_cli
from PIL import Image

from pipeline.pages.ocr import tesseract_problem

pytestmark = pytest.mark.skipif(tesseract_problem("chi_sim") is not None, reason="Tesseract chi_sim is not installed")


def read_bands(png: bytes) -> list[str]:
    """The crop's text by Tesseract, band by band (split at the dashed grey separator line), top first."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    grey = (np.abs(rgb - 150).max(axis=2) <= 10).mean(axis=1)
    white = (rgb.min(axis=2) >= 250).mean(axis=1)
    separator = np.where((grey > 0.3) & (grey + white > 0.98))[0]
    bands = [rgb[:separator[0] - 2], rgb[separator[-1] + 3:]] if len(separator) else [rgb]
    return [_read(band) for band in bands]


def _read(rgb: np.ndarray) -> str:
    """Outlines (red, blue) and ruling lines whitened, ink binarised, scaled up twice, one block of text."""
    rgb = rgb.copy()
    rgb[(rgb.max(axis=2) - rgb.min(axis=2)) > 60] = 255
    ink = rgb.mean(axis=2) < 170
    ink[ink.mean(axis=1) > 0.5, :] = False
    ink[:, ink.mean(axis=0) > 0.6] = False
    image = Image.fromarray(np.where(ink, 0, 255).astype("uint8"))
    buffer = io.BytesIO()
    image.resize((image.width * 2, image.height * 2), Image.LANCZOS).save(buffer, format="PNG")
    result = subprocess.run(["tesseract", "stdin", "stdout", "-l", "chi_sim", "--psm", "6"], input=buffer.getvalue(),
                            capture_output=True, timeout=120)
    return result.stdout.decode("utf-8").replace(" ", "").strip()


def table_crop(run, indicator: str, kind: str) -> tuple[str, bytes]:
    findings = run.frames["findings"]
    row = findings[(findings.indicator == indicator) & (findings.kind == kind)].iloc[0]
    return row.finding_id, (run.out_dir / "audit_images" / f"{row.finding_id}-table.png").read_bytes()


@pytest.mark.parametrize("indicator, kind", [("在线精品课程课均学生数", "direct"), ("互联网出口带宽", "year_over_year")])
def test_table_crop_shows_the_year_header_above_the_row(reference_run, indicator, kind):
    _, png = table_crop(reference_run, indicator, kind)
    header, row = read_bands(png)  # two bands: the rows in between are left out
    assert "序号" in header and "2023年" in header and "2024年" in header, header
    assert indicator in row and "年" not in row, row


def test_audit_command_draws_the_same_crop_from_the_folder(reference_run, tmp_path):
    folder = tmp_path / reference_run.out_dir.name
    shutil.copytree(reference_run.out_dir, folder)
    shutil.rmtree(folder / "audit_images")
    result = run_cli("audit", str(folder))
    assert result.exit_code == 0, result.output
    fid, png = table_crop(reference_run, "在线精品课程课均学生数", "direct")
    assert (folder / "audit_images" / f"{fid}-table.png").read_bytes() == png


def test_without_table_cells_the_crop_is_the_cells_row(reference_run, tmp_path):
    """An older folder without table_cells.csv: the row across the page, as before, and no error."""
    folder = tmp_path / reference_run.out_dir.name
    shutil.copytree(reference_run.out_dir, folder)
    (folder / "table_cells.csv").unlink()
    shutil.rmtree(folder / "audit_images")
    assert run_cli("audit", str(folder)).exit_code == 0
    fid, _ = table_crop(reference_run, "在线精品课程课均学生数", "direct")
    [text] = read_bands((folder / "audit_images" / f"{fid}-table.png").read_bytes())
    assert "在线精品课程课均学生数" in text and "2024年" not in text
    assert pd.read_csv(folder / "findings.csv").shape[0] == len(reference_run.frames["findings"])


def test_table_crop_of_a_table_continued_on_its_next_page(serve_output):
    """Another producer (reportlab, years without 年): 年实习专项经费 sits on page 2 of district-2024's
    附表6, whose header row is on page 1 and repeated on page 2."""
    folder = serve_output.out / "district-2024"
    findings = pd.read_csv(folder / "findings.csv", dtype=str, keep_default_na=False)
    row = findings[(findings.indicator == "年实习专项经费") & (findings.kind == "year_over_year")].iloc[0]
    assert row.table_page == "2"
    header, cells = read_bands((folder / "audit_images" / f"{row.finding_id}-table.png").read_bytes())
    assert "计量单位" in header and "2023" in header and "2024" in header, header
    assert "年实习专项经费" in cells and "万元" in cells and "11290" in cells.replace(".", ""), cells
