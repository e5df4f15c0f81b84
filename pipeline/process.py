"""One report, stage by stage: ``process_report``, which returns one ``result.ReportResult``.

The stages are plain calls, in the order the data flows (the diagram is in pipeline/__init__.py).
The extraction stages are held to the report's limits; review, validation, the audit and the
writing always run, so what was extracted before a limit hit is kept. The modules of the stages
after the pages are imported where they are first used: a lone report imports them while its page
workers read the pages (``warm_up``), and `vetreport --help` or `diff` never import them.
"""

from __future__ import annotations

from pathlib import Path

from . import template
from .config import Settings
from .limits import Budget
from .pages import extract_pages
from .result import ReportResult
from .stages import Failed, StageRunner


def process_report(
    pdf: Path, out_root: Path, settings: Settings | None = None, progress=None, report_id: str | None = None
) -> ReportResult:
    """Run every stage on one PDF and write its folder; never raises for bad input."""
    template.validate()  # a template file naming an unknown table kind, indicator or unit is an error at start
    settings = settings or Settings()
    pdf = Path(pdf)
    report_id = report_id or pdf.stem
    out_dir = Path(out_root) / report_id
    budget = Budget(settings.limits, str(pdf))
    run = StageRunner(report_id, progress, settings.cores)
    with run.within(budget):
        doc = run("pages", extract_pages, pdf, settings.pages, settings.password, report_id, settings.ocr, budget,
                  settings.cores, warm_up if settings.cores > 1 else None)
        from .cases import extract_cases
        from .claims import extract_claims
        from .indicators import extract_indicators
        from .reconcile import reconcile
        from .sections import extract_sections
        from .tables import extract_tables

        sections = run("sections", extract_sections, doc)
        tables = run("tables", extract_tables, doc, settings.tables, budget, settings.cores)
        indicators = run("indicators", extract_indicators, report_id, tables, doc, settings.template,
                         settings.ocr.value_confidence)
        cases = run("cases", extract_cases, doc, sections, tables)
        claims = run("claims", extract_claims, doc, sections, tables, cases)
        findings = run("reconcile", reconcile, claims, indicators, tables)

    from schemas import validate

    from .writers.audit import write_audit
    from .writers.frames import collect_frames
    from .writers.report import write_report, write_tables
    from .writers.review import apply_review

    result = ReportResult(report_id, pdf, out_dir, settings.output_options(), doc, sections, tables, indicators, cases,
                          claims, findings, stages=run.records, issues=run.issues)
    result.frames = collect_frames(result)
    reviewed = run("review", apply_review, result.frames.get("findings", Failed("reconcile")), out_dir)
    if not isinstance(reviewed, Failed):
        result.frames["findings"] = reviewed.findings
    audit = None
    if not isinstance(doc, Failed):  # an unreadable PDF has nothing to audit, and an earlier audit stays
        # beside validation and the CSVs when a core is spare: nothing after it needs the audit
        audit = run.beside("audit", write_audit, out_dir, pdf, result.frames, settings.password, doc.readable_path,
                           list(run.issues), settings.lang)
    validation = run("validate", validate, result.frames)
    if not isinstance(validation, Failed) and not result.fatal:
        result.frames["validation"] = validation
    write_tables(result)
    if audit is not None:
        run.join(audit)
    result.limits = budget.summary()
    write_report(result)
    return result


def warm_up() -> None:
    """Do the set-up every report would otherwise do on its way through the stages: import the stages after
    the pages and the libraries they import on first use (camelot with OpenCV, cn2an, jieba with its
    dictionary, pypdfium2 and Pillow's PNG writer), build the pandera schemas and register pandera's
    validation backends. A lone report runs it while its page workers read the pages; a batch's forkserver
    once (runtime/preload.py), so that every worker forked from it starts with it done. It touches nothing
    but public names: a warm-up that failed would take the batch's forkserver down with it."""
    import sys
    import types

    import camelot  # noqa: F401  (the table stage imports it lazily)
    import cn2an  # noqa: F401  (numbers imports it on first use; importing it builds its patterns)
    import pandas as pd
    import pandera.errors
    import pypdfium2  # noqa: F401  (the audit's crops)
    from PIL import ImageDraw, PngImagePlugin  # noqa: F401  (the audit's crops)

    from . import cases, claims, indicators, reconcile, sections, tables  # noqa: F401
    from .claims.subjects import tokenizer
    from .errors import quiet_libraries
    from .writers import audit, frames, publish, review  # noqa: F401

    tokenizer()  # jieba, with the template's terms as its dictionary
    quiet_libraries()  # workers are forked from the forkserver: the CLI's setting does not reach them otherwise
    # Building a pandera model asks pandera.typing.dask whether Dask frames exist, and that module finds out by
    # importing dask.dataframe: a third of a second for frames the pipeline never has (they are pandas frames).
    # Told that there are none, pandera builds the same schemas. The stand-in stays for the life of the
    # process; nothing in vetreport uses pandera's Dask types.
    if "pandera.typing.dask" not in sys.modules and "dask.dataframe" not in sys.modules:
        no_dask = types.ModuleType("pandera.typing.dask", "Stands in for pandera's Dask typing: no Dask frames here.")
        no_dask.DASK_INSTALLED = False
        sys.modules["pandera.typing.dask"] = no_dask
    from schemas.validate import MODELS

    for model in MODELS.values():
        model.to_schema()
    try:  # pandera registers its validation backends (and imports hypothesis) on a first validation
        MODELS["pages"].validate(pd.DataFrame(), lazy=True)
    except pandera.errors.SchemaErrors:
        pass
