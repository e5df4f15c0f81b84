"""The `vetreport` command. It only wires stages together; the work is in the stage modules."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from .batch import BatchError, BatchEvents, ReportSummary, discover, run_batch
from .config import BatchSettings, Limits, OcrSettings, Settings
from .errors import quiet_libraries

app = typer.Typer(
    help=(
        "Turn Chinese vocational-education quality annual reports (职业教育质量年度报告) from PDF into "
        "validated tidy CSV files, and audit them."
    ),
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True, highlight=False, soft_wrap=True)


@app.callback()
def _commands() -> None:
    """Each command's --help explains its inputs and outputs."""
    quiet_libraries()


class Executor(str, Enum):
    processes = "processes"
    dask = "dask"


DEFAULT_BATCH = BatchSettings()


@app.command()
def run(
    inputs: Annotated[
        Optional[list[Path]],
        typer.Argument(help="Report PDFs, or folders searched recursively for *.pdf. Default: raw/", show_default=False),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder; each report gets OUT/<report_id>/.")] = Path("output"),
    password: Annotated[Optional[str], typer.Option(help="Password for encrypted PDFs.")] = None,
    workers: Annotated[int, typer.Option("--workers", "-j", min=1, help="Reports processed at once: worker processes here, or the size of the LocalCluster --executor dask starts (with --scheduler, the cluster's workers decide).")] = DEFAULT_BATCH.workers,
    executor: Annotated[Executor, typer.Option(help="processes: worker processes on this machine; dask: a Dask distributed cluster.")] = Executor.processes,
    scheduler: Annotated[Optional[str], typer.Option(help="Address of a running Dask scheduler (tcp://host:8786); implies --executor dask. Without it, --executor dask starts a LocalCluster.")] = None,
    time_limit: Annotated[float, typer.Option(
        min=1, help="Seconds one report may take. Past them it stops at its next check: an error, or partial results "
                    "when earlier stages finished. A worker still running a minute later is stopped (an error).")] = Limits.seconds,
    memory_limit: Annotated[int, typer.Option(
        "--memory-limit", help="Resident memory ceiling in MB, checked between pages (0 = none).")] = Limits.memory_mb,
    max_pages: Annotated[int, typer.Option("--max-pages", help="A PDF with more pages is an error.")] = Limits.max_pages,
    ocr: Annotated[bool, typer.Option(
        "--ocr/--no-ocr", help="OCR pages without a usable text layer with Tesseract (chi_sim); "
                               "their records are marked source=ocr.")] = True,
    ocr_max_pages: Annotated[int, typer.Option(
        "--ocr-max-pages", help="At most this many pages of one report are OCRed.")] = Limits.ocr_max_pages,
    force: Annotated[bool, typer.Option("--force", help="Re-run reports whose input sha256 and package version are unchanged since their last run.")] = False,
    store: Annotated[bool, typer.Option(help="Load the results into OUT/vetreport.duckdb.")] = True,
) -> None:
    """Extract sections, tables, appendix indicators and case studies from each report.

    Writes sections.csv, toc.csv, tables.csv, table_cells.csv, indicators.csv, cases.csv, claims.csv, findings.csv, validation.csv, pages.csv, manifest.json and the audit report (audit.html, audit.md) per report, a .parquet beside each CSV and a Frictionless datapackage.json, then loads every report into OUT/vetreport.duckdb.

    Reports already done with the same input and package version are skipped (see --force). One bad PDF never stops the others: it gets an error.json (file, stage, reason) and the exit code is 1. A report that is not of this template, or lacks some appendix tables, ends as partial results with warnings naming what is missing.
    """
    inputs = inputs or [Path("raw")]
    items, problems = discover(inputs)
    for problem in problems:
        console.print(f"[red]error:[/red] {escape(problem)}")
    if not items:
        console.print("[red]error:[/red] no PDF files to process")
        raise typer.Exit(2)
    limits = Limits(seconds=time_limit, memory_mb=memory_limit, max_pages=max_pages, ocr_max_pages=ocr_max_pages)
    settings = Settings(password=password, limits=limits, ocr=OcrSettings(mode="auto" if ocr else "off"))
    batch = BatchSettings(
        workers=workers, executor="dask" if scheduler else executor.value, scheduler=scheduler,
        time_limit=time_limit + limits.hard_stop_after, force=force,
        store_name=DEFAULT_BATCH.store_name if store else None,
    )
    try:
        with BatchDisplay(len(items)) as display:
            summaries = run_batch(items, out, settings, batch, display)
    except BatchError as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(2)
    _print_summary(summaries)
    failed = [s for s in summaries if s.status == "error"]
    for s in failed:
        where = f" page {s.error['page']}" if s.error and s.error.get("page") else ""
        error = s.error or {"stage": "?", "message": "no error.json"}
        console.print(f"[red]error:[/red] {escape(s.report_id)}: stage {error['stage']}{where}: {escape(str(error['message']))}")
    store_ok = _load_store(out, batch, summaries)
    if failed or problems or not store_ok:
        raise typer.Exit(1)


@app.command()
def audit(
    report_dir: Annotated[Path, typer.Argument(help="A report's output folder (OUT/<report_id>/) written by `vetreport run`.")],
    password: Annotated[Optional[str], typer.Option(help="Password of the source PDF, if it is encrypted.")] = None,
) -> None:
    """Rewrite audit.html and audit.md from a report folder, with the statuses of its review.csv.

    Edit review.csv (finding_id, status confirmed/dismissed, note) and run this, or run the
    report again: the statuses go into findings.csv and the audit report. review.csv itself is
    never overwritten.
    """
    import json

    import pandas as pd

    from .audit import write_audit
    from .frames import PUBLISHED
    from .output import write_csv
    from .review import apply_review

    manifest_path = report_dir / "manifest.json"
    if not manifest_path.is_file() or not (report_dir / "findings.csv").is_file():
        console.print(f"[red]error:[/red] {escape(str(report_dir))}: not a report folder (no manifest.json or findings.csv)")
        raise typer.Exit(2)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    pdf = Path(manifest["input"])
    if not pdf.is_file():
        console.print(f"[red]error:[/red] the source PDF {escape(str(pdf))} named in manifest.json is not there; "
                      "images need it (run from the folder `vetreport run` ran in)")
        raise typer.Exit(2)
    text = {c: str for c in ("claim_id", "finding_id", "claim_text", "indicator", "review_status", "review_note", "value_raw")}
    frames = {name: pd.read_csv(report_dir / f"{name}.csv", dtype=text, keep_default_na=False, na_values=[""])
              for name in ("claims", "findings") if (report_dir / f"{name}.csv").is_file()}
    frames["findings"] = frames["findings"].fillna({c: "" for c in text if c in frames["findings"]})
    reviewed = apply_review(frames["findings"], report_dir)
    frames["findings"] = reviewed.findings
    write_csv(report_dir / "findings.csv", reviewed.findings, PUBLISHED["findings"])
    result = write_audit(report_dir, pdf, frames, password)
    for issue in reviewed.issues + result.issues:
        console.print(f"warning: {escape(issue.message)}")
    console.print(f"wrote {result.html_path} and {result.md_path} ({result.images} evidence images)")


class BatchDisplay(BatchEvents):
    """An overall bar plus one line per running report showing its stage; plain lines when not a terminal."""

    def __init__(self, total: int):
        self.total = total
        self.done = 0
        self.bar = Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[count]}"), TimeElapsedColumn(),
            console=console, transient=True, disable=not console.is_terminal,
        )
        self.overall = self.bar.add_task("reports", total=total, count=f"0/{total}")
        self.rows: dict[str, int] = {}

    def __enter__(self):
        self.bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self.bar.stop()

    def stage(self, report_id: str, stage: str) -> None:
        label = f"  {escape(report_id)}: {stage}"
        if report_id in self.rows:
            self.bar.update(self.rows[report_id], description=label)
        else:
            self.rows[report_id] = self.bar.add_task(label, total=None, count="")

    def finished(self, summary: ReportSummary) -> None:
        row = self.rows.pop(summary.report_id, None)
        if row is not None:
            self.bar.remove_task(row)
        self.done += 1
        self.bar.update(self.overall, advance=1, count=f"{self.done}/{self.total}")
        if not console.is_terminal:
            console.print(f"[{self.done}/{self.total}] {escape(summary.report_id)}: {_status(summary)}")


def _status(summary: ReportSummary) -> str:
    return f"{summary.status} (unchanged)" if summary.unchanged else summary.status


def _count(value) -> str:
    return "-" if value is None else str(value)


def _print_summary(summaries: list[ReportSummary]) -> None:
    table = RichTable(title="vetreport run")
    for col in ("report", "pages", "indicators", "claims", "mismatches", "status", "seconds"):
        table.add_column(col, justify="left" if col in ("report", "status") else "right")
    for s in summaries:
        table.add_row(
            escape(s.report_id), _count(s.pages), _count(s.indicators), _count(s.claims), _count(s.mismatches), _status(s),
            "-" if s.seconds is None else f"{s.seconds:.1f}",
        )
    statuses = [s.status for s in summaries]
    table.caption = ", ".join(f"{statuses.count(k)} {k}" for k in ("ok", "partial", "error") if k in statuses) + (
        f"; {sum(s.unchanged for s in summaries)} unchanged" if any(s.unchanged for s in summaries) else "")
    out = Console(highlight=False)
    if not out.is_terminal:
        out = Console(highlight=False, width=160)
    out.print(table)


def _load_store(out: Path, batch: BatchSettings, summaries: list[ReportSummary]) -> bool:
    if not batch.store_name:
        return True
    import duckdb

    from .store import load_reports

    db_path = out / batch.store_name
    try:
        loaded = load_reports(db_path, [out / s.report_id for s in summaries])
    except duckdb.Error as exc:
        console.print(f"[red]error:[/red] {db_path}: the CSV and Parquet files are written, the store is not updated: {escape(str(exc))}")
        return False
    console.print(f"store: {db_path} ({len(loaded)} reports loaded, {len(summaries) - len(loaded)} unchanged since loaded)")
    return True


@app.command()
def diff(
    first: Annotated[str, typer.Argument(help="Report A, the earlier one: a report id under --out, or a report folder.", show_default=False)],
    second: Annotated[Optional[str], typer.Argument(help="Report B, the later one. Without it: A's year-over-year view only.", show_default=False)] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder holding the report folders.")] = Path("output"),
    to: Annotated[Optional[Path], typer.Option(help="Folder for the diff files. Default: OUT/diffs/A--B (or OUT/diffs/A).", show_default=False)] = None,
) -> None:
    """Compare two reports' appendix indicators, matched on (table, indicator, parent, unit).

    Writes diff.csv (one row per differing cell: restated = B's figure for A's current year differs from A's, changed, added, removed), yoy.csv (each indicator's change between the year columns inside each report) and diff.md (the same, to read).
    """
    from .diff import resolve_report, write_diff

    try:
        folders = [resolve_report(ref, out) for ref in (first, second) if ref is not None]
    except FileNotFoundError as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(2)
    to = to or out / "diffs" / "--".join(f.resolve().name for f in folders)
    a_dir, b_dir = (folders[0], folders[1]) if len(folders) == 2 else (None, folders[0])
    written = write_diff(a_dir, b_dir, to)
    for name, path in written.items():
        console.print(f"wrote {escape(str(path))}")
    if "diff.csv" in written:
        import pandas as pd

        kinds = pd.read_csv(written["diff.csv"], usecols=["kind"])["kind"].value_counts()
        console.print(", ".join(f"{int(kinds.get(k, 0))} {k}" for k in ("restated", "changed", "added", "removed")))


@app.command()
def serve(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder written by `vetreport run` (with vetreport.duckdb).")] = Path("output"),
    host: Annotated[str, typer.Option(help="Address to listen on. Any other than loopback requires the token on every request.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
    token: Annotated[Optional[str], typer.Option(help="The access token (default: a new random one, printed at start).", show_default=False)] = None,
) -> None:
    """Look at the output in the browser: reports, each report's findings with their evidence and review buttons, compare two reports, one indicator across reports.

    Reviews made in the browser go into each report's review.csv, which `vetreport run` and `vetreport audit` read. Stop with Ctrl+C.
    """
    from .serve.app import serve as run_server

    if not out.is_dir():
        console.print(f"[red]error:[/red] {escape(str(out))} is not a folder: run `vetreport run --out {escape(str(out))}` first")
        raise typer.Exit(2)
    run_server(out, host, port, token, lambda text: console.print(escape(text)))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        console.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
