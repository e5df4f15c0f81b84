"""Running many reports: discovery, skip-unchanged, one task per report, one summary per input.

Every report runs as the same task (``task.report_task``): in worker
processes, on a Dask cluster, or — when it is the only one to run — in one
forked process of its own whose pages are read by forked page workers
(``executors.run_alone``). A report whose process dies or runs past the time
limit gets an error.json and a manifest saying so, and the batch goes on.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from ..config import BatchSettings, Settings
from ..files import REVIEW_FILE, file_sha256
from ..writers.manifest import package_version
from ..writers.manifest import read as read_manifest
from .executors import run_alone, run_dask, run_local
from .task import BatchEvents, BatchItem, ReportSummary, summarize

PDF_SUFFIX = ".pdf"  # what discovery looks for in folders, in any case


def discover(inputs: list[Path]) -> tuple[list[BatchItem], list[str]]:
    """PDF files named directly or found (recursively) in folders, and what was wrong with the inputs.

    Report ids are the files' stems; files that share a stem get the stem and the folders that tell
    them apart (``2024-上海``, ``2024-北京``): an id depends on the files that share its stem, never on
    the order files are found in.
    """
    files: list[Path] = []
    problems: list[str] = []
    for path in inputs:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == PDF_SUFFIX)
            if not found:
                problems.append(_empty_folder(path))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{path}: no such file or folder{_where(path)}")
    first: dict[Path, Path] = {}
    for pdf in files:
        first.setdefault(pdf.resolve(), pdf)  # a file named twice (itself and its folder) runs once
    unique = list(first.values())
    return [BatchItem(pdf, report_id) for pdf, report_id in zip(unique, report_ids(unique))], problems


def _where(path: Path) -> str:
    return "" if path.is_absolute() else f" (looked in {Path.cwd()})"


def _empty_folder(folder: Path) -> str:
    others = sum(1 for p in folder.rglob("*") if p.is_file())
    held = f"it holds {others} other files" if others else "it is empty"
    return (f"{folder}: no PDF files in this folder or its subfolders ({held}{_where(folder)}); "
            f"files are found by the {PDF_SUFFIX} ending of their names, in any case")


def report_ids(files: list[Path]) -> list[str]:
    """One id per file: its stem; for a stem several files share, the stem and the fewest trailing names
    of the file's folders that no other of them ends in; a hash of the path where nothing else tells."""
    by_stem: dict[str, list[Path]] = defaultdict(list)
    for pdf in files:
        by_stem[pdf.stem].append(pdf)
    ids: dict[Path, str] = {}
    for stem, group in by_stem.items():
        folders = {pdf: pdf.resolve().parent.parts[1:] for pdf in group}  # without the root
        for pdf, parts in folders.items():
            if len(group) == 1:
                ids[pdf] = stem
                continue
            tail = _distinct_tail(parts, [f for other, f in folders.items() if other is not pdf])
            ids[pdf] = "-".join([stem, *tail]) if tail else _hashed(stem, pdf)
    taken = defaultdict(int)
    for report_id in ids.values():
        taken[report_id] += 1
    return [ids[pdf] if taken[ids[pdf]] == 1 else _hashed(ids[pdf], pdf) for pdf in files]


def _distinct_tail(parts: tuple[str, ...], others: list[tuple[str, ...]]) -> tuple[str, ...] | None:
    for depth in range(1, len(parts) + 1):
        if all(other[-depth:] != parts[-depth:] for other in others):
            return parts[-depth:]
    return None


def _hashed(report_id: str, pdf: Path) -> str:
    return f"{report_id}-{hashlib.sha1(str(pdf.resolve()).encode('utf-8')).hexdigest()[:8]}"


def run_batch(
    items: list[BatchItem], out_root: Path, settings: Settings, batch: BatchSettings, events: BatchEvents | None = None
) -> list[ReportSummary]:
    """Every item's summary, in input order; unchanged reports are skipped unless ``batch.force``."""
    events = events or BatchEvents()
    summaries: dict[str, ReportSummary] = {}
    todo = []
    for item in items:
        previous = None if batch.force else unchanged_summary(item, out_root, settings)
        if previous:
            summaries[item.report_id] = previous
            events.finished(previous)
        else:
            todo.append(item)
    for summary in _execute(todo, out_root, settings, batch, events):
        summaries[summary.report_id] = summary
        events.finished(summary)
    return [summaries[item.report_id] for item in items]


def _execute(todo: list[BatchItem], out_root: Path, settings: Settings, batch: BatchSettings,
             events: BatchEvents) -> Iterator[ReportSummary]:
    """The reports to run, each on the executor that fits: a Dask cluster when asked for, one forked process
    for a report that runs alone (its pages read on every core), else worker processes here."""
    if not todo:
        return iter(())
    if batch.executor == "dask":
        return run_dask(todo, out_root, settings, batch, events)
    if len(todo) == 1:
        return run_alone(todo, out_root, settings, batch, events)
    return run_local(todo, out_root, settings, batch, events)


# ---------------------------------------------------------------- report folders


def unchanged_summary(item: BatchItem, out_root: Path, settings: Settings) -> ReportSummary | None:
    """The previous summary when the folder holds a finished run of this very input, with the same output
    options and package version.

    Failed reports always run again, and so do reports with a failed stage (one that ran out of time,
    say): a time limit or a dead worker may not recur.
    """
    from ..writers.publish import publish_report

    out_dir = out_root / item.report_id
    manifest = read_manifest(out_dir)
    if not manifest or manifest.get("status") == "error" or manifest.get("package_version") != package_version():
        return None
    if any(stage.get("status") == "failed" for stage in manifest.get("stages") or []):
        return None
    if manifest.get("options") != json.loads(json.dumps(settings.output_options())):  # as the manifest holds them
        return None
    if manifest.get("sha256") != file_sha256(item.pdf):
        return None
    if _reviewed_since(out_dir):  # review.csv edited by hand since the run: its statuses go into findings.csv
        return None
    if not _published_after_csvs(out_dir):  # a CSV written since (by another command): publish it too
        publish_report(out_dir)
    summary = summarize(out_dir)
    summary.unchanged = True
    summary.seconds = None
    return summary


def _reviewed_since(out_dir: Path) -> bool:
    """review.csv is newer than findings.csv (an edit the findings and the audit report do not hold yet)."""
    try:
        return (out_dir / REVIEW_FILE).stat().st_mtime_ns > (out_dir / "findings.csv").stat().st_mtime_ns
    except FileNotFoundError:
        return False


def _published_after_csvs(out_dir: Path) -> bool:
    from ..writers.publish import DATAPACKAGE, report_csvs

    package = out_dir / DATAPACKAGE
    if not package.is_file():
        return False
    published = package.stat().st_mtime_ns
    return all(path.stat().st_mtime_ns <= published for path in report_csvs(out_dir))
