"""The `vetreport` command. It only wires stages together; the work is in the stage modules."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from .batch import discover, run_one
from .config import Settings
from .report import ReportResult

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


@app.command()
def run(
    inputs: Annotated[
        Optional[list[Path]],
        typer.Argument(help="Report PDFs, or folders searched recursively for *.pdf. Default: raw/", show_default=False),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder; each report gets OUT/<report_id>/.")] = Path("output"),
    password: Annotated[Optional[str], typer.Option(help="Password for encrypted PDFs.")] = None,
) -> None:
    """Extract sections, tables, appendix indicators and case studies from each report.

    Writes sections.csv, toc.csv, tables.csv, table_cells.csv, indicators.csv, cases.csv,
    validation.csv and manifest.json per report. One bad PDF never stops the others:
    it gets an error.json and the exit code is 1.
    """
    inputs = inputs or [Path("raw")]
    items, problems = discover(inputs)
    for problem in problems:
        console.print(f"[red]error:[/red] {escape(problem)}")
    if not items:
        console.print("[red]error:[/red] no PDF files to process")
        raise typer.Exit(2)
    settings = Settings(password=password)
    results = _run_all(items, out, settings)
    _print_summary(results)
    failed = [r for r in results if r.status == "error"]
    for r in failed:
        where = f" page {r.error['page']}" if r.error and r.error.get("page") else ""
        console.print(f"[red]error:[/red] {r.out_dir.name}: stage {r.error['stage']}{where}: {escape(r.error['message'])}")
    if failed or problems:
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


def _run_all(items, out: Path, settings: Settings) -> list[ReportResult]:
    results = []
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True, disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("reports", total=len(items))

        def show(report_id: str, stage: str) -> None:
            bar.update(task, description=f"{report_id}: {stage}")

        for item in items:
            results.append(run_one(item, out, settings, progress=show))
            bar.advance(task)
    return results


def _print_summary(results: list[ReportResult]) -> None:
    table = RichTable(title="vetreport run")
    for col in ("report", "status", "pages", "sections", "tables", "indicators", "cases", "validation", "warnings", "seconds"):
        table.add_column(col, justify="right" if col not in ("report", "status") else "left")
    for r in results:
        counts = r.row_counts
        table.add_row(
            r.report_id, r.status, str(r.pages),
            *(str(counts[k]) if k in counts and r.status != "error" else "-"
              for k in ("sections", "tables", "indicators", "cases", "validation")),
            str(len(r.issues)), f"{r.seconds:.1f}",
        )
    out = Console(highlight=False)
    if not out.is_terminal:
        out = Console(highlight=False, width=160)
    out.print(table)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        console.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
