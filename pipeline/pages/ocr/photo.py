"""A photographed page made readable before OCR (a helper of pipeline.ocr).

A phone photo of a printed page differs from a scan in three ways this module undoes, in this order:

1. red seal ink (an official stamp, often pressed over a table): in the red channel red ink is as light as
   the paper while black print stays black, so red pixels take their red channel's value, and after
   the light is flattened a red pixel lighter than ink is paper;
2. the sheet seen at an angle on a darker desk: the sheet's four corners are found (the largest bright
   quadrilateral) and mapped back onto the page's rectangle (cv2.getPerspectiveTransform);
3. uneven light (one side darker): the image is divided by its background, the paper's brightness
   everywhere (a maximum filter wider than any stroke, then smoothed).

Each step does nothing to an even, grey, flat scan, so clean scans read as before.
"""

from __future__ import annotations

import cv2
import numpy as np

from ...words import RECORDS, words

# A pixel is red ink when its red channel exceeds both others by this much...
RED_MARGIN = 25
# ...and a red pixel lighter than this after flattening is ink of the seal only, read as paper.
PAPER_UNDER_SEAL = 150
# Pages with fewer red pixels than this share have no seal worth suppressing.
MIN_RED_SHARE = 0.0005
# The sheet is found on a reduced image this many pixels wide.
SHEET_WORK_WIDTH = 600
# A quadrilateral is the sheet when it covers this share of the image or more...
MIN_SHEET_SHARE = 0.5
# ...and it is undone only when one of its corners is this share of the image off the image's corner.
MIN_CORNER_SHIFT = 0.004
# A straightened sheet's outermost share of the image is paper.
EDGE_SHARE = 0.006
# A ruled table's frame is brought back to a rectangle when it covers this share of the page or more and a corner
# is this share of the page off the turned rectangle around it.
MIN_GRID_SHARE = 0.1
MIN_GRID_SHIFT = 0.003
# The background (the paper's brightness) varies by this many grey levels or more across an unevenly lit page.
UNEVEN_LIGHT = 18
# After flattening, a pixel this light or lighter is paper.
PAPER_LEVEL = 228
# The background is estimated on a reduced image, with a window this share of the page's width.
LIGHT_WINDOW_SHARE = 0.03


def prepare(colour: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """The grey page to OCR from a rendered RGB page (or a grey one), and notes of what was done."""
    t, notes = words(RECORDS), []
    if colour.ndim == 2:
        grey, red = colour, None
    else:
        grey, red = without_seal(colour)
        if red is not None:
            notes.append(t("photo.seal", share=f"{red.mean() * 100:.1f}"))
    corners = sheet_corners(grey)
    if corners is not None:
        grey = straightened(grey, corners)
        red = straightened(red.astype(np.uint8), corners, border=0).astype(bool) if red is not None else None
        notes.append(t("photo.perspective"))
    flat, uneven = flattened(grey)
    if uneven:
        notes.append(t("photo.light", levels=uneven))
        grey = flat
    grid = grid_corners(grey) if corners is None else None
    if grid is not None:  # no sheet edge in sight: the table's frame is the rectangle to bring back
        matrix = cv2.getPerspectiveTransform(*grid)
        height, width = grey.shape
        grey = cv2.warpPerspective(grey, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)
        if red is not None:
            red = cv2.warpPerspective(red.astype(np.uint8), matrix, (width, height), flags=cv2.INTER_NEAREST).astype(bool)
        notes.append(t("photo.grid_perspective"))
    if red is not None or corners is not None:
        grey = grey.copy()
    if red is not None:
        grey[red & (grey > PAPER_UNDER_SEAL)] = 255
    if corners is not None:
        _whiten_edges(grey)  # after flattening: a white edge would be the paper's brightness beside it
    return grey, notes


# ---------------------------------------------------------------- seal ink


def red_ink(colour: np.ndarray) -> np.ndarray:
    """Where the RGB image holds red ink: the red channel well above green and blue."""
    r, g, b = (colour[:, :, i].astype(np.int16) for i in range(3))
    return (r - np.maximum(g, b)) > RED_MARGIN


def without_seal(colour: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The grey image with red ink seen through a red filter (red ink light, black print under it still black),
    and the red pixels (None when the page has too few to be a seal)."""
    grey = cv2.cvtColor(colour, cv2.COLOR_RGB2GRAY)
    red = red_ink(colour)
    if red.mean() < MIN_RED_SHARE:
        return grey, None
    red = cv2.dilate(red.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)  # and the ink's fringe
    grey[red] = colour[:, :, 0][red]
    return grey, red


# ---------------------------------------------------------------- perspective


def sheet_corners(grey: np.ndarray) -> np.ndarray | None:
    """The photographed sheet's corners (top left, top right, bottom right, bottom left; pixels) when the page
    image shows a bright sheet on a darker ground, at an angle; None for a page that fills its image."""
    height, width = grey.shape
    factor = min(1.0, SHEET_WORK_WIDTH / width)
    small = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else grey
    small = cv2.GaussianBlur(small, (5, 5), 0)
    _, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # print inside the sheet closed over (on a dark margin: a thin strip of desk must not close onto the edge)
    bright = cv2.morphologyEx(cv2.copyMakeBorder(bright, 16, 16, 16, 16, cv2.BORDER_CONSTANT, value=0),
                              cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))[16:-16, 16:-16]
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    sheet = max(contours, key=cv2.contourArea)
    if cv2.contourArea(sheet) < MIN_SHEET_SHARE * small.shape[0] * small.shape[1]:
        return None
    quad = cv2.approxPolyDP(sheet, 0.02 * cv2.arcLength(sheet, True), True)
    if len(quad) != 4 or not cv2.isContourConvex(quad):
        return None
    corners = _ordered(_refined(sheet.reshape(-1, 2), quad.reshape(4, 2)) / factor)
    frame = _frame(width, height)
    if np.abs(corners - frame).max() < MIN_CORNER_SHIFT * max(width, height):
        return None
    if _dark_share(small, quad.reshape(4, 2)) < 0.5:
        return None  # what lies outside is not a darker ground (a page of pale boxes), not a photographed sheet
    return corners


def _refined(outline: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The quadrilateral's corners where straight lines fitted to the middle of its sides meet: a corner of the
    outline is rounded by blur and JPEG, its sides are straight."""
    lines = []
    for k in range(4):
        a, b = quad[k].astype(np.float32), quad[(k + 1) % 4].astype(np.float32)
        length = float(np.linalg.norm(b - a))
        # the outline's points near the side a→b, away from its ends
        t = ((outline - a) @ (b - a)) / max(length**2, 1e-6)
        d = outline - a
        off = np.abs((b - a)[0] * d[:, 1] - (b - a)[1] * d[:, 0]) / max(length, 1e-6)
        near = outline[(t > 0.1) & (t < 0.9) & (off < 3)]
        if len(near) < 5:
            return quad.astype(np.float32)
        vx, vy, x, y = cv2.fitLine(near.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.float32([x, y]), np.float32([vx, vy])))
    corners = []
    for k in range(4):
        (p, u), (q, v) = lines[k - 1], lines[k]
        det = float(u[0] * -v[1] + v[0] * u[1])
        if abs(det) < 1e-6:
            return quad.astype(np.float32)
        s = float((q - p)[0] * -v[1] + v[0] * (q - p)[1]) / det
        corners.append(p + s * u)
    return np.float32(corners)


def _dark_share(small: np.ndarray, quad: np.ndarray) -> float:
    """The share of the pixels outside the quadrilateral that are darker than the paper inside it."""
    inside = np.zeros(small.shape, np.uint8)
    cv2.fillConvexPoly(inside, quad.astype(np.int32), 1)
    outside = small[inside == 0]
    if not outside.size:
        return 0.0
    paper = float(np.percentile(small[inside == 1], 90))
    return float((outside < 0.75 * paper).mean())


def _frame(width: int, height: int) -> np.ndarray:
    return np.float32([[0, 0], [width, 0], [width, height], [0, height]])


def _ordered(points: np.ndarray) -> np.ndarray:
    """Four points as top left, top right, bottom right, bottom left."""
    total, diff = points.sum(axis=1), np.diff(points, axis=1).ravel()
    return np.float32([points[np.argmin(total)], points[np.argmin(diff)], points[np.argmax(total)], points[np.argmax(diff)]])


def straightened(image: np.ndarray, corners: np.ndarray, border: int = 255) -> np.ndarray:
    """The sheet within ``corners`` mapped onto the whole image (the page is the sheet)."""
    height, width = image.shape[:2]
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), _frame(width, height))
    return cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=border)


def _whiten_edges(grey: np.ndarray) -> None:
    """Paper at the very edge of a straightened sheet: what the corners found leave of the desk there would be
    taken for ruling lines (a printed page has a margin)."""
    height, width = grey.shape
    band = max(int(EDGE_SHARE * max(height, width)), 1)
    grey[:band], grey[-band:], grey[:, :band], grey[:, -band:] = 255, 255, 255, 255


def grid_corners(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(the corners of the page's largest ruled table, where they belong) when the table's frame is a
    quadrilateral that is no rectangle, turned or not (a page photographed at an angle with no paper edge
    in sight; a turn alone is deskew's); None otherwise."""
    height, width = grey.shape
    ink = cv2.adaptiveThreshold(255 - grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -10)
    reach = max(width // 40, 10)  # short enough for a rule sloping by a degree or two to stay in one piece
    lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, 1)))
    lines |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, reach)))
    lines = cv2.dilate(lines, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(lines, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    frame = max(contours, key=cv2.contourArea)
    if cv2.contourArea(frame) < MIN_GRID_SHARE * width * height:
        return None
    quad = cv2.approxPolyDP(frame, 0.02 * cv2.arcLength(frame, True), True)
    if len(quad) != 4 or not cv2.isContourConvex(quad):
        return None
    corners = _ordered(_refined(frame.reshape(-1, 2), quad.reshape(4, 2)))
    turned = _ordered(cv2.boxPoints(cv2.minAreaRect(corners)).astype(np.float32))
    if np.abs(corners - turned).max() < MIN_GRID_SHIFT * max(width, height):
        return None
    left, right = (corners[0, 0] + corners[3, 0]) / 2, (corners[1, 0] + corners[2, 0]) / 2
    top, bottom = (corners[0, 1] + corners[1, 1]) / 2, (corners[2, 1] + corners[3, 1]) / 2
    return corners, np.float32([[left, top], [right, top], [right, bottom], [left, bottom]])


# ---------------------------------------------------------------- light


def background(grey: np.ndarray) -> np.ndarray:
    """The paper's brightness at each pixel: the brightest pixel around it (print removed), smoothed."""
    height, width = grey.shape
    factor = min(1.0, 400 / width)
    small = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else grey
    window = max(int(LIGHT_WINDOW_SHARE * small.shape[1]) | 1, 3)
    paper = cv2.dilate(small, np.ones((window, window), np.uint8))
    paper = cv2.GaussianBlur(paper, (0, 0), window)
    return cv2.resize(paper, (width, height), interpolation=cv2.INTER_LINEAR)


def flattened(grey: np.ndarray) -> tuple[np.ndarray, int]:
    """The image divided by its background (even paper white), and how many grey levels the background spans
    (0 when the light is even: the image is returned as it is)."""
    paper = background(grey)
    spread = int(np.percentile(paper, 98)) - int(np.percentile(paper, 2))
    if spread < UNEVEN_LIGHT:
        return grey, 0
    flat = grey.astype(np.float32) * 255 / np.maximum(paper.astype(np.float32), 1)
    # paper is white: what is left of the light's steps and the JPEG's noise on it would be edges to the rule finder
    flat[flat >= PAPER_LEVEL] = 255
    return np.clip(flat, 0, 255).astype(np.uint8), spread
