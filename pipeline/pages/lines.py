"""Glyphs into visual text lines: rows by baseline, runs split at wide gaps, spaces at word gaps.

Used by the page stage (text layer and OCR alike) and by the table stage (the text of one cell).
"""

from __future__ import annotations

from statistics import median

from ..records import BBox, Char, Line


def build_lines(chars: list[Char], page_number: int, space_gap: float = 0.6, source: str = "text") -> list[Line]:
    """Group glyphs into visual lines; far-apart runs on one baseline become separate lines."""
    lines: list[Line] = []
    for row in _rows(chars):
        row.sort(key=lambda c: c.x0)
        run: list[Char] = []
        for ch in row:
            if run and ch.x0 - run[-1].x1 > 2.5 * max(ch.size, run[-1].size):
                lines.append(_make_line(run, page_number, space_gap, source))
                run = []
            run.append(ch)
        if run:
            lines.append(_make_line(run, page_number, space_gap, source))
    lines = [line for line in lines if line.text]
    lines.sort(key=lambda ln: (round(ln.top), ln.bbox[0]))
    return lines


def _rows(chars: list[Char]) -> list[list[Char]]:
    rows: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: (c.top, c.x0)):
        if rows:
            last = rows[-1]
            anchor = last[0]
            mid = (ch.top + ch.bottom) / 2
            if anchor.top - 1 <= mid <= anchor.bottom + 1 and abs(ch.top - anchor.top) < 0.6 * max(anchor.size, 1):
                last.append(ch)
                continue
        rows.append([ch])
    return rows


def _make_line(run: list[Char], page_number: int, space_gap: float, source: str) -> Line:
    text, boxes = _spaced_text(run, space_gap)
    visible = [c for c in run if c.text.strip()] or run
    return Line(
        page=page_number,
        text=text,
        bbox=(min(c.x0 for c in run), min(c.top for c in run), max(c.x1 for c in run), max(c.bottom for c in run)),
        size=round(median(c.size for c in visible), 1),
        bold=sum(c.bold for c in visible) * 2 > len(visible),
        source="ocr" if any(c.source == "ocr" for c in run) else source,
        confidence=mean_confidence(visible),
        boxes=boxes,
    )


def _spaced_text(run: list[Char], space_gap: float) -> tuple[str, list[BBox | None]]:
    """The line's text, one space for a wide gap or a run of spaces, and each character's box."""
    out: list[tuple[str, BBox | None]] = []
    prev: Char | None = None
    for ch in run:
        if prev is not None and ch.text != " " and prev.text != " " and ch.x0 - prev.x1 > space_gap * max(ch.size, 1):
            out.append((" ", None))
        for letter in ch.text:
            out.append((" ", None) if letter.isspace() else (letter, (ch.x0, ch.top, ch.x1, ch.bottom)))
        prev = ch
    collapsed: list[tuple[str, BBox | None]] = []
    for letter, box in out:
        if letter == " " and (not collapsed or collapsed[-1][0] == " "):
            continue
        collapsed.append((letter, box))
    while collapsed and collapsed[-1][0] == " ":
        collapsed.pop()
    return "".join(c[0] for c in collapsed), [c[1] for c in collapsed]


def mean_confidence(chars: list[Char]) -> float | None:
    scores = [c.confidence for c in chars if c.confidence is not None]
    return round(sum(scores) / len(scores), 1) if scores else None
