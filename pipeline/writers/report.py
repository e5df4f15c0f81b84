"""Writing one report's folder from its ReportResult: the CSVs, then manifest.json and error.json.

The CSVs are written while the audit may still be drawing its images beside (process_report joins it
in between), the manifest last, once every stage's record is in.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..files import write_csv, write_json
from . import manifest
from .frames import PUBLISHED
from .review import formula_safe

if TYPE_CHECKING:
    from ..result import ReportResult

VALIDATION = "validation"


def write_tables(result: ReportResult) -> None:
    """One CSV per published table (validation.csv among them); nothing when the report has no pages, so
    that an earlier run's files stay (the manifest says this run failed)."""
    result.out_dir.mkdir(parents=True, exist_ok=True)
    if result.fatal:
        return
    for name, frame in result.frames.items():
        columns = PUBLISHED[name].columns if name in PUBLISHED else None
        if "review_note" in frame:  # the auditor's notes: never a formula in a spreadsheet
            frame = frame.assign(review_note=frame["review_note"].map(formula_safe))
        result.csv_texts[name] = write_csv(result.out_dir / f"{name}.csv", frame, columns)


def write_report(result: ReportResult) -> None:
    """manifest.json, and error.json when the report failed (an earlier error.json is removed otherwise)."""
    out_dir, error = result.out_dir, result.error
    stale = [] if result.fatal else _remove_stale(out_dir, result.frames)
    files = sorted(f"{name}.csv" for name in result.frames) + [manifest.MANIFEST] + ([manifest.ERROR] if error else [])
    result.manifest = manifest.of_result(result, files, stale)
    manifest.write(out_dir, result.manifest)
    error_path = out_dir / manifest.ERROR
    if error:
        write_json(error_path, {"file": str(result.pdf), **error})
    elif error_path.exists():
        error_path.unlink()


def _remove_stale(out_dir: Path, frames: dict) -> list[str]:
    """CSVs of an earlier run whose stage produced nothing in this (partial) run: removed, so that one
    folder never mixes two runs."""
    removed = []
    for name in [*PUBLISHED, VALIDATION]:
        path = out_dir / f"{name}.csv"
        if name not in frames and path.exists():
            path.unlink()
            removed.append(path.name)
    return removed
