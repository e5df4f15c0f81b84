"""Writing a report's folder: CSVs and manifest.json, each file atomically.

A file is written to a temporary name in the same folder and renamed over
the old one, so an interrupted run never leaves a half-written CSV where a
good one was.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

REVIEW_FILE = "review.csv"  # the auditor's decisions, beside a report's files (pipeline.review)

if TYPE_CHECKING:
    import pandas as pd


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Files get the permissions a plain open() would give them (mkstemp makes them owner-only).
FILE_MODE = 0o666 & ~_current_umask()


@contextmanager
def atomic_target(path: Path):
    """Yields a temporary path in ``path``'s folder; renamed over ``path`` only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_target(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def write_csv(path: Path, frame: pd.DataFrame, columns: list[str] | None = None) -> str:
    """The frame as CSV text (``columns`` in order), written to ``path``; returns the text."""
    if columns is not None:
        frame = frame.reindex(columns=columns)
    text = frame.to_csv(index=False, lineterminator="\n", float_format=float_text)
    atomic_write_text(path, text)
    return text


def write_rows(path: Path, rows: list[dict], columns: list[str]) -> None:
    """Rows of dicts as write_csv writes a frame (for callers without pandas): None and NaN empty, floats as
    float_text, a column a row lacks empty."""
    atomic_write_text(path, rows_text(rows, columns))


def rows_text(rows: list[dict], columns: list[str]) -> str:
    """Rows of dicts as CSV text, as write_rows writes them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_cell_text(row.get(name)) for name in columns] for row in rows)
    return buffer.getvalue()


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return float_text(value) if isinstance(value, float) else str(value)


def float_text(value: float) -> str:
    """Shortest round-trip text: 4174.0 -> '4174', 12.3 -> '12.3' (deterministic across runs)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def write_json(path: Path, data: dict) -> None:
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n")
