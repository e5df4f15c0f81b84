"""Exports from every view of the app, CSV and XLSX (the sheets are writers/sheets.py's, the XLSX format
writers/workbook.py's):

    /export/reports/{id}/report.xlsx          one report: appendix tables as printed, findings, legend, sections, cases
    /export/reports/{id}/findings.{csv,xlsx}  its findings with their review now
    /export/reports/{id}/indicators.csv       its indicators.csv
    /export/indicators.{csv,xlsx}             every report of the store's list, indicators wide
    /export/diff.{csv,xlsx}?a=&b=             what the compare page shows
    /export/findings.{csv,xlsx}?report=&verdict=&kind=&status=&q=   findings of every report, filtered

The sheets' language is ?lang=, else the browser's Accept-Language. The app's checks hold: a report id names
a folder of the output folder or nothing (404), a damaged file is a 503 that names it, never a 500; the file
name in Content-Disposition is made of the report id, ASCII-safe (its UTF-8 form in filename*).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pandas as pd
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..diff import diff_reports, load_indicators
from ..diff.cells import DIFF_COLUMNS
from ..files import rows_text
from ..words import lang_from_accept, normalise, word
from ..writers import sheets as sheet
from ..writers.printed import printed_pages
from ..writers.workbook import workbook_bytes
from .data import Output, ReportUnreadable, StoreUnavailable

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
FORMATS = ("csv", "xlsx")
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
FILTERS = {"report": "report_id", "verdict": "verdict", "kind": "kind", "table": "table_kind"}  # ?name= -> column
STATUSES = ("open", "confirmed", "dismissed")
MAX_QUERY = 200  # characters of a search


def export_routes(output: Output) -> list[Route]:
    """The export routes over ``output`` (app.create_app adds them to its own)."""

    def folder_of(request: Request) -> Path:
        return report_folder(output, request)

    def report_workbook(request: Request):
        folder = folder_of(request)
        output.prepared(folder)  # a damaged findings.csv or indicators.csv: 503 naming it
        built = _built(folder.name, lambda: workbook_bytes(sheet.report_sheets(folder, language(request))))
        return download(built, f"{folder.name}.xlsx")

    def report_findings(request: Request):
        folder = folder_of(request)
        findings = output.findings(folder)
        return findings_export(findings, _format(request), language(request), f"{folder.name}-findings",
                               printed_pages(folder))

    def report_indicators(request: Request):
        folder = folder_of(request)
        output.prepared(folder)  # an indicators.csv that is not what `vetreport run` writes: 503 naming it
        path = folder / "indicators.csv"
        return download(path.read_bytes() if path.is_file() else b"", f"{folder.name}-indicators.csv")

    def indicators_wide(request: Request):
        fmt = _format(request)
        folders = [f for f in (output.report_dir(str(r["report_id"])) for r in output.reports()
                               if r.get("status") != "error") if f is not None and (f / "indicators.csv").is_file()]
        wide = _built("indicators", lambda: sheet.wide_indicators(sheet.folders_indicators(folders)))
        if fmt == "csv":
            return download(sheet.wide_csv(wide), "indicators-wide.csv")
        return download(_built("indicators", lambda: workbook_bytes(sheet.wide_sheets(wide, language(request)))),
                        "indicators-wide.xlsx")

    def diff_export(request: Request):
        fmt = _format(request)
        a, b = request.query_params.get("a", ""), request.query_params.get("b", "")
        if not a or not b:
            raise HTTPException(422, "name both reports: ?a=REPORT&b=REPORT (A the earlier)")
        first, second = output.report_dir(a), output.report_dir(b)
        if first is None or second is None:
            raise HTTPException(404, word("app.error.no_report", report=a if first is None else b, root=str(output.root)))
        if not (first / "indicators.csv").is_file() or not (second / "indicators.csv").is_file():
            raise HTTPException(404, word("app.error.need_indicators"))
        left, right = _built(f"{a} or {b}", lambda: (load_indicators(first), load_indicators(second)))
        rows = _built(f"{a} or {b}", lambda: diff_reports(left, right))
        name = f"{left.report_id}--{right.report_id}-diff"
        if fmt == "csv":
            return download(rows_text(rows, DIFF_COLUMNS).encode("utf-8"), f"{name}.csv")
        built = _built(name, lambda: workbook_bytes(sheet.diff_sheets(rows, left.report_id, right.report_id, language(request))))
        return download(built, f"{name}.xlsx")

    def findings_queue(request: Request):
        fmt = _format(request)
        frames, printed = [], {}
        for report in output.reports():
            folder = output.report_dir(str(report["report_id"]))
            if folder is None or not (folder / "findings.csv").is_file():
                continue
            findings = _built(folder.name, lambda folder=folder: sheet.reviewed_findings(folder))  # not rendered: many
            if len(findings):
                frames.append(findings.assign(report_id=folder.name))
                printed[folder.name] = printed_pages(folder)
        findings = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["report_id", "finding_id", "verdict"])
        return findings_export(filtered(findings, request.query_params), fmt, language(request), "findings", printed)

    return [
        Route("/export/reports/{report_id}/report.xlsx", report_workbook),
        Route("/export/reports/{report_id}/findings.{fmt}", report_findings),
        Route("/export/reports/{report_id}/indicators.csv", report_indicators),
        Route("/export/indicators.{fmt}", indicators_wide),
        Route("/export/diff.{fmt}", diff_export),
        Route("/export/findings.{fmt}", findings_queue),
    ]


def report_folder(output: Output, request: Request) -> Path:
    """The folder of the report the route names; 404 when the output folder has none of that name."""
    folder = output.report_dir(request.path_params["report_id"])
    if folder is None:
        raise HTTPException(404, word("app.error.no_report", report=request.path_params["report_id"], root=str(output.root)))
    return folder


def findings_export(findings: pd.DataFrame, fmt: str, lang: str, name: str, printed: dict | None = None) -> Response:
    """A list of findings as a download: CSV (findings.csv's columns, report_id first when the frame has it) or
    XLSX (a row each coloured by verdict, with the review, and the legend). ``printed``: physical page -> printed
    page (of one report; {report_id: {...}} for several), for pages as 第46页（PDF第51页）. The findings queue
    calls this with the findings it shows."""
    if fmt == "csv":
        return download(sheet.findings_csv(findings), f"{name}.csv")
    if fmt != "xlsx":
        raise HTTPException(404, f"no export as .{fmt} (csv or xlsx)")
    return download(_built(name, lambda: workbook_bytes(sheet.findings_sheets(findings, lang, printed))), f"{name}.xlsx")


def filtered(findings: pd.DataFrame, params) -> pd.DataFrame:
    """The findings the query asks for: ?report=, ?verdict=, ?kind=, ?table= (each may repeat: any of them),
    ?status=open|confirmed|dismissed, ?q= (words of the sentence)."""
    keep = pd.Series(True, index=findings.index)
    for name, column in FILTERS.items():
        wanted = [v for v in params.getlist(name) if v]
        if wanted and column in findings:
            keep &= findings[column].astype(str).isin(wanted)
    statuses = [s for s in params.getlist("status") if s in STATUSES]
    if statuses and "review_status" in findings:
        keep &= findings["review_status"].map(lambda s: s or "open").isin(statuses)
    query = params.get("q", "")[:MAX_QUERY].strip()
    if query and "claim_text" in findings:
        keep &= findings["claim_text"].astype(str).str.contains(query, regex=False)
    return findings[keep]


def language(request: Request) -> str:
    return normalise(request.query_params.get("lang")) or lang_from_accept(request.headers.get("accept-language"))


def download(body: bytes, filename: str) -> Response:
    """``body`` as an attachment named ``filename``: CSV or XLSX by its ending."""
    kind = CSV if filename.endswith(".csv") else XLSX
    ascii_name = UNSAFE.sub("_", filename).strip("._") or "export"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
    return Response(body, media_type=kind, headers={"content-disposition": disposition})


def _format(request: Request) -> str:
    fmt = request.path_params.get("fmt", "")
    if fmt not in FORMATS:
        raise HTTPException(404, f"no export as .{fmt} (csv or xlsx)")
    return fmt


def _built(name: str, build: Callable):
    """What ``build`` makes from a report's files; ReportUnreadable (a 503 naming them) when they are not what
    `vetreport run` writes."""
    try:
        return build()
    except (HTTPException, ReportUnreadable, StoreUnavailable):
        raise
    except Exception as exc:  # a file damaged or of other columns: said, never a 500
        raise ReportUnreadable(f"the files of {name} cannot be exported ({type(exc).__name__}: "
                               f"{str(exc).strip()[:300]})") from None

