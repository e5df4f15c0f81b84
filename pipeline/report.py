"""Running stages with timing and failure isolation, and writing one report's folder."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import beside
from .errors import ReportError, failure_message
from .output import file_sha256, write_csv, write_json
from .records import Document, Issue

if TYPE_CHECKING:
    import pandas as pd

FATAL_STAGE = "pages"


def package_version() -> str:
    # not with the module: it takes as long to import as the rest of it
    from importlib import metadata

    try:
        return metadata.version("vetreport")
    except metadata.PackageNotFoundError:
        return "0+unknown"


@dataclass(frozen=True)
class Failed:
    """Stands in for the result of a stage that failed or was skipped."""

    stage: str


@dataclass
class StageRecord:
    name: str
    status: str  # "ok", "failed" or "skipped"
    seconds: float
    message: str = ""
    page: int | None = None


class StageRunner:
    """Calls stage functions, times them, and turns exceptions into records.

    A stage whose input is a Failed result is skipped, so later stages that
    do not depend on a failed one still run and their files are written.
    """

    def __init__(self, report_id: str, progress=None, budget=None):
        self.report_id = report_id
        self.progress = progress
        self.budget = budget  # a limits.Budget whose deadline interrupts a stage that runs past it
        self.records: list[StageRecord] = []
        self.issues: list[Issue] = []

    def __call__(self, name: str, fn, *args):
        missing = [a.stage for a in args if isinstance(a, Failed)]
        if missing:
            self.records.append(StageRecord(name, "skipped", 0.0, f"needs {', '.join(sorted(set(missing)))}"))
            return Failed(name)
        if self.progress:
            self.progress(self.report_id, name)
        start = time.perf_counter()
        try:
            with self.budget.watchdog() if self.budget else nullcontext():
                result = fn(*args)
        except ReportError as exc:
            self.records.append(StageRecord(name, "failed", time.perf_counter() - start, exc.message, exc.page))
            return Failed(name)
        except Exception as exc:  # an unexpected bug must not sink the batch; keep the evidence
            self.records.append(StageRecord(name, "failed", time.perf_counter() - start, failure_message(exc)))
            return Failed(name)
        return self._done(name, result, time.perf_counter() - start)

    def beside(self, name: str, fn, *args) -> Callable[[], object]:
        """Stage ``name`` started beside the stages after it (pipeline.beside); the function returned waits
        for it and gives what calling the stage would have given, recorded the same way.

        A stage under the budget's limits is run here and now, where the budget's watchdog holds."""
        if self.budget is not None or any(isinstance(a, Failed) for a in args):
            result = self(name, fn, *args)
            return lambda: result
        if self.progress:
            self.progress(self.report_id, name)
        pending = beside.start(fn, *args)
        place = len(self.records)  # its record goes where it started, before the stages run beside it
        self.records.append(StageRecord(name, "running", 0.0))

        def join():
            try:
                result = pending.join()
            except ReportError as exc:
                self.records[place] = StageRecord(name, "failed", pending.seconds, exc.message, exc.page)
                return Failed(name)
            except beside.StageFailed as exc:
                self.records[place] = StageRecord(name, "failed", pending.seconds, str(exc))
                return Failed(name)
            return self._done(name, result, pending.seconds, place)

        return join

    def _done(self, name: str, result, seconds: float, place: int | None = None):
        record = StageRecord(name, "ok", seconds)
        if place is None:
            self.records.append(record)
        else:
            self.records[place] = record
        self.issues += list(getattr(result, "issues", []) or [])
        return result

    def failed(self) -> list[StageRecord]:
        return [r for r in self.records if r.status != "ok"]


def collect_frames(doc, **results) -> dict[str, pd.DataFrame]:
    """DataFrames for the stages that produced records."""
    from . import frames as F

    frames: dict[str, pd.DataFrame] = {}
    printed = {p.number: p.printed for p in doc.pages} if isinstance(doc, Document) else {}
    if isinstance(doc, Document):
        frames["pages"] = F.pages_frame(doc)
    sections, tables = results.get("sections"), results.get("tables")
    if sections is not None and not isinstance(sections, Failed):
        frames["sections"] = F.sections_frame(sections)
        frames["toc"] = F.toc_frame(sections)
    if tables is not None and not isinstance(tables, Failed):
        frames["tables"] = F.tables_frame(tables, printed)
        frames["table_cells"] = F.cells_frame(tables, printed)
    indicators = results.get("indicators")
    if indicators is not None and not isinstance(indicators, Failed):
        frames["indicators"] = F.indicators_frame(indicators)
    cases = results.get("cases")
    if cases is not None and not isinstance(cases, Failed):
        frames["cases"] = F.cases_frame(cases, printed)
    claims = results.get("claims")
    if claims is not None and not isinstance(claims, Failed):
        frames["claims"] = F.claims_frame(claims, printed)
    findings = results.get("findings")
    if findings is not None and not isinstance(findings, Failed):
        frames["findings"] = F.findings_frame(findings)
    return frames


@dataclass
class ReportResult:
    report_id: str
    out_dir: Path
    status: str  # "ok", "partial" or "error"
    pages: int
    row_counts: dict[str, int]
    seconds: float
    issues: list[Issue] = field(default_factory=list)
    error: dict | None = None
    stages: list[StageRecord] = field(default_factory=list)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)


def write_report(out_dir: Path, pdf: Path, doc, frames: dict[str, pd.DataFrame], validation, run: StageRunner,
                 budget=None, options: dict | None = None, pending: Callable[[], object] | None = None) -> ReportResult:
    """The CSVs, manifest.json and error.json; ``options`` (Settings.output_options) go into the manifest,
    so that a run with other options is not skipped as unchanged. ``pending`` waits for a stage started
    beside the writing (StageRunner.beside): it is recorded before the manifest is written."""
    from . import frames as F

    out_dir.mkdir(parents=True, exist_ok=True)
    stale: list[str] = []
    if _fatal(run) is not None:  # decided by the page stage, before any stage started beside
        frames = {}  # nothing of this run to write: an earlier run's files stay, the manifest says this run failed
    else:
        for name, frame in frames.items():
            write_csv(out_dir / f"{name}.csv", frame, F.PUBLISHED[name])
        if not isinstance(validation, Failed):
            write_csv(out_dir / "validation.csv", validation)
            frames["validation"] = validation
        stale = _remove_stale(out_dir, frames)
    if pending is not None:
        pending()
    issues = run.issues  # the stages' issues, the page stage's (doc.issues) among them
    status, error = _status(run, issues)
    manifest = _manifest(pdf, doc, frames, run, issues, status)
    manifest["files"] = sorted(f"{name}.csv" for name in frames) + ["manifest.json"] + (["error.json"] if error else [])
    if stale:
        manifest["removed_stale_files"] = stale
    if options is not None:
        manifest["options"] = options
    if budget is not None:
        manifest["limits"] = budget.summary()
    write_json(out_dir / "manifest.json", manifest)
    error_path = out_dir / "error.json"
    if error:
        write_json(error_path, {"file": str(pdf), **error})
    elif error_path.exists():
        error_path.unlink()
    return ReportResult(
        report_id=out_dir.name,
        out_dir=out_dir,
        status=status,
        pages=doc.page_count if isinstance(doc, Document) else 0,
        row_counts=manifest["row_counts"],
        seconds=sum(r.seconds for r in run.records),
        issues=issues,
        error=error,
        stages=run.records,
        frames=frames,
    )


def _remove_stale(out_dir: Path, frames: dict) -> list[str]:
    """CSVs of an earlier run whose stage produced nothing in this (partial) run: removed, so that one
    folder never mixes two runs."""
    from . import frames as F

    removed = []
    for name in [*F.PUBLISHED, "validation"]:
        path = out_dir / f"{name}.csv"
        if name not in frames and path.exists():
            path.unlink()
            removed.append(path.name)
    return removed


def _fatal(run: StageRunner) -> StageRecord | None:
    """The failed record of the stage without which nothing is written (the pages), if it failed."""
    return next((r for r in run.records if r.name == FATAL_STAGE and r.status == "failed"), None)


def _status(run: StageRunner, issues: list[Issue]) -> tuple[str, dict | None]:
    fatal = _fatal(run)
    if fatal:
        return "error", {"stage": fatal.name, "message": fatal.message, "page": fatal.page}
    if run.failed() or any(i.level == "missing" for i in issues):
        return "partial", None
    return "ok", None


def _manifest(pdf: Path, doc, frames, run: StageRunner, issues: list[Issue], status: str) -> dict:
    is_doc = isinstance(doc, Document)
    return {
        "report_id": run.report_id,
        "input": str(pdf.resolve()),  # absolute: `vetreport audit` finds the PDF from any folder
        "sha256": doc.sha256 if is_doc else (file_sha256(pdf) if pdf.is_file() else None),
        "pages": doc.page_count if is_doc else None,
        "producer": doc.producer if is_doc else None,
        "creator": doc.creator if is_doc else None,
        "package_version": package_version(),
        "status": status,
        "stages": [
            {"name": r.name, "status": r.status, "seconds": round(r.seconds, 3), **({"message": r.message} if r.message else {}),
             **({"page": r.page} if r.page else {})}
            for r in run.records
        ],
        "row_counts": {name: int(len(frame)) for name, frame in frames.items()},
        "warnings": [i.as_dict() for i in issues],
    }
