"""Phone photographs of a report (tests/damage.py photograph: colour, 200 dpi, the sheet at an angle on a desk, one
side 25 % darker, slightly blurred, JPEG quality 70, a red seal on the cover and over the bottom of 附表6), read
by OCR; and the parts that make it work (red seal ink, perspective, uneven light, school names on OCR'd pages).

The whole-report runs are slow: the photographed pages are the ones that matter (cover, the school table, the
pages of two boxed cases, the appendix), one OCR run per session shared by the slow tests."""

from __future__ import annotations

import cv2
import damage
import numpy as np
import pytest
from conftest import REFERENCE
from scans import SHOWN, compare_appendix, seal_places, silent_errors

from pipeline.pages.ocr.photo import _ordered, flattened, prepare, sheet_corners, straightened
from pipeline.process import process_report
from pipeline.records import Cell, Table
from pipeline.schools import SchoolDirectory

# ---------------------------------------------------------------- synthetic pages

WIDTH, HEIGHT = 800, 1100


def _page_with_digits() -> np.ndarray:
    """A white RGB page with a row of large black digits in its middle."""
    page = np.full((HEIGHT, WIDTH, 3), 255, np.uint8)
    cv2.putText(page, "464.26", (230, 570), cv2.FONT_HERSHEY_SIMPLEX, 2.5, (0, 0, 0), 6, cv2.LINE_AA)
    return page


def test_red_seal_ink_goes_and_black_digits_under_it_stay():
    clean = _page_with_digits()
    digits = cv2.cvtColor(clean, cv2.COLOR_RGB2GRAY) < 100
    sealed = clean.copy()
    damage.stamp(sealed, (400, 550), 360, opacity=0.9, seed=3)
    ring = (cv2.cvtColor(sealed, cv2.COLOR_RGB2GRAY) < 160) & ~cv2.dilate(digits.astype(np.uint8), np.ones((5, 5))).astype(bool)
    assert ring.sum() > 5000, "the seal is ink a plain grey conversion keeps"
    grey, notes = prepare(sealed)
    assert len(notes) == 1  # the seal noted (no sheet edge, even light)
    assert (grey[ring] > 200).mean() > 0.97, "the seal's ring, star and letters are paper"
    assert (grey[digits] < 100).mean() > 0.95, "the digits under the seal are still black"


def test_a_grey_page_is_left_as_it_is():
    grey = cv2.cvtColor(_page_with_digits(), cv2.COLOR_RGB2GRAY)
    out, notes = prepare(np.dstack([grey] * 3))
    assert notes == [] and np.array_equal(out, grey)


def _ruled_sheet() -> tuple[np.ndarray, list[tuple[int, int]]]:
    """A white RGB page holding a ruled box, and the box's corners."""
    page = np.full((HEIGHT, WIDTH, 3), 255, np.uint8)
    box = [(100, 150), (700, 150), (700, 900), (100, 900)]
    cv2.rectangle(page, box[0], box[2], (0, 0, 0), 3)
    cv2.line(page, (100, 400), (700, 400), (0, 0, 0), 3)
    return page, box


def _box_corners(grey: np.ndarray) -> np.ndarray:
    ink = (grey < 128).astype(np.uint8)
    contours, _ = cv2.findContours(ink, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    box = max(contours, key=cv2.contourArea)
    quad = cv2.approxPolyDP(box, 0.02 * cv2.arcLength(box, True), True).reshape(-1, 2)
    assert len(quad) == 4
    return _ordered(quad.astype(np.float32))  # top left, top right, bottom right, bottom left


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sheet_photographed_at_an_angle_comes_back_square(seed):
    page, box = _ruled_sheet()
    photo = damage._photographed(page, np.random.default_rng(seed), darker=0.0, blur=0.6, skew_share=(0.01, 0.02))
    grey = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)
    bent = _box_corners(grey)
    expected = np.array(box)
    assert np.abs(bent - expected).max() > 8, "the photograph moved the box's corners"
    corners = sheet_corners(grey)
    assert corners is not None
    assert np.abs(_box_corners(straightened(grey, corners)) - expected).max() <= 3


def test_a_page_filling_its_image_has_no_sheet_to_find():
    page, _ = _ruled_sheet()
    assert sheet_corners(cv2.cvtColor(page, cv2.COLOR_RGB2GRAY)) is None


def test_uneven_light_is_flattened():
    page, box = _ruled_sheet()
    cv2.putText(page, "12206", (150, 300), cv2.FONT_HERSHEY_SIMPLEX, 2, (0, 0, 0), 4)
    grey = cv2.cvtColor(page, cv2.COLOR_RGB2GRAY).astype(np.float32)
    shaded = (grey * np.linspace(1.0, 0.72, WIDTH, dtype=np.float32)[None, :]).astype(np.uint8)
    left, right = shaded[600:700, 120:200], shaded[600:700, 600:680]
    assert float(left.mean()) - float(right.mean()) > 35, "one side is darker"
    flat, spread = flattened(shaded)
    assert spread > 35
    assert abs(float(flat[600:700, 120:200].mean()) - float(flat[600:700, 600:680].mean())) < 8
    assert (flat[grey < 60] < 100).mean() > 0.95, "print stays dark"
    assert flattened(grey.astype(np.uint8))[1] == 0, "even light is left alone"


# ---------------------------------------------------------------- school names on OCR'd tables


def _school_table(names: list[str]) -> Table:
    cells = [Cell(0, 0, 1, 1, "学校名称", 7, (0, 0, 10, 10))]
    cells += [Cell(r, 0, 1, 1, name, 7, (0, 10 * r, 10, 10 * r + 10)) for r, name in enumerate(names, 1)]
    return Table("t1", "图表 2", [7], "lattice", len(names) + 1, 1, cells, (0, 0, 10, 10 * len(names) + 10))


def test_a_row_number_read_as_a_character_is_not_part_of_a_school_name():
    names = ["工上海浦东职业技术学院", "1 上海市群星职业技术学校", "工 上海市浦东外事服务学校", "l 上海市航空服务学校",
             "上海海事大学附属职业技术学校"]
    directory = SchoolDirectory.from_tables([_school_table(names)])
    assert directory.names == ["上海浦东职业技术学院", "上海市群星职业技术学校", "上海市浦东外事服务学校",
                               "上海市航空服务学校", "上海海事大学附属职业技术学校"]
    assert directory.find("上海浦东职业技术学院2024年开始招生") == ["上海浦东职业技术学院"]


def test_a_school_name_opening_otherwise_keeps_its_first_character():
    names = ["工商职业技术学校", "上海市群星职业技术学校", "上海市航空服务学校"]
    assert SchoolDirectory.from_tables([_school_table(names)]).names == names


# ---------------------------------------------------------------- the photographed report

PAGES = [1, 7, 22, 23, 40, 41, *range(49, 56)]  # cover, school table (图表2), cases 6 and 13 in their boxes, appendix


@pytest.fixture(scope="session")
def photo_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photo")
    places = seal_places(REFERENCE)
    photo = damage.photograph(REFERENCE, folder / "pudong-photo.pdf", seals=places, pages=PAGES)
    return process_report(photo, folder / "out")


@pytest.mark.slow
def test_photo_appendix_cells(photo_run, reference_run, capsys):
    both, value, record = compare_appendix(reference_run.frames["indicators"], photo_run.frames["indicators"])
    with capsys.disabled():
        print(f"\nphone photo: {value.sum()} of {len(both)} appendix values and {record.sum()} records (value and unit) right")
    assert len(both) == 246
    assert record.sum() >= 234, both[~record][SHOWN].to_string()


@pytest.mark.slow
def test_photo_cells_under_the_seal(photo_run):
    """Read by hand off page 55 (附表6) of the reference: the last four rows, which the seal covers in the photo."""
    frame = photo_run.frames["indicators"]
    table6 = frame[frame.table_no == 6].set_index(["indicator", "year"])
    expected = {("行业导师年课时总量", 2023): (4022, "课时"), ("行业导师年课时总量", 2024): (3703, "课时"),
                ("年支付行业导师课酬", 2023): (94.14, "万元"), ("年支付行业导师课酬", 2024): (56.92, "万元"),
                ("年实习专项经费", 2023): (464.26, "万元"), ("年实习专项经费", 2024): (112.90, "万元"),
                ("年实习责任保险经费", 2023): (15.41, "万元"), ("年实习责任保险经费", 2024): (9.45, "万元")}
    for key, (value, unit) in expected.items():
        assert (table6.loc[key, "value"], table6.loc[key, "unit"]) == (pytest.approx(value), unit), key


@pytest.mark.slow
def test_photo_pages_are_straightened_and_the_seal_noted(photo_run):
    notes = photo_run.frames["pages"].set_index("page").notes
    assert notes.str.contains("透视|perspective").all()
    assert notes.str.contains("印章|seal").sum() == 2  # the cover and 附表6's page


@pytest.mark.slow
def test_photo_cases_keep_to_their_boxes_and_name_their_schools(photo_run):
    """Read by hand off pages 22-23 and 40-41 of the reference: 案例6 and 案例13, each in a tinted box."""
    cases = {c.case_no: c for c in photo_run.cases.cases}
    assert cases[6].schools == ["上海第二工业大学附属浦东振华外经职业技术学校", "上海市群星职业技术学校",
                                "上海电机学院附属科技学校（上海市临港科技学校）"]
    assert cases[6].text.replace(" ", "").endswith("学校参赛队荣获二等奖。")  # the box ends there, page 23
    assert cases[13].schools == ["上海电机学院附属科技学校（上海市临港科技学校）", "上海市浦东外事服务学校",
                                 "上海市群星职业技术学校"]
    assert "永达" in cases[13].text  # the box runs on to page 41


# ---------------------------------------------------------------- table grids


def _table_image(broken: bool) -> tuple[np.ndarray, float]:
    """A grey page (100 dpi) holding a ruled table: a title row spanning five columns with text across its
    inner edges, a header row, two body rows. With ``broken``, the header's last inner border is a faint
    dashed stroke (what blur and JPEG leave of a thin rule), too short in pieces for the line finder."""
    scale = 100 / 72
    image = np.full((int(842 * scale), int(595 * scale)), 255, np.uint8)
    xs = [90, 140, 300, 350, 430, 505]
    ys = [160, 185, 205, 225, 245]
    px = lambda v: int(round(v * scale))  # noqa: E731
    for y in ys:
        cv2.line(image, (px(xs[0]), px(y)), (px(xs[-1]), px(y)), 0, 1)
    for x in (xs[0], xs[-1]):
        cv2.line(image, (px(x), px(ys[0])), (px(x), px(ys[-1])), 0, 1)
    for x in xs[1:-1]:
        cv2.line(image, (px(x), px(ys[2])), (px(x), px(ys[-1])), 0, 1)  # the body rows' borders
        if x != xs[-2] or not broken:
            cv2.line(image, (px(x), px(ys[1])), (px(x), px(ys[2])), 0, 1)  # the header's
    if broken:
        for y in range(px(ys[1]), px(ys[2]), 6):
            cv2.line(image, (px(xs[-2]), y), (px(xs[-2]), min(y + 4, px(ys[2]))), 150, 1)
    cv2.putText(image, "NAME: PUDONG DISTRICT EDUCATION (310115)", (px(95), px(178)), cv2.FONT_HERSHEY_SIMPLEX, 0.75, 0, 2)
    return image, scale


def _cells_at(rules, top: float) -> list:
    """The cells of the table found in ``rules`` whose top is at ``top`` (points), left to right."""
    from pipeline.pages.rules import ruled_cells

    cells = max(ruled_cells(rules, 595, 842, 3.0), key=len)
    return sorted(c for c in cells if abs(c[1] - top) < 2)


def test_a_broken_header_border_is_completed_and_no_column_lost():
    from pipeline.config import OcrSettings
    from pipeline.pages.ocr import find_rules
    from pipeline.pages.ocr.tables import completed_rules

    image, scale = _table_image(broken=True)
    rules, _ = find_rules(image, scale, OcrSettings())
    assert len(_cells_at(rules, 185)) == 4, "the line finder alone merges the last two header cells"
    rules, added = completed_rules(image, rules, scale)
    assert len(added) == 1
    header = _cells_at(rules, 185)
    assert [c[0] for c in header] == pytest.approx([90, 140, 300, 350, 430], abs=1.5)
    assert len(_cells_at(rules, 160)) == 1, "the title row's text across the inner edges is no border: it stays one cell"


def test_an_unbroken_table_gets_nothing_added():
    from pipeline.config import OcrSettings
    from pipeline.pages.ocr import find_rules
    from pipeline.pages.ocr.tables import completed_rules

    image, scale = _table_image(broken=False)
    rules, _ = find_rules(image, scale, OcrSettings())
    assert completed_rules(image, rules, scale)[1] == []


def test_an_unread_header_is_named_by_column_and_row():
    from pipeline.pages.ocr.tables import Slot, unread_headers
    from pipeline.pages.ocr.tesseract import Word

    cells = [(90, 185, 140, 205), (140, 185, 300, 205), (300, 185, 350, 205), (350, 185, 430, 205),  # header row
             (90, 205, 140, 225), (140, 205, 300, 225), (300, 205, 350, 225), (350, 205, 430, 225),
             (90, 225, 140, 245), (140, 225, 300, 245), (300, 225, 350, 245), (350, 225, 430, 245)]
    slots = [Slot(0, 20 * i, 10, 10, 0, 0, cell) for i, cell in enumerate(cells)]
    texts = ["序号", "指标", "单位", "", "1", "", "人", "12206", "2", "年生均财政拨款水平", "元", "10661.00"]
    read = {i: [Word(text, 0, 20 * i, 10, 10, 90.0, (i,))] for i, text in enumerate(texts) if text}
    assert unread_headers(slots, read) == [("column", 4)]  # 2024年 under the seal: the 4th column's header
    first_row = {i: w for i, w in read.items() if i < 8 and i != 4}
    assert unread_headers(slots[:8], first_row) == [("row", 2)]  # one number under the 4th header: no year lost to it
    assert unread_headers(slots, {i: w for i, w in read.items() if i != 4}) == [("column", 4), ("row", 2)]


# ---------------------------------------------------------------- cases on OCR'd pages


def _line(page: int, text: str, x0: float, top: float, x1: float):
    from pipeline.records import Line

    return Line(page, text, (x0, top, x1, top + 12), 12.0, False, source="ocr")


def test_a_list_of_cases_whose_heading_ocr_misread_gives_no_cases():
    """A 案例目录 read by OCR with its heading garbled (等例目邓): the sections stage does not see a contents
    page, yet its entries, each with a page number at the right, are no case headings."""
    from pipeline.cases import _lists_cases
    from pipeline.records import Page

    listing = Page(5, 595, 842, 0, lines=[_line(5, "等例目邓", 267, 77, 330)])
    for k, (title, page) in enumerate([("贯彻全面发展理念，培养学生综合素养", "5"), ("推进市级优质专业建设", "7"),
                                       ("深化内涵建设，推动课程教学改革", "9"), ("落实培养培训制度", "12")]):
        listing.lines += [_line(5, f"案例{k + 1} {title}", 91, 125 + 27 * k, 330), _line(5, page, 495, 126 + 27 * k, 505)]
    assert _lists_cases(listing)
    body = Page(9, 595, 842, 0, lines=[_line(9, "案例3 深化内涵建设，推动课程教学改革", 91, 125, 330),
                                      _line(9, "上海市群星职业技术学校以市重点教改项目建设为契机", 91, 150, 505)])
    assert not _lists_cases(body)


def test_a_bold_numbered_line_on_an_ocrd_page_is_a_heading_a_case_ends_at():
    from pipeline.cases import _numbered_heading
    from pipeline.records import Line

    def line(text: str, bold: bool) -> Line:
        return Line(24, text, (90, 100, 300, 112), 12.0, bold, source="ocr")

    assert _numbered_heading(line("2 服务贡献", True)) and _numbered_heading(line("2.1 服务国家战略", True))
    assert not _numbered_heading(line("2.1 服务国家战略", False))  # body type
    assert not _numbered_heading(line("2024 年，6 所中职学校对接云南保山、丽江、楚雄。", True))  # a sentence


def test_an_unread_header_warning_names_the_table_by_its_caption_and_the_page():
    from pipeline.pages.ocr import _unread_warnings
    from pipeline.pages.ocr.tesseract import Word
    from pipeline.words import RECORDS, words

    scale = 2.0  # pixels per point
    caption = [Word("表6", 300, 300, 40, 24, 95.0, (1, 1, 1, 3)), Word("落实政策表", 350, 300, 120, 24, 95.0, (1, 1, 1, 3))]
    far = [Word("附表6", 100, 100, 60, 30, 95.0, (1, 1, 1, 1))]
    table = (90.0, 170.0, 505.0, 520.0)
    [said] = _unread_warnings([(table, "column", 5)], far + caption, scale, 55)
    t = words(RECORDS)
    warning = t(said["key"], **said["fields"])  # a catalogue word, said in the reader's language when shown
    assert warning == t("photo.header_unread", table=t("photo.table_under", caption="表6落实政策表"), page=t.page(55),
                        position=5, axis=t("photo.axis.column"))
    assert "表6落实政策表" in warning and "55" in warning
    assert "“表6落实政策表”下的表格（PDF第55页）第 5 列" in words("zh")(said["key"], **said["fields"])
    [alone] = _unread_warnings([(table, "row", 3)], far, scale, 55)
    assert t("photo.table_here") in t(alone["key"], **alone["fields"])


@pytest.mark.parametrize("moved", [[(8, 12), (-24, 20), (-10, -8), (20, -18)], [(22, 10), (-22, 10), (0, 0), (0, 0)]])
def test_a_table_photographed_at_an_angle_without_the_paper_edge_comes_back_square(moved):
    """The sheet fills the photograph (no desk around it, no paper edge): the table's frame is brought back square."""
    page, _ = _ruled_sheet()
    frame = np.float32([[0, 0], [WIDTH, 0], [WIDTH, HEIGHT], [0, HEIGHT]])
    matrix = cv2.getPerspectiveTransform(frame, frame + np.float32(moved))
    photo = cv2.warpPerspective(page, matrix, (WIDTH, HEIGHT), borderValue=(255, 255, 255))
    grey = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)
    assert sheet_corners(grey) is None
    tl, tr, br, bl = _box_corners(grey)
    assert abs(tl[0] - bl[0]) > 5 or abs(tr[0] - br[0]) > 5 or abs(tl[1] - tr[1]) > 5, "the box is bent"
    out, notes = prepare(photo)
    tl, tr, br, bl = _box_corners(out)
    assert len(notes) == 1
    assert abs(tl[0] - bl[0]) <= 2 and abs(tr[0] - br[0]) <= 2  # upright sides
    assert abs(tl[1] - tr[1]) <= 2 and abs(bl[1] - br[1]) <= 2  # level top and bottom


def test_a_turned_table_is_left_to_deskew():
    page, _ = _ruled_sheet()
    turn = cv2.getRotationMatrix2D((WIDTH / 2, HEIGHT / 2), 1.0, 1.0)
    turned = cv2.warpAffine(page, turn, (WIDTH, HEIGHT), borderValue=(255, 255, 255))
    assert prepare(turned)[1] == []


@pytest.mark.slow
def test_no_wrong_value_on_the_phone_photo_without_a_doubt_or_a_warning(photo_run, reference_run):
    """Every appendix cell the OCR got wrong is either to be read by eye or named by a warning."""
    silent = silent_errors(reference_run.frames["indicators"], photo_run)
    assert silent.empty, silent.to_string()
