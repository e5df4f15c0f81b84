"""vetreport: a quality-report PDF in, validated tidy records and files out.

The data flow of one report, stage by stage (each stage is a module with
one entry function; each is timed, and a failing stage is recorded while
the stages that do not depend on it still run):

    pdf ─ pages.extract_pages ──────────────► Document (cleaned lines, rules, boxes per page;
                                               pages without a usable text layer OCRed: ocr.py)
          sections.extract_sections(doc) ───► Sections (目录 entries, body headings)
          tables.extract_tables(doc) ───────► Tables (tables with merged cells, case frames)
          indicators.extract_indicators ────► Indicators (附表1–附表6, long form)
          cases.extract_cases ──────────────► Cases (案例 with chapter, pages, schools)
          claims.extract_claims ────────────► Claims (every number in the narrative and cases)
          reconcile.reconcile ──────────────► Findings (text vs tables, tables vs themselves)
          frames.* ─────────────────────────► one DataFrame per CSV
          review.apply_review ──────────────► findings with the auditor's review.csv statuses
          schemas.validate(frames) ─────────► validation rows (never aborts)
          audit.write_audit ────────────────► audit.html, audit.md with evidence images (beside
                                               validation and writing when a core is spare: beside.py)
          report.write_report ──────────────► <out>/<report_id>/*.csv, manifest.json

Per-report limits (time, memory, pages, pixels; limits.Budget) hold for the extraction stages.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from types import ModuleType

from . import template
from .config import Settings

__all__ = ["ReportResult", "Settings", "process_report"]

# What process_report calls, by the module that holds it. They are attributes of this package that are
# imported on first use, so that `import pipeline` (and `vetreport --help`, `vetreport diff`) imports no
# stage, nor pandas, camelot, pandera or jieba, which the stages import.
_LAZY = {
    "extract_pages": "pages", "extract_sections": "sections", "extract_tables": "tables",
    "extract_indicators": "indicators", "extract_cases": "cases", "extract_claims": "claims",
    "reconcile": "reconcile", "apply_review": "review", "write_audit": "audit", "Budget": "limits",
    "Failed": "report", "ReportResult": "report", "StageRunner": "report", "collect_frames": "report",
    "write_report": "report",
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


def _load(*names: str) -> None:
    """Make ``names`` module globals for process_report (one already set, e.g. by a test, is kept).

    ``reconcile`` is also the name of a module of this package, which importing it sets here.
    """
    for name in names:
        if name not in globals() or isinstance(globals()[name], ModuleType):
            __getattr__(name)


def process_report(
    pdf: Path, out_root: Path, settings: Settings | None = None, progress=None, report_id: str | None = None
) -> ReportResult:
    """Run every stage on one PDF and write its folder; never raises for bad input.

    The limits in ``settings.limits`` hold for the extraction stages; validation and
    writing the files always run, so what was extracted before a limit hit is kept.
    """
    template.validate()  # a template file naming an unknown table kind, indicator or unit is an error at start
    _load("Budget", "Failed", "StageRunner", "collect_frames", "write_report", "extract_pages")
    settings = settings or Settings()
    pdf = Path(pdf)
    report_id = report_id or pdf.stem
    budget = Budget(settings.limits, str(pdf))
    run = StageRunner(report_id, progress, budget)
    doc = run("pages", extract_pages, pdf, settings.pages, settings.password, report_id, settings.ocr, budget)
    # Imported after the pages: a lone report's process imports them while its page workers read the
    # pages (page_workers.parallel).
    from schemas import validate

    _load(*(name for name, module in _LAZY.items() if module not in ("limits", "report")))
    sections = run("sections", extract_sections, doc)
    tables = run("tables", extract_tables, doc, settings.tables, budget)
    indicators = run("indicators", extract_indicators, report_id, tables)
    cases = run("cases", extract_cases, doc, sections, tables)
    claims = run("claims", extract_claims, doc, sections, tables, cases)
    findings = run("reconcile", reconcile, claims, indicators, tables)
    run.budget = None  # review, validation, the audit and writing always run, so what was extracted is kept
    frames = collect_frames(doc, sections=sections, tables=tables, indicators=indicators, cases=cases,
                            claims=claims, findings=findings)
    out_dir = Path(out_root) / report_id
    reviewed = run("review", apply_review, frames.get("findings", Failed("reconcile")), out_dir)
    if not isinstance(reviewed, Failed):
        frames["findings"] = reviewed.findings
    audit = None
    if not isinstance(doc, Failed):  # an unreadable PDF has nothing to audit, and an earlier audit stays
        # beside validation and the CSVs when a core is spare: nothing after it needs the audit
        audit = run.beside("audit", write_audit, out_dir, pdf, frames, settings.password, doc.readable_path,
                           list(run.issues))
    validation = run("validate", validate, frames)
    return write_report(out_dir, pdf, doc, frames, validation, run, budget, settings.output_options(), audit)
