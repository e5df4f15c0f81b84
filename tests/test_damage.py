"""Damaged copies of the reference report: repaired before giving up, read page by page, nothing lost silently.

Each copy is damaged the way downloads and editors damage files (tests/damage.py). Where the appendix
pages are intact, all 246 appendix rows come out; the values asserted here are read off the rendered
附表 pages by hand.
"""

from __future__ import annotations

import damage
import pytest
from conftest import REFERENCE, extract_all
from outcome import run_cli, value

APPENDIX = list(range(49, 56))  # 附表1 … 附表6
# (table, indicator, year) -> value, keyed by hand from the rendered pages 49 (附表1) and 53 (附表4)
HAND_KEYED = {(1, "毕业生人数", 2023): 3913, (1, "毕业生人数", 2024): 3552, (1, "月收入", 2024): 4174,
              (1, "升入本科人数", 2023): 351, (1, "面向第三产业就业人数", 2024): 1239,
              (4, "A类：留在当地就业人数", 2023): 602, (4, "A类：留在当地就业人数", 2024): 568}


@pytest.fixture(scope="session")
def damaged(tmp_path_factory):
    """name -> the reference damaged that way, read through the pages → indicators stages (built once)."""
    folder = tmp_path_factory.mktemp("damaged")
    cache: dict[str, object] = {}
    builders = {
        "shifted_xref": lambda dst: damage.shifted_xref(REFERENCE, dst),
        "overwritten_xref": lambda dst: damage.overwritten_xref(REFERENCE, dst),
        "cut_in_trailer": lambda dst: damage.cut_in_trailer(REFERENCE, dst),
        "flipped_mediabox": lambda dst: damage.flipped_mediabox(REFERENCE, dst, 10),
        "dangling_kid": lambda dst: damage.dangling_kid(REFERENCE, dst),
        "stray_integer_kid": lambda dst: damage.stray_integer_kid(REFERENCE, dst),
        "without_fonts": lambda dst: damage.without_fonts(REFERENCE, dst, [51]),
        "cut_font_programs": lambda dst: damage.cut_font_programs(REFERENCE, dst),
        "negative_mediabox": lambda dst: damage.negative_mediabox(REFERENCE, dst, APPENDIX),
        "rotate90": lambda dst: damage.rotated(REFERENCE, dst, APPENDIX, 90),
        "rotate180": lambda dst: damage.rotated(REFERENCE, dst, APPENDIX, 180),
        "rotate270": lambda dst: damage.rotated(REFERENCE, dst, APPENDIX, 270),
        "drawn_rotated": lambda dst: damage.drawn_rotated(REFERENCE, dst, APPENDIX),
    }

    def get(name: str):
        if name not in cache:
            pdf = builders[name](folder / f"{name}.pdf")
            cache[name] = extract_all(pdf)
        return cache[name]

    return get


def _value(extracted, table_no: int, indicator: str, year: int):
    frame = extracted.indicators.frame
    rows = frame[(frame.table_no == table_no) & (frame.indicator == indicator) & (frame.year == year)]
    assert len(rows) == 1, rows
    return rows.iloc[0]["value"]


def _all_rows_and_hand_keyed_values(extracted) -> None:
    assert len(extracted.indicators.frame) == 246
    for (table_no, indicator, year), number in HAND_KEYED.items():
        assert float(_value(extracted, table_no, indicator, year)) == number, (table_no, indicator, year)


def _messages(extracted, level: str | None = None) -> list[str]:
    return [i.message for i in extracted.doc.issues if level is None or i.level == level]


@pytest.mark.parametrize("name, cause", [
    ("shifted_xref", "its catalog has no page tree (/Pages): the cross-reference table may point to the wrong places"),
    ("overwritten_xref", "it cannot be opened (PDFSyntaxError: No /Root object!"),
    ("dangling_kid", "entry 4 of the /Kids of object 5 refers to object 999, which does not exist"),
    ("stray_integer_kid", "entry 4 of the /Kids of object 5 is 7, not a reference to a page"),
])
def test_damaged_structure_is_repaired_by_qpdf(damaged, name, cause):
    extracted = damaged(name)
    repaired = [m for m in _messages(extracted, "warning") if m.startswith("the file is damaged (")]
    assert len(repaired) == 1 and cause in repaired[0] and "read from a copy repaired by qpdf" in repaired[0]
    assert extracted.doc.repaired is not None and extracted.doc.page_count == 55
    _all_rows_and_hand_keyed_values(extracted)


def test_file_cut_inside_the_trailer(damaged):
    extracted = damaged("cut_in_trailer")
    cut = [m for m in _messages(extracted, "missing") if m.startswith("the file is truncated (it ends without %%EOF")]
    assert len(cut) == 1 and "read from a copy repaired by qpdf" in cut[0]
    _all_rows_and_hand_keyed_values(extracted)


def test_a_page_with_a_bad_mediabox_is_skipped_alone(damaged):
    extracted = damaged("flipped_mediabox")
    skipped = [i for i in extracted.doc.issues if i.page == 10]
    assert [i.level for i in skipped] == ["missing"]
    assert skipped[0].message.startswith("its page boxes or content list cannot be read (MediaBox [")
    assert skipped[0].message.endswith("the page is skipped, its content is missing")
    page = extracted.doc.pages[9]
    assert (page.number, page.source, page.lines) == (10, "empty", [])
    assert (page.width, page.height) == pytest.approx((595.3, 841.9), abs=0.1)  # its neighbours' size
    assert all(p.lines for p in extracted.doc.pages[10:]), "every other page is read"
    _all_rows_and_hand_keyed_values(extracted)


def test_text_drawn_with_fonts_that_are_gone_is_a_missing_warning(damaged):
    extracted = damaged("without_fonts")
    lost = [i for i in extracted.doc.issues if i.page == 51]
    assert len(lost) == 1 and lost[0].level == "missing"
    assert "characters are drawn with fonts the page's resources do not have (F1" in lost[0].message
    assert lost[0].message.endswith("their text is missing")
    page = extracted.doc.pages[50]
    assert page.source == "empty" and page.chars == [] and page.damage  # not OCRed: PDFium would draw stand-in glyphs
    assert page.rules, "the page's rules are still read"
    assert _value(extracted, 1, "毕业生人数", 2023) == 3913  # the other pages' tables are whole


def test_font_programs_cut_short_are_read_through_tounicode(damaged):
    extracted = damaged("cut_font_programs")
    rescued = _messages(extracted, "warning")
    assert rescued and all("its embedded program cannot be read" in m for m in rescued)
    assert any(m.startswith("font CAAAAA+NotoSansCJKjp-Regular-VKana:") for m in rescued)
    _all_rows_and_hand_keyed_values(extracted)
    assert extracted.doc.pages[48].lines[0].text.replace(" ", "") == "附表1人才培养质量计分卡"


def test_negative_mediabox_pages_are_measured_from_their_corner(damaged):
    extracted = damaged("negative_mediabox")
    page = extracted.doc.pages[48]
    assert page.printed == "44", "the running footer is found in the page's bottom band"
    assert all(0 <= ln.top < ln.bottom <= page.height for ln in page.lines)
    assert page.lines[0].text.replace(" ", "") == "附表1人才培养质量计分卡"
    _all_rows_and_hand_keyed_values(extracted)


@pytest.mark.parametrize("name, rotation, turn", [
    ("rotate90", 90, 270), ("rotate180", 180, 180), ("rotate270", 270, 90), ("drawn_rotated", 0, 90),
])
def test_turned_pages_are_read_upright(damaged, reference, name, rotation, turn):
    extracted = damaged(name)
    for number in APPENDIX:
        page, upright = extracted.doc.pages[number - 1], reference.doc.pages[number - 1]
        assert (page.rotation, page.turn) == (rotation, turn)
        assert page.notes[0] == f"its text runs turned as displayed: read turned {turn}° clockwise"
        assert [ln.text for ln in page.lines] == [ln.text for ln in upright.lines]
        assert (page.width, page.height) == pytest.approx((upright.width, upright.height))
    _all_rows_and_hand_keyed_values(extracted)


def test_damaged_report_ends_with_warnings_in_the_manifest(tmp_path):
    pdf = damage.flipped_mediabox(damage.shifted_xref(REFERENCE, tmp_path / "a.pdf"), tmp_path / "both.pdf", 10)
    o = run_cli(pdf, tmp_path / "out")
    assert o.status == "partial"
    pages = {w["page"]: w for w in o.manifest["warnings"] if w["stage"] == "pages"}
    assert pages[10]["level"] == "missing" and "the page is skipped" in pages[10]["message"]
    assert pages[None]["message"].startswith("the file is damaged (")
    assert value(o, 1, "毕业生人数", 2023) == "3913" and len(o.csv("indicators")) == 246
    assert o.csv("pages").iloc[9][["source", "lines"]].tolist() == ["empty", "0"]


def test_audit_images_of_moved_and_turned_pages(tmp_path, reference_run):
    """Appendix pages with a negative MediaBox, shown turned by /Rotate 90: the audit cuts the same evidence
    images from them as from the upright reference."""
    from PIL import Image, ImageChops

    from pipeline.process import process_report

    moved = damage.negative_mediabox(REFERENCE, tmp_path / "moved.pdf", APPENDIX)
    pdf = damage.rotated(moved, tmp_path / "moved-turned.pdf", APPENDIX, 90)
    result = process_report(pdf, tmp_path / "out")
    assert [r.status for r in result.stages if r.name == "audit"] == ["ok"]
    upright = sorted((reference_run.out_dir / "audit_images").glob("*-table.png"))
    assert upright
    for image in upright:
        mine = result.out_dir / "audit_images" / image.name
        a, b = Image.open(image).convert("L"), Image.open(mine).convert("L")
        assert a.size == b.size, image.name
        difference = ImageChops.difference(a, b)
        assert sum(difference.histogram()[40:]) < 0.01 * a.size[0] * a.size[1], image.name


def test_lost_text_is_in_the_audit_summary(tmp_path):
    """A page whose /Font resources are gone: its loss is a warning of the manifest and of the audit report."""
    import html
    import json

    from pipeline.process import process_report
    from pipeline.words import warning_text, words

    pdf = damage.without_fonts(REFERENCE, tmp_path / "fontless.pdf", [51])
    result = process_report(pdf, tmp_path / "out")
    folder = result.out_dir
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    lost = [w for w in manifest["warnings"] if w["level"] == "missing" and w["page"] == 51]
    page = (folder / "audit.html").read_text(encoding="utf-8")
    said = [warning_text(w, words("zh")) for w in lost]  # the audit is in Chinese by default
    assert lost and all(html.escape(text) in page for text in said) and all("548" in text for text in said)
    assert "结果中缺失的内容" in (folder / "audit.md").read_text(encoding="utf-8")  # "Missing from the results"


def test_rows_lost_with_a_fontless_page_are_named(damaged):
    """附表3's first page (p.51) lost its text: its second page (p.52, header repeated) is still taken for the
    教学资源表 by its indicator names, and every indicator the template expects there and the page lost is a
    missing warning of the indicators stage."""
    extracted = damaged("without_fonts")
    frame = extracted.indicators.frame
    resources = frame[frame.table_kind == "教学资源表"]
    assert set(resources.page) == {52}
    books = resources[(resources.indicator == "编写教材数") & (resources.year == 2024)]
    assert books.value.tolist() == [42]  # p.52, read off the page
    absent = [i.message for i in extracted.indicators.issues if i.level == "missing" and i.page == 52]
    [line] = [m for m in absent if m.startswith("教学资源表 (p.52): ")]  # one line for the table, naming each one
    assert "'生师比' (:)" in line
    assert "'在线精品课程课均学生数' (人/门)" in line
    assert "'编写教材数'" not in line


def _contents(entries) -> list[bytes]:
    """Each page's content streams, in page order: which page objects the reader reads, and in what order."""
    from pdfminer.pdftypes import resolve1

    return [b"".join(resolve1(stream).get_data() for stream in entry.page.page_obj.contents) for entry in entries]


@pytest.fixture(scope="module")
def reference_contents():
    from pipeline.pages.opening import close, open_pdf

    opened = open_pdf(REFERENCE, None, 0)
    try:
        return _contents(opened.entries)
    finally:
        close(opened.pdf)


@pytest.mark.parametrize("build, said", [
    (lambda dst: damage.zeroed_xref(REFERENCE, dst),
     ["read from a copy re-saved by PDFium, as the repairs tried first failed (qpdf: ", "unable to find /Root"]),
    (lambda dst: damage.scrambled_xref(REFERENCE, dst, seed=1),
     ["read from a copy re-saved by PDFium, as the repairs tried first failed (qpdf: ", "unable to find /Root"]),
    (lambda dst: damage.page_tree_loop(REFERENCE, dst, at=3),
     ["entry 4 of the /Kids of object 5 refers again to object 5, a node above it (a loop in the page tree): "
      "the repetition is skipped", "read from a copy whose page list was rebuilt from the page objects"]),
    (lambda dst: damage.page_tree_loop(REFERENCE, dst, at=20, depth=1),
     ["refers again to object 5, a node above it (a loop in the page tree): the repetition is skipped"]),
    (lambda dst: damage.repeated_kid(REFERENCE, dst, at=30, page=10),
     ["entry 31 of the /Kids of object 5 refers again to object 18, already reached as entry 10 of the /Kids of "
      "object 5 (listed twice in the page tree): the repetition is skipped"]),
    (lambda dst: damage.zeroed_xref(damage.page_tree_loop(REFERENCE, dst.with_name("loop.pdf")), dst),
     ["re-saved by PDFium", "in PDFium's copy: entry 4 of the /Kids of object 5 refers again to object 5"]),
], ids=["xref-zeroed", "xref-scrambled", "loop", "loop-below", "repeated-kid", "loop-and-zeroed-xref"])
def test_damage_qpdf_cannot_repair_keeps_every_page_once(tmp_path, reference_contents, build, said):
    """Damage qpdf cannot repair (no /Root: offsets zeroed or moved at random) or refuses (a loop), and a page
    listed twice (qpdf would make it a second page): the pages are read from PDFium's copy or from the page list
    rebuilt from the page objects, every page once in the reference's order, with a warning naming the damage.
    (All 246 appendix rows of such copies: tests/test_fuzz.py.)"""
    from pipeline.pages.opening import close, open_pdf

    opened = open_pdf(build(tmp_path / "damaged.pdf"), None, 0)
    try:
        assert _contents(opened.entries) == reference_contents
        assert [e.number for e in opened.entries] == list(range(1, 56)) and all(e.problem is None for e in opened.entries)
        assert len(opened.issues) == 1 and opened.issues[0].message.startswith("the file is damaged (")
        assert all(text in opened.issues[0].message for text in said), opened.issues[0].message
    finally:
        close(opened.pdf)
        opened.scratch.cleanup()
