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
