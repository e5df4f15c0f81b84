"""Table cells whose values come from a closed set, for OCR: which cells they are, and the nearest member.

A column is closed when its header cell reads as one of ``template.closed_columns()`` (单位 and
计量单位: the template's unit set; 序号: row numbers). Tesseract reads such cells again with a
character whitelist of the set, and a reading that is not a member is taken to the one member
it is nearest to (one character off), the correction noted on the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ... import template
from ...records import BBox
from ...text import edit_distance, squash

SERIAL = re.compile(r"^\d{1,3}$")
DIGITS = "0123456789"


@dataclass(frozen=True)
class ClosedSet:
    kind: str
    whitelist: str
    members: frozenset[str]

    def holds(self, text: str) -> bool:
        return text in self.members if self.kind == "unit" else bool(SERIAL.match(text))


def closed_set(kind: str) -> ClosedSet:
    if kind == "unit":
        spellings = frozenset(template.units())
        return ClosedSet(kind, "".join(sorted({ch for s in spellings for ch in s})), spellings)
    return ClosedSet(kind, DIGITS, frozenset())


def closed_cells(cells: list[BBox], texts: list[str], carried: dict[str, list[BBox]] | None = None) -> dict[str, list[int]]:
    """kind -> the indexes of the cells under a closed column's header (the header cell itself excluded).

    A table without such a header (the continuation of a table on the next page, its header not
    repeated) takes the columns of ``carried`` (the header cells of the table before) when one of
    its cells spans the same columns. ``carried`` is updated with this table's headers.
    """
    headers = template.closed_columns()
    found = [(headers[squash(text)], box) for box, text in zip(cells, texts) if squash(text) in headers]
    if not found and carried:
        found = [(kind, box) for kind, boxes in carried.items() for box in boxes
                 if any(abs(c[0] - box[0]) <= 3 and abs(c[2] - box[2]) <= 3 for c in cells)]
        found = [(kind, (box[0], -1.0, box[2], -1.0)) for kind, box in found]  # every cell is under it
    elif found and carried is not None:
        carried.clear()
        for kind, box in found:
            carried.setdefault(kind, []).append(box)
    out: dict[str, list[int]] = {}
    for kind, box in found:
        members = [i for i, cell in enumerate(cells) if cell != box and cell[1] >= box[3] - 1
                   and box[0] - 2 <= (cell[0] + cell[2]) / 2 <= box[2] + 2]
        out.setdefault(kind, []).extend(i for i in members if i not in out[kind])
    return out


def nearest(first: str, readings: list[str], allowed: ClosedSet) -> tuple[str, str | None]:
    """The cell's text from its readings: ``first`` unrestricted, ``readings`` with the set's whitelist (the
    most reliable first); and the correction made ("大→人"), None when the text stays as first read.

    A whitelisted reading that is a member wins (it knows the set), then the first reading when it is
    a member, then the one unit all readings are one character off (％ and % being one unit).
    """
    first, readings = squash(first), [squash(r) for r in readings]
    chosen = next((r for r in readings[:1] if allowed.holds(r)), None)
    if chosen is None and allowed.holds(first):
        return first, None
    chosen = chosen or next((r for r in readings if allowed.holds(r)), None)
    if chosen is None and allowed.kind == "unit":
        canonical = template.units()
        near = {canonical[m] for r in readings if r for m in allowed.members if edit_distance(r, m) <= 1}
        chosen = near.pop() if len(near) == 1 else None
    if chosen is None or chosen == first:
        return first, None
    return chosen, f"{first or '∅'}→{chosen}"
