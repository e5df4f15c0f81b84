"""Straightening a scanned page image before OCR, and erasing dotted leaders (helpers of pipeline.ocr).

The skew is the angle (within ±``max_degrees``) at which the rows of ink line up best:
text lines and ruling lines make the horizontal projection of a straight page sharp,
so the angle that maximises the sum of squared differences between neighbouring rows
of the projection is the page's tilt. It is searched on a reduced image, coarse then fine.
"""

from __future__ import annotations

import cv2
import numpy as np

INK_LEVEL = 160  # pixels darker than this are ink
WORK_WIDTH = 900  # the reduced image the angle is searched on, in pixels
COARSE_STEP, FINE_STEP = 0.25, 0.02  # degrees
MIN_ANGLE = 0.05  # a tilt smaller than this is left alone (under a pixel across a page)


def _rotated(image: np.ndarray, degrees: float, border: int) -> np.ndarray:
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=border)


def _sharpness(ink: np.ndarray, degrees: float) -> float:
    profile = _rotated(ink, degrees, 0).sum(axis=1, dtype=np.float64)
    return float(np.square(np.diff(profile)).sum())


def skew_angle(image: np.ndarray, max_degrees: float = 5.0) -> float:
    """Degrees (counter-clockwise) to turn ``image`` by to make its lines level; 0.0 for a page without ink."""
    ink = (image < INK_LEVEL).astype(np.float32)
    if ink.sum() < 100:
        return 0.0
    factor = min(1.0, WORK_WIDTH / image.shape[1])
    if factor < 1.0:
        ink = cv2.resize(ink, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    coarse = np.arange(-max_degrees, max_degrees + COARSE_STEP / 2, COARSE_STEP)
    best = max(coarse, key=lambda a: _sharpness(ink, float(a)))
    fine = np.arange(best - COARSE_STEP, best + COARSE_STEP + FINE_STEP / 2, FINE_STEP)
    best = max(fine, key=lambda a: _sharpness(ink, float(a)))
    return round(float(best), 2)


def deskew(image: np.ndarray, max_degrees: float = 5.0) -> tuple[np.ndarray, float]:
    """The page image turned level (white where the turn uncovers the border), and the angle turned by."""
    angle = skew_angle(image, max_degrees)
    if abs(angle) < MIN_ANGLE:
        return image, 0.0
    return _rotated(image, angle, 255), angle


def erase_leaders(image: np.ndarray, scale: float, min_dots: int = 6) -> tuple[np.ndarray, int]:
    """A copy of ``image`` with dotted leaders (a 目录's ········ between a title and its page) whitened,
    and how many were erased: Tesseract reads them as letters ("pp", "sse nnn") that break the entry.
    A leader is ``min_dots`` or more dots (at most 2 pt across) on one level, at most 8 pt apart."""
    ink = (image < INK_LEVEL).astype(np.uint8)
    count, _, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    most = int(2 * scale) + 1
    dots = sorted((float(centroids[i][1]), float(centroids[i][0]), i) for i in range(1, count)
                  if stats[i][2] <= most and stats[i][3] <= most)
    clean, erased = image.copy(), 0
    for level in _levels(dots, tolerance=max(scale, 1.0)):
        level.sort(key=lambda d: d[1])
        run = [level[0]]
        for dot in level[1:] + [None]:
            if dot is not None and dot[1] - run[-1][1] <= 8 * scale:
                run.append(dot)
                continue
            if len(run) >= min_dots and _evenly_spaced([d[1] for d in run]):
                pad = max(2, int(scale))  # and the lighter halo JPEG leaves around each dot
                for _, _, i in run:
                    x, y, w, h, _ = stats[i]
                    clean[max(y - pad, 0):y + h + pad, max(x - pad, 0):x + w + pad] = 255
                erased += 1
            run = [dot] if dot is not None else []
    return clean, erased


def _levels(dots: list[tuple[float, float, int]], tolerance: float) -> list[list[tuple[float, float, int]]]:
    """Dots (sorted by height) grouped into levels: a level is at most ``tolerance`` pixels high."""
    levels: list[list[tuple[float, float, int]]] = []
    for dot in dots:
        if levels and dot[0] - levels[-1][0][0] <= tolerance:
            levels[-1].append(dot)
        else:
            levels.append([dot])
    return levels


def _evenly_spaced(xs: list[float]) -> bool:
    """Leader dots are set at one pitch; the small strokes of a line of characters are not."""
    gaps = np.diff(xs)
    return bool(len(gaps)) and float(gaps.max()) <= 1.6 * float(np.median(gaps)) and float(gaps.min()) >= 0.5 * float(np.median(gaps))
