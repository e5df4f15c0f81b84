"""vetreport: a quality-report PDF in, validated tidy records and files out.

The data flow of one report, stage by stage, as ``process.process_report`` calls them (each stage is a
module or package with one entry function, timed by ``stages.StageRunner``; a failing stage is recorded
while the stages that do not depend on it still run; everything ends in one ``process.ReportResult``):

    pdf ─ pages.extract_pages ──────────────► Document (cleaned lines, rules, boxes per page;
                                               pages without a usable text layer OCRed: pages/ocr/)
          sections.extract_sections(doc) ───► Sections (目录 entries, body headings)
          tables.extract_tables(doc) ───────► Tables (tables with merged cells, case frames)
          indicators.extract_indicators ────► Indicators (the appendix tables, long form)
          cases.extract_cases ──────────────► Cases (案例 with chapter, pages, schools)
          claims.extract_claims ────────────► Claims (every number in the narrative and cases)
          reconcile.reconcile ──────────────► Findings (text vs tables, tables vs themselves)
          writers.frames.collect_frames ────► one DataFrame per published table (writers.frames.PUBLISHED)
          writers.review.apply_review ──────► findings with the auditor's review.csv statuses
          schemas.validate(frames) ─────────► validation rows (never aborts)
          writers.audit.write_audit ────────► audit.html, audit.md with evidence images (beside
                                               validation and writing when a core is spare: forked/beside.py)
          writers.report.write_tables ──────► <out>/<report_id>/*.csv
          writers.report.write_report ──────► manifest.json (writers/manifest.py), error.json

Per-report limits (time, memory, pages, pixels; limits.Budget) hold for the extraction stages.
Many reports: runtime/ (discovery, executors, the per-report task, the DuckDB store). Reading the
results: diff/ (two reports' indicators), serve/ (the browser app).
"""
