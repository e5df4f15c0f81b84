"""What one report's run gave: ``ReportResult``, made by process.process_report, written by the writers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .records import Document, Issue
from .stages import Failed, StageRecord

if TYPE_CHECKING:
    import pandas as pd

    from .claims import Claims
    from .reconcile import Findings
    from .records import Cases, Indicators, Sections, Tables

FATAL_STAGE = "pages"  # without its pages a report has nothing to write


@dataclass
class ReportResult:
    """Everything one report's run gave (in the spirit of Docling's ConversionResult): each stage's records
    (or the ``Failed`` stand-in of a stage that failed or was skipped), the published tables built from
    them, the stages' records and timings, and every issue raised."""

    report_id: str
    pdf: Path
    out_dir: Path
    options: dict  # Settings.output_options(): a run with other options is not skipped as unchanged
    doc: Document | Failed
    sections: Sections | Failed
    tables: Tables | Failed
    indicators: Indicators | Failed
    cases: Cases | Failed
    claims: Claims | Failed
    findings: Findings | Failed
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # one per CSV, validation.csv's among them
    stages: list[StageRecord] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    limits: dict | None = None  # Budget.summary(): the limits that held, the time taken, the memory seen
    csv_texts: dict[str, str] = field(default_factory=dict)  # each CSV's text as written (writers.report)
    manifest: dict = field(default_factory=dict)  # manifest.json as written

    @property
    def fatal(self) -> StageRecord | None:
        return next((r for r in self.stages if r.name == FATAL_STAGE and r.status == "failed"), None)

    @property
    def status(self) -> str:
        """"error" without pages; "partial" with a failed stage or anything missing; else "ok"."""
        if self.fatal:
            return "error"
        if any(r.status != "ok" for r in self.stages) or any(i.level == "missing" for i in self.issues):
            return "partial"
        return "ok"

    @property
    def error(self) -> dict | None:
        fatal = self.fatal
        if not fatal:
            return None
        said = {"key": fatal.said["key"], "fields": dict(fatal.said.get("fields") or {})} if fatal.said else {}
        return {"stage": fatal.name, "message": fatal.message, "page": fatal.page, **said}

    @property
    def pages(self) -> int:
        return self.doc.page_count if isinstance(self.doc, Document) else 0

    @property
    def row_counts(self) -> dict[str, int]:
        return {name: int(len(frame)) for name, frame in self.frames.items()}

    @property
    def seconds(self) -> float:
        return sum(r.seconds for r in self.stages)
