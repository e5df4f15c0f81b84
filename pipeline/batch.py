"""Running many reports: discovery, skip-unchanged, one task per report, one summary per input.

Every report runs as the same task, locally or on a Dask worker
(``report_task``): the stages, then Parquet files and datapackage.json beside
its CSVs. A report whose worker dies or runs past the time limit gets an
error.json and a manifest saying so, and the batch goes on.
"""

from __future__ import annotations

import csv
import json
import time
from dataclasses import dataclass
from pathlib import Path

from .config import BatchSettings, Settings
from .output import file_sha256, write_json
from .publish import DATAPACKAGE, publish_report, report_csvs
from .report import ReportResult, package_version

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
    unchanged: bool = False  # skipped: same input sha256 and package version as the folder's manifest


class BatchError(Exception):
    """The batch as a whole cannot run (e.g. no Dask scheduler at the address given)."""


class BatchEvents:
    """What a batch tells its caller while it runs; the CLI draws progress from it."""

    def stage(self, report_id: str, stage: str) -> None:
        """A report entered a stage (the first call means it started)."""

    def finished(self, summary: ReportSummary) -> None:
        """A report is done, skipped as unchanged, or recorded as failed."""


def discover(inputs: list[Path]) -> tuple[list[BatchItem], list[str]]:
    """PDF files named directly or found (recursively) in folders; report ids stay unique."""
    files: list[Path] = []
    problems: list[str] = []
    for path in inputs:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{path}: no such file or folder")
    items: list[BatchItem] = []
    used: set[str] = set()
    for pdf in files:
        report_id = pdf.stem
        n = 2
        while report_id in used:
            report_id = f"{pdf.stem}-{n}"
            n += 1
        used.add(report_id)
        items.append(BatchItem(pdf, report_id))
    return items, problems


def run_one(item: BatchItem, out_root: Path, settings: Settings, progress=None) -> ReportResult:
    from . import process_report

    return process_report(item.pdf, out_root, settings, progress=progress, report_id=item.report_id)


def report_task(item: BatchItem, out_root: Path, settings: Settings, progress=None) -> ReportSummary:
    """The per-report task of every executor: stages, files, then Parquet and datapackage.json."""
    start = time.perf_counter()
    result = run_one(item, out_root, settings, progress)
    if result.status != "error":
        if progress:
            progress(item.report_id, PUBLISH_STAGE)
        publish_report(result.out_dir)
    return summarize(result.out_dir, seconds=time.perf_counter() - start)


def run_batch(
    items: list[BatchItem], out_root: Path, settings: Settings, batch: BatchSettings, events: BatchEvents | None = None
) -> list[ReportSummary]:
    """Every item's summary, in input order; unchanged reports are skipped unless ``batch.force``."""
    from .executors import run_dask, run_local

    events = events or BatchEvents()
    summaries: dict[str, ReportSummary] = {}
    todo = []
    for item in items:
        previous = None if batch.force else unchanged_summary(item, out_root)
        if previous:
            summaries[item.report_id] = previous
            events.finished(previous)
        else:
            todo.append(item)
    execute = run_dask if batch.executor == "dask" else run_local
    if todo:
        for summary in execute(todo, out_root, settings, batch, events):
            summaries[summary.report_id] = summary
            events.finished(summary)
    return [summaries[item.report_id] for item in items]


# ---------------------------------------------------------------- report folders


def read_manifest(out_dir: Path) -> dict | None:
    path = out_dir / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def unchanged_summary(item: BatchItem, out_root: Path) -> ReportSummary | None:
    """The previous summary when the folder holds a finished run of this very input and package version.

    Failed reports are always run again: a time limit or a dead worker may not recur.
    """
    out_dir = out_root / item.report_id
    manifest = read_manifest(out_dir)
    if not manifest or manifest.get("status") == "error" or manifest.get("package_version") != package_version():
        return None
    if manifest.get("sha256") != file_sha256(item.pdf):
        return None
    if not _published_after_csvs(out_dir):  # a CSV written since (by another command): publish it too
        publish_report(out_dir)
    summary = summarize(out_dir)
    summary.unchanged = True
    summary.seconds = None
    return summary


def _published_after_csvs(out_dir: Path) -> bool:
    package = out_dir / DATAPACKAGE
    if not package.is_file():
        return False
    published = package.stat().st_mtime_ns
    return all(path.stat().st_mtime_ns <= published for path in report_csvs(out_dir))


def summarize(out_dir: Path, seconds: float | None = None) -> ReportSummary:
    manifest = read_manifest(out_dir) or {}
    counts = manifest.get("row_counts") or {}
    error = None
    if manifest.get("status") == "error" and (out_dir / "error.json").is_file():
        error = json.loads((out_dir / "error.json").read_text(encoding="utf-8"))
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
    for leftover in out_dir.glob(".*.tmp"):  # a file the killed worker was writing when it stopped
        leftover.unlink(missing_ok=True)
    error = {"file": str(item.pdf), "stage": stage, "message": message, "page": None}
    write_json(out_dir / "error.json", error)
    write_json(out_dir / "manifest.json", {
        "report_id": item.report_id,
        "input": str(item.pdf),
        "sha256": file_sha256(item.pdf) if item.pdf.is_file() else None,
        "pages": None,
        "producer": None,
        "creator": None,
        "package_version": package_version(),
        "status": "error",
        "stages": [{"name": stage, "status": "failed", "seconds": round(seconds, 3), "message": message}],
        "row_counts": {},
        "warnings": [],
    })
    return ReportSummary(item.report_id, "error", seconds=seconds, error=error)
