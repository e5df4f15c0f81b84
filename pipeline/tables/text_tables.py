"""Tables printed without any rules, found from their header row: words a header prints (序号; 指标 or
指标名称; 单位 or 计量单位; year columns 2023, 2023年, 2023年度; 调查人次 …) standing apart on one
baseline. The table runs down from the header while the text keeps to its columns; it ends at a line
that crosses from one column into the next (running text, a note), a caption, or a wide gap. Rows
come from the text lines as in a 三线表 body (text_rows.py).

A header of a few short words with a name column's word (学校名称, 名称) right under a numbered
caption is one too. Its words stand centred over wide columns, so the body is not held to them: it
runs between the page's text margins down to running text (a line nearly as wide as the text), a
caption, a note or a wide gap."""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from ..geometry import centre_inside, overlap, union_bbox
from ..records import BBox, Line, Page
from ..schools import SCHOOL_HEADER
from .captions import CAPTION
from .grid import Grid
from .open_rules import column_bounds
from .strategy import GridStrategy, PageContext
from .text_rows import BASELINE_SHARE, band_layout

LABEL = re.compile(r"^(指标|指标名称|项目|项目名称)$")
OTHER = re.compile(r"^(序号|单位|计量单位|(?:19|20)\d{2}(?:年|年度)?|调查人次|调查人数|调查方式|备注)$")
NOTE = re.compile(r"^(注|说明|备注|数据来源|资料来源)[:：]")
UNIT_OR_YEAR = re.compile(r"^(单位|计量单位|(?:19|20)\d{2}(?:年|年度)?)$")
NAME_HEADER = re.compile(r"^(\S*名称|" + "|".join(SCHOOL_HEADER) + ")$")
# A header under a caption: this many words at most, each at most this many characters...
MAX_CAPTIONED_WORDS, MAX_HEADER_WORD = 8, 8
# ...its caption at most this many type sizes above it.
CAPTION_DISTANCE = 3
# A word wider than this share of the text width is running text.
RUNNING_SHARE = 0.8
# A table without rules has at least this many rows under its header.
MIN_BODY_ROWS = 2
# Under a captioned header, a line in type this much larger than the header's is a heading after the table.
HEADING_SIZE = 1.1
# It ends where the next baseline is further below the last than this many row pitches.
MAX_GAP_PITCHES = 2.5


@dataclass
class _Word:
    text: str
    bbox: BBox


class TextTables(GridStrategy):
    """The tables without rules of a page, outside the tables already found."""
    name = "text_tables"

    def grids(self, page: Page, found: list[Grid], context: PageContext) -> list[Grid]:
        taken = [g.bbox for g in found]
        grids: list[Grid] = []
        headers = [(h, False) for h in header_rows(page)] + [(h, True) for h in captioned_headers(page)]
        for header, captioned in headers:
            box = (header[0].bbox[0], header[0].bbox[1], header[-1].bbox[2], header[0].bbox[3])
            if any(overlap(box, t) > 0.5 or centre_inside(box, t) for t in taken + [g.bbox for g in grids]):
                continue
            grid = _grid_under(page, header, captioned)
            if grid:
                grids.append(grid)
        return grids


def header_rows(page: Page) -> list[list[_Word]]:
    """Baselines that print a table header: a label column word, a unit or year word, three or more
    header words in all, and nothing much else."""
    if not may_hold_header(page):
        return []
    out = []
    for words in _baselines(page):
        texts = [w.text for w in words]
        keys = [t for t in texts if LABEL.match(t) or OTHER.match(t)]
        if (len(keys) >= 3 and any(LABEL.match(t) for t in texts) and any(UNIT_OR_YEAR.match(t) for t in texts)
                and len(keys) >= 0.6 * len(texts)):
            out.append(words)
    return out


def may_hold_header(page: Page) -> bool:
    """A cheap first test: a label column word somewhere on the page (most pages print none)."""
    return any("指标" in ln.text or "项目" in ln.text for ln in page.lines)


def captioned_headers(page: Page) -> list[list[_Word]]:
    """Baselines right under a numbered caption printing two or more short words, one of them a name
    column's (学校名称, 名称 …)."""
    if not any(_numbered_caption(ln.text) for ln in page.lines):
        return []
    out = []
    baselines = _baselines(page)
    for above, words in zip(baselines, baselines[1:]):
        size = median(w.bbox[3] - w.bbox[1] for w in words)
        if (2 <= len(words) <= MAX_CAPTIONED_WORDS and all(len(w.text) <= MAX_HEADER_WORD for w in words)
                and any(NAME_HEADER.match(w.text) for w in words)
                and _numbered_caption("".join(w.text for w in above))
                and words[0].bbox[1] - max(w.bbox[3] for w in above) <= CAPTION_DISTANCE * size):
            out.append(words)
    return out


def _numbered_caption(text: str) -> bool:
    m = CAPTION.match(text)
    return bool(m and m.group("num") and m.group("title") and len(text) < 60)




def _baselines(page: Page) -> list[list[_Word]]:
    """The page's words (its lines split at spaces), grouped by baseline, left to right."""
    words = sorted((w for ln in page.lines for w in _words(ln)), key=lambda w: ((w.bbox[1] + w.bbox[3]) / 2, w.bbox[0]))
    rows: list[list[_Word]] = []
    for w in words:
        centre = (w.bbox[1] + w.bbox[3]) / 2
        if rows and centre - (rows[-1][0].bbox[1] + rows[-1][0].bbox[3]) / 2 <= BASELINE_SHARE * (w.bbox[3] - w.bbox[1]):
            rows[-1].append(w)
        else:
            rows.append([w])
    return [sorted(r, key=lambda w: w.bbox[0]) for r in rows]


def _words(line: Line) -> list[_Word]:
    words, text, boxes = [], "", []
    for letter, box in zip(line.text, line.boxes or [None] * len(line.text)):
        if letter == " " or box is None:
            if text:
                words.append(_Word(text, union_bbox(boxes)))
            text, boxes = "", []
            continue
        text += letter
        boxes.append(box)
    if text:
        words.append(_Word(text, union_bbox(boxes) if boxes else line.bbox))
    return words if line.boxes else [_Word(line.text, line.bbox)]




def _body_rows(page: Page, header: list[_Word], size: float, captioned: bool = False) -> list[list[_Word]]:
    """The baselines under the header that keep to its columns (to the text margins under a captioned
    header), down to the first that does not."""
    # just left of each header word right of the label column's (a long indicator name may reach past the
    # word 指标 centred over it): a line over two of them is running text
    label = next((i for i, w in enumerate(header) if LABEL.match(w.text)), 0)
    fences = [] if captioned else [b.bbox[0] - size for b in header[label + 1:]]
    left, right = header[0].bbox[0] - 3 * size, header[-1].bbox[2] + 3 * size
    widest = float("inf")
    if captioned:
        left, right = min(ln.bbox[0] for ln in page.lines) - 1, max(ln.bbox[2] for ln in page.lines) + 1
        widest = RUNNING_SHARE * (right - left)
    body: list[list[_Word]] = []
    tops = [header[0].bbox[1]]
    for words in _baselines(page):
        top = min(w.bbox[1] for w in words)
        if top <= header[0].bbox[3]:
            continue
        pitches = [b - a for a, b in zip(tops, tops[1:])]
        limit = max(MAX_GAP_PITCHES * median(pitches), 3 * size) if len(pitches) >= 2 else 4 * size
        text = "".join(w.text for w in words)
        crossing = max(sum(1 for f in fences if w.bbox[0] < f < w.bbox[2]) for w in words)
        if (top - tops[-1] > limit or CAPTION.match(text) or NOTE.match(text)
                or any(w.bbox[0] < left or w.bbox[2] > right for w in words)
                or crossing >= 2 or any(w.bbox[2] - w.bbox[0] > widest for w in words)
                or captioned and min(w.bbox[3] - w.bbox[1] for w in words) > HEADING_SIZE * size):
            break  # running text, a note, a caption, a heading in larger type or a gap: the table has ended
        body.append(words)
        tops.append(top)
    return body


def _grid_under(page: Page, header: list[_Word], captioned: bool = False) -> Grid | None:
    size = median(w.bbox[3] - w.bbox[1] for w in header)
    body = _body_rows(page, header, size, captioned)
    if sum(1 for words in body if len(words) >= 2) < MIN_BODY_ROWS:
        return None
    top = min(w.bbox[1] for w in header) - 1
    header_bottom = max(w.bbox[3] for w in header)
    bottom = max(w.bbox[3] for w in body[-1]) + 1
    x0 = min([w.bbox[0] for w in header] + [w.bbox[0] for ws in body for w in ws]) - 1
    x1 = max([w.bbox[2] for w in header] + [w.bbox[2] for ws in body for w in ws]) + 1
    region = (x0, top, x1, bottom)
    chars = [c for c in page.chars if c.text.strip() and centre_inside(c.bbox, region)]
    xs = column_bounds(chars, region)
    if len(xs) < (3 if captioned else 4):  # a captioned list may have two columns (a school, its items)
        return None
    split = (header_bottom + min(w.bbox[1] for w in body[0])) / 2
    n_cols = len(xs) - 1
    body_chars = [c for c in chars if (c.top + c.bottom) / 2 > split]
    band_ys, cells = band_layout(body_chars, xs, split, bottom, page.number)
    spans = [(0, c, 1, 1) for c in range(n_cols)] + [(r + 1, c, rs, cs) for r, c, rs, cs in cells]
    return Grid(page.number, xs, [top] + band_ys, sorted(spans), "text")
