"""The rows of a table part that no rules divide (the body of a 三线表, a table without rules), read from
its text lines.

* Lines of all columns on one baseline are one row.
* A line close under a full-width line of its column is that cell's wrapped text, not a new row, unless
  another column has two cells beside the pair (a new row has its own values or unit; a wrap has none).
  The other cells of the row may stand beside its first line, its middle or its last line.
* A group column's word written one character a line (高 above 职) is one line of vertical text: the
  first column holding nothing but single characters, each stacked close under the one above.
* A label set between two rows, with nothing else on its baseline and blank cells above and below it in
  its column, is a cell centred over several rows (序号 "5" beside eight rows): the rows it spans are the
  ones that share out the blank cells of its column symmetrically, as the labels of a centred column do.
  Without such a label in a column, every cell of that column is one row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median

from ..geometry import union_bbox
from ..pages.lines import build_lines
from ..records import Char, Line

# A line opening with a serial number (1 …, 2、…, 三 …) starts an item of a list.
ITEM_START = re.compile(r"^\s*(?:\d{1,3}(?:\s|[、.．)）]|(?=[\u4e00-\u9fff]))|[一二三四五六七八九十]{1,3}(?:\s|[、.．)）]))")
# Lines whose centres are closer than this share of the type size stand on one baseline.
BASELINE_SHARE = 0.35
# A wrapped line starts at most this many type sizes below the line it continues...
WRAP_GAP = 0.75
# ...which is full: at most this many type sizes narrower than the widest line of its column.
FULL_SLACK = 1.5
# Stacked characters of vertical text have x-centres within this share of the type size.
STACK_ALIGN = 0.3
NUMERALS = "一二三四五六七八九十"
# A label between two rows stands between rows less than this many row pitches apart.
BETWEEN_PITCHES = 1.6


@dataclass
class TextRow:
    lines: dict[int, list[Line]] = field(default_factory=dict)  # column -> its lines, top to bottom

    @property
    def top(self) -> float:
        return min(ln.top for lines in self.lines.values() for ln in lines)

    @property
    def bottom(self) -> float:
        return max(ln.bottom for lines in self.lines.values() for ln in lines)

    @property
    def centre(self) -> float:
        """The mean centre of its cells (a cell of several lines counts once, at its middle)."""
        return sum((lines[0].top + lines[-1].bottom) / 2 for lines in self.lines.values()) / len(self.lines)


@dataclass
class Span:
    """A cell over several rows of the band: column, first and last row."""

    col: int
    first: int
    last: int
    top: float
    bottom: float


def band_layout(chars: list[Char], xs: list[float], upper: float, lower: float,
                page_number: int) -> tuple[list[float], list[tuple[int, int, int, int]]]:
    """Row boundaries from ``upper`` to ``lower`` and the cells (row, col, rowspan, colspan) of one band."""
    n_cols = len(xs) - 1
    rows = _text_rows(_column_lines(chars, xs, page_number))
    rows, spans = _spanning_labels(rows, n_cols)
    if not rows:
        return [upper, lower], [(0, c, 1, 1) for c in range(n_cols)]
    ys = [upper] + [(a.bottom + b.top) / 2 for a, b in zip(rows, rows[1:])] + [lower]
    for s in spans:  # a label taller than the rows it spans keeps its lines inside its cell
        if s.first > 0:
            ys[s.first] = max(min(ys[s.first], s.top - 0.5), rows[s.first - 1].bottom)
        if s.last + 1 < len(rows):
            ys[s.last + 1] = min(max(ys[s.last + 1], s.bottom + 0.5), rows[s.last + 1].top)
    covered = {(r, s.col) for s in spans for r in range(s.first, s.last + 1)}
    cells = [(s.first, s.col, s.last - s.first + 1, 1) for s in spans]
    cells += [(r, c, 1, 1) for r in range(len(rows)) for c in range(n_cols) if (r, c) not in covered]
    return ys, sorted(cells)


def _column_lines(chars: list[Char], xs: list[float], page_number: int) -> list[tuple[int, Line]]:
    """Each column's text lines; runs of one baseline far apart in a column are one line of its cell."""
    by_col: dict[int, list[Char]] = {}
    for ch in chars:
        cx = (ch.x0 + ch.x1) / 2
        col = next((c for c in range(len(xs) - 1) if cx < xs[c + 1]), len(xs) - 2)
        by_col.setdefault(col, []).append(ch)
    out = []
    for c, cs in sorted(by_col.items()):
        runs: list[list[Line]] = []
        for ln in sorted(build_lines(cs, page_number), key=lambda ln: ((ln.top + ln.bottom) / 2, ln.bbox[0])):
            if runs and abs(_mid(ln) - _mid(runs[-1][0])) <= BASELINE_SHARE * max(ln.size, 1.0):
                runs[-1].append(ln)
            else:
                runs.append([ln])
        lines = [_joined(run) for run in runs]
        out += [(c, ln) for ln in (_vertical_words(lines) if c == 0 else lines)]
    return out


def _vertical_words(lines: list[Line]) -> list[Line]:
    """A first column of single characters (no numerals: 一 二 三 number rows) stacked one under the other
    is vertical text, each stack one line. Only the first column: the group column of a table stands left
    of what it groups, and a column of units (个, 人) further right keeps one row a line. The gap between
    stacked characters says nothing here: tables without rules print their rows as close as that."""
    if not lines or not all(_single_character(ln) for ln in lines):
        return lines
    stacks = [[lines[0]]]
    for ln in lines[1:]:
        above = stacks[-1][-1]
        aligned = abs((ln.bbox[0] + ln.bbox[2]) / 2 - (above.bbox[0] + above.bbox[2]) / 2) <= STACK_ALIGN * ln.size
        if aligned and -0.5 <= ln.top - above.bottom <= WRAP_GAP * ln.size:
            stacks[-1].append(ln)
        else:
            stacks.append([ln])
    return [s[0] if len(s) == 1 else
            Line(s[0].page, "".join(ln.text for ln in s), union_bbox([ln.bbox for ln in s]), s[0].size, s[0].bold,
                 s[0].source, s[0].confidence, [b for ln in s for b in ln.boxes]) for s in stacks]


def _single_character(line: Line) -> bool:
    text = line.text.strip()
    return len(text) == 1 and "\u4e00" <= text <= "\u9fff" and text not in NUMERALS


def _mid(line: Line) -> float:
    return (line.top + line.bottom) / 2


def _joined(run: list[Line]) -> Line:
    if len(run) == 1:
        return run[0]
    run = sorted(run, key=lambda ln: ln.bbox[0])
    boxes = [b for ln in run for b in ([None] if ln is not run[0] else []) + ln.boxes]
    return Line(run[0].page, " ".join(ln.text for ln in run), union_bbox([ln.bbox for ln in run]), run[0].size,
                run[0].bold, run[0].source, run[0].confidence, boxes)


@dataclass
class _Block:
    """One column's lines that read as one cell: a line and the lines its text wraps onto."""

    col: int
    lines: list[Line]

    @property
    def top(self) -> float:
        return self.lines[0].top

    @property
    def bottom(self) -> float:
        return self.lines[-1].bottom

    @property
    def centre(self) -> float:
        return (self.top + self.bottom) / 2

    def beside(self, y: float, tolerance: float) -> bool:
        """A cell of several lines has the row's other cells beside its first line, its middle or its
        last line (top-, centre- or bottom-aligned), not anywhere else."""
        if len(self.lines) < 2:
            return False
        marks = (_mid(self.lines[0]), self.centre, _mid(self.lines[-1]))
        return any(abs(y - m) <= tolerance for m in marks)


def _text_rows(lines: list[tuple[int, Line]]) -> list[TextRow]:
    """Lines into rows: the lines of one baseline, with the cells whose text wraps over several lines
    beside them (top-aligned, centred or bottom-aligned)."""
    if not lines:
        return []
    size = median(ln.size for _, ln in lines) or 10.0
    blocks = _validated(_wrapped_blocks(lines, size), size)
    rows: list[TextRow] = []
    members: list[list[_Block]] = []
    for block in sorted(blocks, key=lambda b: (b.centre, b.col)):
        if members and _same_row(members[-1], block, size):
            members[-1].append(block)
        else:
            members.append([block])
    for group in members:
        rows.append(TextRow({b.col: b.lines for b in group}))
    return rows


def _wrapped_blocks(lines: list[tuple[int, Line]], size: float) -> list[_Block]:
    """Chain each column's lines into cells: a line continues the one above when it starts close below it
    and the one above is full (as wide as the widest line of the column, give or take a character)."""
    by_col: dict[int, list[Line]] = {}
    for c, ln in lines:
        by_col.setdefault(c, []).append(ln)
    limit = _wrap_limit(lines, size)
    blocks = []
    for c, col_lines in sorted(by_col.items()):
        col_lines.sort(key=lambda ln: ln.top)
        widest = max(ln.bbox[2] - ln.bbox[0] for ln in col_lines)
        others = [ln for oc, ln in lines if oc != c]
        block = _Block(c, [col_lines[0]])
        for ln in col_lines[1:]:
            above = block.lines[-1]
            full = above.bbox[2] - above.bbox[0] >= widest - FULL_SLACK * size and len(above.text) >= 2
            gap = ln.top - above.bottom
            # rows printed as close as wrapped lines: the row's other cells centred beside the pair tell
            listed = ITEM_START.match(block.lines[0].text) and ITEM_START.match(ln.text)  # "2 …" then "3 …": two items
            if (full and not listed
                    and -0.5 <= gap <= (WRAP_GAP * size if _centred_beside(above, ln, others, size) else limit)):
                block.lines.append(ln)
            else:
                blocks.append(block)
                block = _Block(c, [ln])
        blocks.append(block)
    return blocks


def _centred_beside(above: Line, below: Line, others: list[Line], size: float) -> bool:
    """A line of a column to the right (a unit, a value) stands midway between the two lines, and none
    on either's baseline (two rows have their cells on their own baselines). A label to the left
    centred beside two lines is a cell spanning two rows, not a wrap."""
    off = BASELINE_SHARE * size
    middle = (_mid(above) + _mid(below)) / 2
    if any(abs(_mid(o) - _mid(ln)) <= off for o in others for ln in (above, below)):
        return False
    return any(abs(_mid(o) - middle) <= off and o.bbox[0] >= above.bbox[2] for o in others)


def _wrap_limit(lines: list[tuple[int, Line]], size: float) -> float:
    """The largest gap between a line and its wrapped continuation: well under the gap between rows."""
    baselines: list[list[tuple[int, Line]]] = []
    for c, ln in sorted(lines, key=lambda item: (item[1].top + item[1].bottom) / 2):
        centre = (ln.top + ln.bottom) / 2
        if baselines and centre - (baselines[-1][0][1].top + baselines[-1][0][1].bottom) / 2 <= BASELINE_SHARE * size:
            baselines[-1].append((c, ln))
        else:
            baselines.append([(c, ln)])
    gaps = [min(ln.top for _, ln in b) - max(ln.bottom for _, ln in a) for a, b in zip(baselines, baselines[1:])
            if len({c for c, _ in a}) > 1 and len({c for c, _ in b}) > 1]
    gaps = [g for g in gaps if g > 0]  # (baselines that overlap say nothing about the gap between rows)
    limit = WRAP_GAP * size
    return min(limit, max(0.8 * median(gaps), 0.25 * size)) if len(gaps) >= 2 else limit


def _validated(blocks: list[_Block], size: float) -> list[_Block]:
    """A chain beside which another column has two separate cells is several rows, not one wrapped cell."""
    out = []
    for b in blocks:
        if len(b.lines) > 1 and any(
            sum(1 for o in blocks if o.col == col and b.top <= o.centre <= b.bottom) > 1
            for col in {o.col for o in blocks if o.col != b.col}
        ):
            out += [_Block(b.col, [ln]) for ln in b.lines]
        else:
            out.append(b)
    return out


def _same_row(row: list[_Block], block: _Block, size: float) -> bool:
    """One baseline for the row's single lines; a cell of several lines beside it (top, middle or foot).
    Once a row has single lines, their baseline decides: a label level with the last line of a wrapped
    name but not with the row's figures is set beside other rows."""
    if any(b.col == block.col for b in row):
        return False
    tolerance = BASELINE_SHARE * size
    single = next((b.centre for b in row if len(b.lines) == 1), None)
    if single is not None:
        return abs(block.centre - single) <= tolerance if len(block.lines) == 1 else block.beside(single, tolerance)
    return len(block.lines) == 1 and any(b.beside(block.centre, tolerance) for b in row) or \
        abs(block.centre - row[0].centre) <= tolerance


def _spanning_labels(rows: list[TextRow], n_cols: int) -> tuple[list[TextRow], list[Span]]:
    """Take the labels set between two rows out of the rows and give each the rows it is centred over."""
    # the pitch of neighbouring rows with cells in one column (not a label between rows and its neighbour)
    pitches = [b.centre - a.centre for a, b in zip(rows, rows[1:]) if set(a.lines) & set(b.lines)]
    pitch = median(pitches) if pitches else _column_pitch(rows, n_cols)
    if len(rows) < 3 or not pitch:
        return rows, []
    size = median(ln.size for r in rows for lines in r.lines.values() for ln in lines) or 10.0
    between: set[int] = set()
    # labels first: the fewer columns a row fills, the likelier it is a label between two rows
    for i in sorted(range(1, len(rows) - 1), key=lambda i: (len(rows[i].lines), i)):
        above = next((j for j in range(i - 1, -1, -1) if j not in between), None)
        below = next((j for j in range(i + 1, len(rows)) if j not in between), None)
        if above is not None and below is not None and _between(rows[above], rows[i], rows[below], pitch, size):
            between.add(i)
    if not between:
        return rows, []
    kept = [r for i, r in enumerate(rows) if i not in between]
    labels: dict[int, dict[float, TextRow]] = {}
    for i in sorted(between):
        position = sum(1 for j in range(i) if j not in between) - 0.5  # between kept rows p-0.5 and p+0.5
        for c, lines in rows[i].lines.items():
            label = labels.setdefault(c, {}).setdefault(position, TextRow({c: []}))
            label.lines[c].extend(lines)
    spans = []
    for c in range(n_cols):
        if c in labels:
            spans += _column_spans(kept, c, sorted(labels[c].items()))
    return kept, spans


def _column_pitch(rows: list[TextRow], n_cols: int) -> float | None:
    """The row pitch when no two neighbouring rows fill several columns (a list whose labels all stand
    between rows): the least of the columns' median distances between their consecutive cells."""
    medians = []
    for c in range(n_cols):
        centres = [(r.lines[c][0].top + r.lines[c][-1].bottom) / 2 for r in rows if c in r.lines]
        steps = [b - a for a, b in zip(centres, centres[1:])]
        if len(steps) >= 2:
            medians.append(median(steps))
    return min(medians) if medians else None


def _between(above: TextRow, row: TextRow, below: TextRow, pitch: float, size: float) -> bool:
    """Nothing of its own baseline but labels, each with blank cells above and below it, off both
    neighbours' baselines, and no slot of its own between them (a section row has one: its neighbours
    stand two rows apart)."""
    if any(c in above.lines or c in below.lines for c in row.lines):
        return False
    off = BASELINE_SHARE * size
    return (row.centre - above.centre > off and below.centre - row.centre > off
            and below.centre - above.centre < BETWEEN_PITCHES * pitch)


def _column_spans(rows: list[TextRow], col: int, between: list[tuple[float, TextRow]]) -> list[Span]:
    """The rows each label of a centred column spans: every label reaches equally far up and down, and
    together they cover each blank cell of the column once. Solved along the column (the blank cells
    between two labels are shared out between them). A table part a page break cuts may end (or
    begin) with blank cells whose label is on the other page: they are left over at that end. Without
    a solution, a label set between two rows spans just those two."""
    entries = [(r, r, rows[r]) for r in range(len(rows)) if col in rows[r].lines]
    entries += [(int(p - 0.5), int(p + 0.5), row) for p, row in between]
    entries.sort(key=lambda e: e[0])
    gaps = [entries[0][0]] + [b[0] - a[1] - 1 for a, b in zip(entries, entries[1:])] + [len(rows) - 1 - entries[-1][1]]
    reach = _reach(gaps)
    bounds = None if reach is None else [(first - k, last + k) for (first, last, _), k in zip(entries, reach)]
    if bounds is None:  # rows of unequal height (a wrapped name): share the blank cells by where the labels stand
        bounds = _centred_bounds(rows, [(first, last, row.lines[col]) for first, last, row in entries])
    if bounds is None:
        reach = _reach(gaps, open_end=True)  # the part ends at a page break
        if reach is None:
            backwards = _reach(gaps[::-1], open_end=True)  # the part begins at one
            reach = backwards[::-1] if backwards else None
        bounds = [(first - (reach[i] if reach else 0), last + (reach[i] if reach else 0))
                  for i, (first, last, _) in enumerate(entries)]
    spans = []
    for (a, b), (_, _, row) in zip(bounds, entries):
        if b > a:
            lines = row.lines[col]
            spans.append(Span(col, a, b, min(ln.top for ln in lines), max(ln.bottom for ln in lines)))
    return spans


def _centred_bounds(rows: list[TextRow], entries: list[tuple[int, int, list[Line]]]) -> list[tuple[int, int]] | None:
    """The rows each label spans when every label stands at the middle of its rows (top of the first to
    bottom of the last, within half a type size) and the labels cover the column once, top to bottom;
    None when no such sharing exists."""
    bounds = []
    start = 0
    for i, (first, last, lines) in enumerate(entries):
        centre = (lines[0].top + lines[-1].bottom) / 2
        tolerance = 0.5 * median(ln.size for ln in lines)
        end_max = entries[i + 1][0] - 1 if i + 1 < len(entries) else len(rows) - 1
        if i + 1 == len(entries):
            candidates = [end_max]
        else:
            candidates = list(range(last, end_max + 1))
        if first < start or not candidates:
            return None
        best = min(candidates, key=lambda b: abs((rows[start].top + rows[b].bottom) / 2 - centre))
        if abs((rows[start].top + rows[best].bottom) / 2 - centre) > tolerance:
            return None
        bounds.append((start, best))
        start = best + 1
    return bounds


def _reach(gaps: list[int], open_end: bool = False) -> list[int] | None:
    """How far each label reaches, from the blank cells before the first (gaps[0]), between each two and
    after the last (gaps[-1]); None when no sharing fits. ``open_end``: cells after the last label may
    stay over (its rows go on past the page)."""
    reach: list[int] = []
    for i in range(len(gaps) - 1):
        k = gaps[0] if i == 0 else gaps[i] - reach[-1]
        if k < 0:
            return None
        reach.append(k)
    fits = reach[-1] <= gaps[-1] if open_end else reach[-1] == gaps[-1]
    return reach if fits else None


def centred_runs(labelled: list[bool]) -> tuple[int, list[tuple[int, int]]] | None:
    """A column of one-row cells read as a centred column that a page break cut at its top: which rows
    each label spans, and how many blank rows at the top are left over (the rest of a label on the
    previous page). ``labelled`` says which rows hold a label. None when no sharing fits or no label
    reaches beyond its own row."""
    positions = [r for r, has in enumerate(labelled) if has]
    if not positions:
        return None
    gaps = [positions[0]] + [b - a - 1 for a, b in zip(positions, positions[1:])] + [len(labelled) - 1 - positions[-1]]
    reach = _reach(gaps)
    left_over = 0
    if reach is None:
        backwards = _reach(gaps[::-1], open_end=True)
        if backwards is None:
            return None
        reach = backwards[::-1]
        left_over = gaps[0] - reach[0]
    if not any(reach) and not left_over:
        return None
    return left_over, [(r - k, r + k) for r, k in zip(positions, reach)]
