"""One report as a task: what every executor runs (``report_task``) and what it reports back.

The task runs the stages, then writes Parquet files and datapackage.json
beside the CSVs, and returns a ReportSummary made from the run's result (a
report skipped as unchanged is summarised from its folder's files). ``record_failure`` writes the error record of a task that never
finished (its process was killed, died or crashed). The batch and the
executors both import this module; it imports neither.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Settings
from ..files import write_json
from ..writers.manifest import ERROR, of_failure, partial_of, partial_reasons
from ..writers.manifest import read as read_manifest
from ..writers.manifest import write as write_manifest

PUBLISH_STAGE = "publish"


@dataclass(frozen=True)
class BatchItem:
    pdf: Path
    report_id: str


@dataclass
class ReportSummary:
    """One line of the end-of-run table, read back from the report's folder."""

    report_id: str
    status: str  # "ok", "partial" or "error"
    pages: int | None = None
    indicators: int | None = None
    claims: int | None = None  # rows of claims.csv, when the folder has one
    mismatches: int | None = None  # findings.csv rows whose verdict is "mismatch"
    seconds: float | None = None
    warnings: int = 0
    error: dict | None = None
    unchanged: bool = False  # skipped: same input, options and package version as the folder's manifest
    reasons: list[str] = field(default_factory=list)  # why the results are partial (writers.manifest.partial_reasons)
    partial: dict = field(default_factory=dict)  # what those reasons are read from, to say them in a reader's language


class BatchError(Exception):
    """The batch as a whole cannot run (e.g. no Dask scheduler at the address given)."""


class BatchEvents:
    """What a batch tells its caller while it runs; the CLI draws progress from it."""

    def stage(self, report_id: str, stage: str) -> None:
        """A report entered a stage (the first call means it started)."""

    def finished(self, summary: ReportSummary) -> None:
        """A report is done, skipped as unchanged, or recorded as failed."""


def report_task(item: BatchItem, out_root: Path, settings: Settings, progress=None) -> ReportSummary:
    """The per-report task of every executor: stages, files, then Parquet and datapackage.json."""
    from ..process import process_report
    from ..writers.publish import publish_report

    start = time.perf_counter()
    result = process_report(item.pdf, out_root, settings, progress=progress, report_id=item.report_id)
    if result.status != "error":
        if progress:
            progress(item.report_id, PUBLISH_STAGE)
        publish_report(result.out_dir, result.csv_texts, result.manifest)
    return ReportSummary(
        report_id=result.report_id,
        status=result.status,
        pages=result.pages if not result.fatal else None,
        indicators=result.row_counts.get("indicators"),
        claims=result.row_counts.get("claims"),
        mismatches=_mismatches(result.frames.get("findings")),
        seconds=time.perf_counter() - start,
        warnings=len(result.issues),
        error={"file": str(result.pdf), **result.error} if result.error else None,
        reasons=partial_reasons(result.manifest) if result.status == "partial" else [],
        partial=partial_of(result.manifest) if result.status == "partial" else {},
    )


def _mismatches(findings) -> int | None:
    return None if findings is None else int((findings["verdict"] == "mismatch").sum())


def summarize(out_dir: Path, seconds: float | None = None) -> ReportSummary:
    """The summary of a report folder from its files (a report skipped as unchanged)."""
    manifest = read_manifest(out_dir) or {}
    counts = manifest.get("row_counts") or {}
    error = read_manifest(out_dir, ERROR) if manifest.get("status") == "error" else None
    return ReportSummary(
        report_id=out_dir.name,
        status=manifest.get("status", "error"),
        pages=manifest.get("pages"),
        indicators=counts.get("indicators"),
        claims=_csv_rows(out_dir / "claims.csv"),
        mismatches=_csv_rows(out_dir / "findings.csv", where=("verdict", "mismatch")),
        seconds=seconds if seconds is not None else sum(s.get("seconds", 0.0) for s in manifest.get("stages", [])),
        warnings=len(manifest.get("warnings") or []),
        error=error,
        reasons=partial_reasons(manifest) if manifest.get("status") == "partial" else [],
        partial=partial_of(manifest),
    )


def _csv_rows(path: Path, where: tuple[str, str] | None = None) -> int | None:
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(fh)
        if where is None:
            return sum(1 for _ in rows)
        column, value = where
        return sum(1 for row in rows if row.get(column) == value)


def record_failure(item: BatchItem, out_root: Path, stage: str, message: str, seconds: float) -> ReportSummary:
    """error.json and an error manifest for a report whose task never finished (killed, died, crashed).

    CSVs of an earlier run stay in place; the manifest's status says they are not this run's.
    """
    out_dir = out_root / item.report_id
    remove_leftovers(out_dir)
    error = {"file": str(item.pdf), "stage": stage, "message": message, "page": None}
    write_json(out_dir / ERROR, error)
    write_manifest(out_dir, of_failure(item.report_id, item.pdf, stage, message, seconds))
    return ReportSummary(item.report_id, "error", seconds=seconds, error=error)


def remove_leftovers(out_dir: Path) -> None:
    """Temporary files a killed or interrupted task was writing when it stopped."""
    for leftover in out_dir.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)
