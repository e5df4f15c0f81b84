"""Where a finding, a table row or a case is in its PDF: the app's page-view links, with the boxes to draw.

A finding points at up to three places: its sentence (the sentence's box and the number's, from
claims.csv), the table cell it was checked against and, for a check between two tables, the second
cell. Places on one page are one link with all their boxes.
"""

from __future__ import annotations

from .pages import page_href

SENTENCE = ("sentence_x0", "sentence_top", "sentence_x1", "sentence_bottom")
NUMBER = ("x0", "top", "x1", "bottom")
SIDES = ("x0", "top", "x1", "bottom")


def finding_links(report_id: str, row: dict, claim: dict | None, printed: dict[int, str]) -> list[dict]:
    """[{page, printed, href}] of the finding's sentence, table cell and second cell, one per page, in that order."""
    places: list[tuple[object, list]] = []
    if claim and _number(claim.get("page")) is not None:
        places.append((claim["page"], [_box(claim, SENTENCE), _box(claim, NUMBER)]))
    elif _number(row.get("page")) is not None:
        places.append((row["page"], []))
    for which in ("table", "other"):
        if _number(row.get(f"{which}_page")) is not None:
            places.append((row[f"{which}_page"], [_box(row, tuple(f"{which}_{side}" for side in SIDES))]))
    return _by_page(report_id, places, printed)


def place_link(report_id: str, page, printed: dict[int, str], boxes=()) -> dict | None:
    """One page's link (a case, a table row), or None without a page."""
    links = _by_page(report_id, [(page, list(boxes))], printed) if _number(page) is not None else []
    return links[0] if links else None


def _by_page(report_id: str, places: list[tuple[object, list]], printed: dict[int, str]) -> list[dict]:
    pages: dict[int, list] = {}
    for page, boxes in places:
        pages.setdefault(int(_number(page)), []).extend(b for b in boxes if b is not None)
    return [{"page": page, "printed": printed.get(page, ""), "href": page_href(report_id, page, boxes)}
            for page, boxes in pages.items()]


def _box(row: dict, columns: tuple[str, ...]):
    values = [_number(row.get(c)) for c in columns]
    return None if any(v is None for v in values) else tuple(values)


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN: an empty cell
