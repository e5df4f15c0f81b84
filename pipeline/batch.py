"""Running many reports: input discovery and one result per input, whatever happens."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .report import ReportResult


@dataclass(frozen=True)
class BatchItem:
    pdf: Path
    report_id: str


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
