"""Real-world scans: the reference as a photocopier or a phone makes it (150 dpi, grey, tilted by half a
degree, JPEG quality 60; tests/damage.py photocopy), read by OCR end to end; and the parts that make
it work (deskew, dotted leaders, closed-set cells).

The whole-report run is one OCR run per session, shared by the slow tests."""

from __future__ import annotations

import damage
import numpy as np
import pdfs
import pytest
from conftest import REFERENCE
from reportlab.pdfgen import canvas
from scans import SHOWN, compare_appendix, silent_errors

from pipeline.config import OcrSettings
from pipeline.pages.ocr.cells import closed_cells, closed_set, nearest
from pipeline.pages.ocr.deskew import erase_leaders, skew_angle
from pipeline.process import process_report


@pytest.fixture(scope="session")
def photocopy_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photocopy")
    scan = damage.photocopy(REFERENCE, folder / "pudong-photocopy.pdf", dpi=150, angle=0.5, quality=60)
    return process_report(scan, folder / "out")


@pytest.mark.slow
def test_photocopy_appendix_records(photocopy_run, reference_run, capsys):
    both, value, record = compare_appendix(reference_run.frames["indicators"], photocopy_run.frames["indicators"])
    with capsys.disabled():
        print(f"\nphotocopy: {value.sum()} of {len(both)} appendix values and {record.sum()} records (value and unit) right")
    assert len(both) == 246
    assert record.sum() >= 240, both[~record][SHOWN].to_string()


@pytest.mark.slow
def test_photocopy_hand_keyed_cells(photocopy_run):
    """Read by hand off page 49 (附表1) of the reference."""
    frame = photocopy_run.frames["indicators"]
    table1 = frame[frame.table_no == 1].set_index(["indicator", "year"])
    assert (table1.loc[("毕业生人数", 2023), "value"], table1.loc[("毕业生人数", 2023), "unit"]) == (3913, "人")
    assert (table1.loc[("月收入", 2024), "value"], table1.loc[("月收入", 2024), "unit"]) == (4174, "元")
    assert (table1.loc[("毕业生本省去向落实率", 2023), "value"], table1.loc[("毕业生本省去向落实率", 2023), "unit"]) == (89.3, "%")


@pytest.mark.slow
def test_photocopy_cases_toc_and_deskew(photocopy_run):
    frames = photocopy_run.frames
    assert sorted(frames["cases"].case_no.tolist()) == list(range(1, 14))  # the 案例目录 page's entries are not cases
    toc = frames["toc"]
    listed = set(toc[toc.kind == "case"].number)
    assert len(listed & {f"案例{n}" for n in range(1, 14)}) >= 12, sorted(listed)
    notes = frames["pages"].notes
    angles = notes.str.extract(r"deskewed by ([-+]\d+\.\d+)°")[0].astype(float)
    assert angles.notna().all(), "every page is straightened (the copy is tilted 0.5° counter-clockwise)"
    assert angles.median() == pytest.approx(-0.5, abs=0.05) and angles.between(-0.8, -0.2).all()
    assert notes.str.contains(f"OCRed by {OcrSettings().engine}").all()
    if OcrSettings().engine == "tesseract":  # PP-OCR reads this copy's units and row numbers right at once
        assert notes.str.contains("cells read against their closed set").any()


def _tilted_rules(tmp_path, degrees: float) -> np.ndarray:
    """A page of ruled rows rendered at 100 dpi, turned by ``degrees`` (counter-clockwise)."""
    from PIL import Image

    pdf = pdfs.split_appendix_table(tmp_path / "rows.pdf")
    scan = damage.photocopy(pdf, tmp_path / "tilted.pdf", dpi=100, angle=degrees, quality=90, pages=[1])
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(scan))
    image = document[0].render(scale=100 / 72, grayscale=True).to_pil().convert("L")
    document.close()
    return np.array(Image.Image.copy(image))


@pytest.mark.parametrize("degrees", [2.0, -3.5, 0.5])
def test_deskew_finds_the_tilt(tmp_path, degrees):
    angle = skew_angle(_tilted_rules(tmp_path, degrees))
    assert angle == pytest.approx(-degrees, abs=0.1)


def test_dotted_leaders_are_erased_and_text_kept(tmp_path):
    pdf = tmp_path / "toc.pdf"
    c = canvas.Canvas(str(pdf), pagesize=pdfs.A4)
    pdfs.text(c, 90, 100, "案例 1 贯彻全面发展理念" + "." * 40 + "5")
    c.save()
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    image = np.array(document[0].render(scale=150 / 72, grayscale=True).to_pil().convert("L"))
    document.close()
    clean, erased = erase_leaders(image, 150 / 72)
    assert erased == 1
    ink_before, ink_after = (image < 160).sum(), (clean < 160).sum()
    assert 0 < ink_before - ink_after < 0.2 * ink_before  # the dots are gone, the characters stay


def test_closed_columns_under_their_headers():
    cells = [(0, 0, 40, 20), (40, 0, 200, 20), (200, 0, 240, 20),  # 序号 | 指标 | 单位
             (0, 20, 40, 40), (40, 20, 200, 40), (200, 20, 240, 40)]
    texts = ["序号", "指标", "单 位", "1", "毕业生人数", "大"]
    assert closed_cells(cells, texts) == {"serial": [3], "unit": [5]}


def test_nearest_member_of_the_unit_set():
    units = closed_set("unit")
    assert nearest("人", ["人", "人"], units) == ("人", None)  # read right the first time
    assert nearest("大", ["人", ""], units) == ("人", "大→人")  # the whitelisted reading is a unit
    assert nearest("人", ["个", "人"], units) == ("个", "人→个")  # the enlarged whitelisted reading wins
    assert nearest("0", ["", "%"], units) == ("%", "0→%")
    assert nearest("9%0", ["%0", ""], units) == ("%", "9%0→%")  # one character off one unit
    assert nearest("%%", ["%%"], units) == ("%", "%%→%")  # ％ and % are one unit
    assert nearest("址", ["", ""], units) == ("址", None)  # nothing to go on: kept as read
    assert nearest("l2", ["12"], closed_set("serial")) == ("12", "l2→12")


@pytest.mark.slow
def test_no_wrong_value_on_the_office_scan_without_a_doubt_or_a_warning(photocopy_run, reference_run):
    """Every appendix cell the OCR got wrong is either to be read by eye or named by a warning."""
    silent = silent_errors(reference_run.frames["indicators"], photocopy_run)
    assert silent.empty, silent.to_string()
