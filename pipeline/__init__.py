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
          audit.write_audit ────────────────► audit.html, audit.md with evidence images
          report.write_report ──────────────► <out>/<report_id>/*.csv, manifest.json

Per-report limits (time, memory, pages, pixels; limits.Budget) hold for the extraction stages.
"""

from __future__ import annotations

from pathlib import Path

from .config import Settings

__all__ = ["ReportResult", "Settings", "process_report"]


def __getattr__(name: str):
    # ReportResult without importing the stages (and pandas) with `import pipeline`
    if name == "ReportResult":
        from .report import ReportResult

        return ReportResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def process_report(
    pdf: Path, out_root: Path, settings: Settings | None = None, progress=None, report_id: str | None = None
) -> ReportResult:
    """Run every stage on one PDF and write its folder; never raises for bad input.

    The limits in ``settings.limits`` hold for the extraction stages; validation and
    writing the files always run, so what was extracted before a limit hit is kept.
    """
    # The stages are imported here, not with the package: `vetreport --help` and `vetreport diff`
    # need none of them (nor pandas, camelot, pandera or jieba, which they import).
    from .limits import Budget
    from .pages import extract_pages
    from .report import Failed, StageRunner, collect_frames, write_report

    settings = settings or Settings()
    pdf = Path(pdf)
    report_id = report_id or pdf.stem
    budget = Budget(settings.limits, str(pdf))
    run = StageRunner(report_id, progress, budget)
    doc = run("pages", extract_pages, pdf, settings.pages, settings.password, report_id, settings.ocr, budget)
    # Imported after the pages: a lone report's process imports them while its page workers read the
    # pages (page_workers.parallel).
    from schemas import validate

    from .audit import write_audit
    from .cases import extract_cases
    from .claims import extract_claims
    from .indicators import extract_indicators
    from .reconcile import reconcile
    from .review import apply_review
    from .sections import extract_sections
    from .tables import extract_tables

    sections = run("sections", extract_sections, doc)
    tables = run("tables", extract_tables, doc, settings.tables, budget)
    indicators = run("indicators", extract_indicators, report_id, tables)
    cases = run("cases", extract_cases, doc, sections, tables)
    claims = run("claims", extract_claims, doc, sections, tables, cases)
    findings = run("reconcile", reconcile, claims, indicators)
    run.budget = None  # review, validation, the audit and writing always run, so what was extracted is kept
    frames = collect_frames(doc, sections=sections, tables=tables, indicators=indicators, cases=cases,
                            claims=claims, findings=findings)
    out_dir = Path(out_root) / report_id
    reviewed = run("review", apply_review, frames.get("findings", Failed("reconcile")), out_dir)
    if not isinstance(reviewed, Failed):
        frames["findings"] = reviewed.findings
    validation = run("validate", validate, frames)
    if not isinstance(doc, Failed):  # an unreadable PDF has nothing to audit, and an earlier audit stays
        run("audit", write_audit, out_dir, pdf, frames, settings.password)
    return write_report(out_dir, pdf, doc, frames, validation, run, budget, settings.output_options())
