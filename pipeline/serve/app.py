"""The web application of `vetreport serve`: pages, the JSON API, and the checks that keep it safe.

Safe by default:
- it binds to 127.0.0.1; on any other host every request needs the token
  printed at start (``?token=`` once sets a cookie, or an
  ``Authorization: Bearer`` / ``X-Vetreport-Token`` header);
- on loopback a request whose Host header is not a loopback name is refused
  (a page elsewhere that points its name at 127.0.0.1 reads nothing);
- a POST needs the token in the ``X-Vetreport-Token`` header (the app's pages
  send it from their <meta>; a form or script on another site cannot) and, when
  the browser says where it comes from, an Origin of the app itself;
- report ids and file names from the URL never leave the output folder (see
  data.Output), and every text from a PDF is escaped by the templates;
- a Content-Security-Policy allows only the app's own scripts, styles and images;
- every value a route takes is checked (years are ASCII digits, names at most 255
  bytes, texts valid Unicode), a request body is capped at MAX_BODY bytes and its
  JSON at MAX_DEPTH levels: what does not pass is a 4xx, never a 500;
- a damaged store or report folder is a 503 with what cannot be read, at once.
"""

from __future__ import annotations

import csv
import errno
import ipaddress
import json
import re
import secrets
import socket
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..diff.order import order_warnings
from ..template.periods import period_label
from ..words import DEFAULT, LANGS, Words, lang_from_accept, normalise, page_label, word, words
from ..writers.audit import KIND_ORDER, VERDICT_ORDER, Shown, SourceMissing, source_pdf
from ..writers.printed import printed_pages
from ..writers.review import ReviewError, carry_review, record_review
from . import chart
from .data import Output, ReportUnreadable, StoreUnavailable, json_finding
from .exports import export_routes, findings_export, report_folder
from .pages import BadBox, PageImages, PageUnavailable, page_number, parse_boxes, scale_of
from .queue import BadQuery, Queue, facet_word, parse_query
from .queue import columns as queue_columns
from .redraw import cannot_redraw, redraws, store_loads
from .templating import render

TOKEN_HEADER = "x-vetreport-token"
TOKEN_COOKIE = "vetreport_token"
LANG_COOKIE = "vetreport_lang"  # the language picked with ?lang=, kept for the next pages
LANG_NAMES = {"zh": "中文", "en": "English"}  # each language named in itself, on the switch
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
AUDIT_POLICY = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'none'; "
                "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")  # audit.html: one self-contained file
MAX_BODY = 64 * 1024  # bytes of a request body (a review is a few hundred)
MAX_DEPTH = 20  # levels of nesting in a request's JSON (a review has one)
MAX_ID = 200  # characters of a finding id
YEAR = re.compile(r"[0-9]{4}", re.ASCII)


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Guard:
    """ASGI middleware: the token, the Host header, the origin of POSTs, and the security headers."""

    def __init__(self, app, token: str, require_token: bool):
        self.app = app
        self.token = token
        self.require_token = require_token

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        response = self.refusal(request)
        if response is None and self.require_token and request.query_params.get("token") and request.method == "GET" \
                and not request.url.path.startswith("/api/"):
            response = self._set_cookie(request)
        if response is not None:
            response.headers.update(SECURITY_HEADERS)
            return await response(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                given = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *((k.encode(), v.encode())
                                                                     for k, v in SECURITY_HEADERS.items() if k.encode() not in given)]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _matches(self, value: str | None) -> bool:
        return bool(value) and secrets.compare_digest(value.encode(), self.token.encode())

    def _presented(self, request: Request) -> bool:
        bearer = request.headers.get("authorization", "")
        return any(self._matches(v) for v in (
            request.headers.get(TOKEN_HEADER), bearer[7:] if bearer.lower().startswith("bearer ") else None,
            request.cookies.get(TOKEN_COOKIE), request.query_params.get("token")))

    def refusal(self, request: Request) -> Response | None:
        t = words("en" if request.url.path.startswith("/api/") else request_lang(request))  # the API answers scripts
        if not self.require_token and not is_loopback(request.url.hostname or ""):  # a name DNS rebinding could point here
            return _error(request, 421, t("serve.refused.host"))
        if self.require_token and not self._presented(request):
            return _error(request, 401, t("serve.refused.token"))
        if request.method not in ("GET", "HEAD"):
            if not self._matches(request.headers.get(TOKEN_HEADER)):
                return _error(request, 403, f"a change needs the {TOKEN_HEADER} header (the app's pages send it)")
            origin = request.headers.get("origin")
            if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
                return _error(request, 403, f"a change from another origin ({origin}) is refused")
        return None

    def _set_cookie(self, request: Request) -> Response:
        """?token= once: the token goes into a cookie and out of the address bar."""
        query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
        response = RedirectResponse(request.url.path + (f"?{query}" if query else ""), status_code=303)
        response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
        return response


def _shown(text: str) -> str:
    """``text`` that can always be encoded (a lone surrogate from a JSON escape shown as \\udXXX)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def request_lang(request: Request, default: str = DEFAULT) -> str:
    """The page's language: ?lang=, else the one picked before (a cookie), else the browser's Accept-Language,
    else ``default`` (the serve command's --lang)."""
    return (normalise(request.query_params.get("lang")) or normalise(request.cookies.get(LANG_COOKIE))
            or lang_from_accept(request.headers.get("accept-language"), default))


def language_context(request: Request, lang: str) -> dict:
    """What every page needs for its words: ``t``, ``lang`` and the switch to the other languages (this page's
    address with ?lang=)."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "token")]
    switch = [{"lang": other, "name": LANG_NAMES[other],
               "href": request.url.path + "?" + urlencode([*kept, ("lang", other)])} for other in LANGS if other != lang]
    return {"t": words(lang), "lang": lang, "switch": switch}


def _keep_lang(request: Request, response: Response) -> Response:
    """?lang= sticks: the language goes into a cookie for the pages after this one."""
    asked = normalise(request.query_params.get("lang"))
    if asked:
        response.set_cookie(LANG_COOKIE, asked, samesite="strict", max_age=365 * 24 * 3600)
    return response


def _error(request: Request, status: int, message: str | dict, default_lang: str = DEFAULT) -> Response:
    """The error as JSON for /api/, else as a page; a message that is a catalogue word (words.word) is said in the
    reader's language."""
    if isinstance(message, dict):
        message = words(request_lang(request, default_lang)).said(message)
    message = _shown(str(message))
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    context = language_context(request, request_lang(request, default_lang))
    return HTMLResponse(render("error.html", status=status, message=message, token="", **context), status_code=status)


def create_app(out: Path, token: str | None = None, require_token: bool = False,
               load_store: Callable[[Path], object] | None = None, lang: str = DEFAULT) -> Guard:
    """The app over output folder ``out``; ``require_token`` for a server on a non-loopback host; ``load_store``
    loads one report folder into the store (the command passes the runtime's), called after each review;
    ``lang``: the pages' language when the browser names neither zh nor en (each page also follows
    Accept-Language, and ?lang= picks one that sticks)."""
    output = Output(out)
    token = token or new_token()
    audit = redraws()
    stores = store_loads(load_store) if load_store is not None else None
    page_images = PageImages(output.root)
    queue = Queue(output)

    def page(request: Request, name: str, **context) -> HTMLResponse:
        words_context = language_context(request, request_lang(request, lang))
        return _keep_lang(request, HTMLResponse(render(name, token=token, **words_context, **context)))

    def lang_of(request: Request) -> str:
        return request_lang(request, lang)

    def folder_of(request: Request) -> Path:
        return report_folder(output, request)

    def reports_page(request: Request):
        try:
            reports, problem = output.reports(words(request_lang(request, lang))), None
        except StoreUnavailable as exc:
            reports, problem = [], str(exc)
        return page(request, "reports.html", reports=reports, problem=problem, root=str(output.root))

    def report_page(request: Request):
        folder = folder_of(request)
        prepared = output.prepared(folder)
        t = words(request_lang(request, lang))
        summary = output.summary(folder)
        summary = {**summary, "verdicts": {v: summary["verdicts"][v] for v in ordered(summary["verdicts"], VERDICT_ORDER)}}
        return page(request, "report.html", report_id=folder.name, manifest=prepared.manifest, error=prepared.error,
                    summary=summary, attention=output.attention(folder), body=prepared.body(t.lang),
                    reasons=prepared.reasons(t), warnings=prepared.warnings, redraw=audit.problem(folder),
                    shown=Shown(t, prepared.printed), legend=_legend(t, summary, prepared))

    def image(request: Request):
        path = output.image(request.path_params["report_id"], request.path_params["name"])
        if path is None:
            raise HTTPException(404, word("app.error.no_image"))
        return FileResponse(path, media_type="image/png")

    def compare_page(request: Request):
        a, b = request.query_params.get("a", ""), request.query_params.get("b", "")
        t = words(request_lang(request, lang))
        view, problem = None, None
        try:
            choices = [r["report_id"] for r in output.reports()]
        except StoreUnavailable as exc:
            choices, problem = [], str(exc)
        warnings: list[str] = []
        if a and b:
            first, second = output.report_dir(a), output.report_dir(b)
            if first is None or second is None:
                raise HTTPException(404, word("app.error.no_report", report=a if first is None else b, root=str(output.root)))
            if not (first / "indicators.csv").is_file() or not (second / "indicators.csv").is_file():
                problem = t("app.error.need_indicators")
            else:
                try:
                    warnings = order_warnings(first, second, t.lang)
                    view = output.compare(first, second, t.lang)
                except Exception as exc:  # an indicators.csv that is damaged, or not what `vetreport run` writes
                    problem = t("app.error.uncomparable", a=first.name, b=second.name,
                                why=f"{type(exc).__name__}: {str(exc)[:300]}")
        shown_a, shown_b = _compare_defaults(a, b, choices)
        return page(request, "compare.html", choices=choices, a=shown_a, b=shown_b, view=view, problem=problem, warnings=warnings)

    def indicator_page(request: Request):
        params = request.query_params
        kind, indicator, parent = _picked(params)
        context = {"choices": [], "picked": None, "problem": None, "view": params.get("view", ""), "column": "",
                   "columns": [], "svg": "", "rows": [], "unit": "", "units": 1, "pick": params.get("pick", "")}
        try:
            context["choices"] = output.indicator_choices()
            if indicator:
                context.update(_indicator_chart(output, kind, indicator, parent, params, words(request_lang(request, lang))))
        except StoreUnavailable as exc:
            context["problem"] = str(exc)
        return page(request, "indicator.html", **context)

    def api_reports(request: Request):
        try:
            return JSONResponse(output.reports())
        except StoreUnavailable as exc:
            return JSONResponse({"error": str(exc)}, status_code=503)

    def api_findings(request: Request):
        folder = folder_of(request)
        return JSONResponse([json_finding(r) for r in output.findings(folder).to_dict("records")])

    async def api_review(request: Request):
        folder = folder_of(request)
        raw = await _body(request)
        if isinstance(raw, Response):
            return raw
        try:
            body = json.loads(raw)
        except RecursionError:
            return _error(request, 400, "the body's JSON is nested too deep (a review is one object: "
                                        "{finding_id, status, note})")
        except ValueError:
            return _error(request, 400, "the body must be JSON: {finding_id, status, note}")
        if _depth(body) > MAX_DEPTH:
            return _error(request, 400, f"the body's JSON is nested more than {MAX_DEPTH} levels deep")
        if not isinstance(body, dict) or not isinstance(body.get("finding_id"), str) or not isinstance(body.get("status"), str):
            return _error(request, 422, "the body must be a JSON object with finding_id and status (text)")
        note = _note(body.get("note"))
        if note is None:
            return _error(request, 422, "the note must be text (or a number, kept as typed)")
        if not all(_unicode(v) for v in (body["finding_id"], body["status"], note)):
            return _error(request, 422, "finding_id, status and note must be valid Unicode text (no lone surrogates)")
        if len(body["finding_id"]) > MAX_ID:
            return _error(request, 404, f"no finding of {len(body['finding_id'])} characters (ids are short)")
        await run_in_threadpool(output.prepared, folder)  # a damaged findings.csv: 503 before anything is written
        try:
            await run_in_threadpool(record_review, folder, body["finding_id"], body["status"], note)
        except ReviewError as exc:
            status = 404 if str(exc).startswith("no finding") else 422
            return _error(request, status, str(exc))
        except (OSError, UnicodeError, csv.Error) as exc:  # findings.csv damaged: nothing was written
            return _error(request, 503, f"{folder.name}/findings.csv cannot be read ({type(exc).__name__}: "
                                        f"{str(exc)[:200]}); nothing was written")
        effects = await run_in_threadpool(_take_effect, folder)
        findings = await run_in_threadpool(output.findings, folder)
        row = findings[findings["finding_id"] == body["finding_id"]].to_dict("records")[0]
        redraw = not effects["audit"] and "findings" not in effects
        return JSONResponse({**json_finding(row), **effects}, background=BackgroundTask(audit.run, folder) if redraw else None)

    def _take_effect(folder: Path) -> dict:
        """The review carried into findings.csv and the store now, and the audit report's redraw asked for (it runs
        after the answer is sent); what could not be done, said."""
        try:
            carry_review(folder)
        except Exception as exc:  # findings.csv unreadable since: review.csv holds the review, the next run carries it
            return {"store": None, "audit": None, "findings": f"findings.csv was not rewritten ({type(exc).__name__}: "
                                                                f"{str(exc)[:200]}); review.csv holds the review"}
        stored = None
        if stores is not None and output.store.exists():
            stores.ask(folder)
            stored = stores.run(folder)
        audit.ask(folder)
        try:
            source_pdf(folder)
            problem = None
        except SourceMissing as exc:  # said now, and on the report page until a redraw succeeds
            problem = cannot_redraw(folder, exc)
            audit.settle(folder, problem=problem)
        return {"store": stored, "audit": problem}

    def audit_report(request: Request):
        """The report's audit.html, once the redraws asked for by reviews before this request are done."""
        folder = folder_of(request)
        audit.wait(folder)
        if not (folder / "audit.html").is_file():
            raise HTTPException(404, word("app.error.no_audit", report=folder.name))
        response = FileResponse(folder / "audit.html", media_type="text/html")
        response.headers["content-security-policy"] = AUDIT_POLICY  # its own <style>, its pictures in data: URLs
        return response

    def findings_page(request: Request):
        """Every report's findings: facets, search, sort, pages, and review from the keyboard."""
        lang = lang_of(request)
        t = words(lang)
        try:
            query = parse_query(request.query_params)
            selection = queue.select(query)
        except BadQuery as exc:
            raise HTTPException(400, t("desk.queue.bad_query", why=str(exc))) from None
        frame_columns = set().union(*(row.keys() for row in selection.rows)) if selection.rows else set()
        has_source = bool({"source", "ocr_confidence"} & (frame_columns | set(selection.facets)))
        return page(request, "findings.html", query=query, selection=selection, problem=None,
                    columns=queue_columns(has_source), has_source=has_source, script_words=_script_words(t),
                    facet_word=lambda facet, value: facet_word(t, facet, value),
                    export_query=[(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "lang")])

    def findings_download(request: Request):
        """What the queue shows, every page of it, as CSV or XLSX."""
        fmt = request.path_params["fmt"]
        if fmt not in ("csv", "xlsx"):
            raise HTTPException(404, f"no export as .{fmt[:20]} (csv or xlsx)")
        try:
            chosen = queue.chosen(parse_query(request.query_params))
        except BadQuery as exc:
            raise HTTPException(400, words(lang_of(request)).get("desk.queue.bad_query", "{why}").format(why=exc)) from None
        printed = {r: printed_pages(folder) for r in chosen["report_id"].unique() if (folder := output.report_dir(str(r)))}
        return findings_export(chosen, fmt, lang_of(request), "findings", printed)

    def page_asked(request: Request) -> tuple[Path, int, float, list]:
        """The report folder, page number, scale and boxes a page route is asked for; 4xx for anything else."""
        t = words(lang_of(request))
        folder = folder_of(request)
        number = page_number(request.path_params["n"])
        if number is None:
            raise HTTPException(404, t("desk.page.not_a_number", page=_shown(request.path_params["n"][:20])))
        scale = scale_of(request.query_params.get("scale"))
        if scale is None:
            raise HTTPException(400, t("desk.page.bad_scale"))
        try:
            boxes = parse_boxes(request.query_params.getlist("box"))
        except BadBox as exc:
            raise HTTPException(400, t("desk.page.bad_box", why=str(exc))) from None
        return folder, number, scale, boxes

    def page_source(request: Request, folder: Path, number: int):
        """The report's PDF, with the page checked to be in it (404 beyond its last page)."""
        t = words(lang_of(request))
        source = page_images.source(folder, output.manifest(folder))
        if not 1 <= number <= source.pages:
            raise HTTPException(404, t("desk.page.out_of_range", report=folder.name, page=number, pages=source.pages))
        return source

    def page_png(request: Request):
        folder, number, scale, boxes = page_asked(request)
        try:
            source = page_source(request, folder, number)
            data = page_images.png(source, number, scale, boxes)
        except PageUnavailable as exc:
            t = words(lang_of(request))
            return _error(request, exc.status, t("desk.page.pdf_missing", path=exc.missing) if exc.missing else str(exc))
        return Response(data, media_type="image/png", headers={"cache-control": "private, max-age=300"})

    def page_view(request: Request):
        folder, number, scale, boxes = page_asked(request)
        lang = lang_of(request)
        printed = output.printed_pages(folder).get(number, "")
        context = {**language_context(request, lang), "report_id": folder.name, "page": number, "pages": None,
                   "label": page_label(number, printed, lang), "missing": None, "problem": None, "image": "",
                   "boxes": boxes, "scale": scale}
        status = 200
        try:
            source = page_source(request, folder, number)
            query = request.url.query
            context["pages"] = source.pages
            context["image"] = f"{request.url.path}.png" + (f"?{query}" if query else "")
        except PageUnavailable as exc:
            status = exc.status
            context["missing"], context["problem"] = exc.missing, None if exc.missing else str(exc)
        return _keep_lang(request, HTMLResponse(render("page.html", token=token, **context), status_code=status))

    async def not_found(request: Request, exc: HTTPException):
        return _error(request, exc.status_code, exc.detail, lang)

    async def unreadable(request: Request, exc: Exception):
        """A damaged report folder or store: what cannot be read, at once (never a retry, never a 500)."""
        return _error(request, 503, str(exc), lang)

    routes = [
        Route("/", reports_page),
        Route("/reports/{report_id}", report_page),
        Route("/reports/{report_id}/images/{name}", image),
        Route("/reports/{report_id}/audit.html", audit_report),
        Route("/reports/{report_id}/pages/{n}.png", page_png),
        Route("/reports/{report_id}/pages/{n}", page_view),
        Route("/findings", findings_page),
        Route("/findings.{fmt}", findings_download),
        Route("/compare", compare_page),
        Route("/indicators", indicator_page),
        Route("/api/reports", api_reports),
        Route("/api/reports/{report_id}/findings", api_findings),
        Route("/api/reports/{report_id}/review", api_review, methods=["POST"]),
        *export_routes(output),
        # app.css is the writers' (diff.html embeds it), app.js the app's
        Mount("/static", StaticFiles(packages=[("pipeline.serve", "static"), ("pipeline.writers", "static")]),
              name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: not_found, ReportUnreadable: unreadable,
                                                       StoreUnavailable: unreadable})
    return Guard(app, token, require_token)


def _script_words(t) -> dict:
    """The words desk.js shows, in the page's language (the script holds none of its own)."""
    return {"saving": t("desk.queue.saving"), "saved": t("desk.queue.saved"), "not_saved": t("desk.queue.not_saved", why="{why}"),
            "progress": t("desk.queue.progress", reviewed="{reviewed}", total="{total}"), "shown": t("desk.queue.shown", n="{n}"),
            "status": {s: t(f"review.{s}") for s in ("open", "confirmed", "dismissed")}}


def _legend(t, summary: dict, prepared) -> list[dict]:
    """What the verdicts and kinds of the report's findings mean, in words."""
    kinds = prepared.findings["kind"].dropna().unique() if "kind" in prepared.findings else []
    return [{"title": t("audit.legend.verdicts"), "rows": t.legend("verdict", ordered(summary["verdicts"], VERDICT_ORDER))},
            {"title": t("audit.legend.kinds"), "rows": t.legend("kind", ordered(kinds, KIND_ORDER))}]


def ordered(codes, order) -> list[str]:
    codes = [str(c) for c in codes]
    return [c for c in order if c in codes] + sorted(c for c in codes if c not in order)


def _compare_defaults(a: str, b: str, choices: list[str]) -> tuple[str, str]:
    """The reports the compare form shows picked: those asked for, else two different ones (never A = B unasked)."""
    if a or b or not choices:
        return a, b
    return choices[0], choices[1] if len(choices) > 1 else choices[0]


def _picked(params) -> tuple[str, str, str]:
    """(table kind, indicator, parent) from ?pick=kind|parent|indicator or ?kind=&indicator=&parent=."""
    if params.get("pick"):
        parts = params["pick"].split("|", 2)
        if len(parts) == 3:
            return parts[0], parts[2], parts[1]
    return params.get("kind", ""), params.get("indicator", ""), params.get("parent", "")


def _indicator_chart(output: Output, kind: str, indicator: str, parent: str, params, t: Words | None = None) -> dict:
    """The charts and table of one indicator: its columns are (period kind, year), its lines a report's columns
    of one kind in one unit, so a 2021届 and a 2021年 value are two columns and never on one line, and an
    indicator a table lists in 门 and in 学时 is a chart per unit and a table row per report and unit."""
    t = t or words()
    values = output.indicator_values(kind, indicator, parent)
    columns = chart.columns(values)
    multi_year = values.groupby(["report_id", "period_kind"])["year"].nunique().max() > 1 if len(values) else False
    view = params.get("view") if params.get("view") in ("lines", "bars") else ("lines" if multi_year else "bars")
    column = _picked_column(params, columns)
    units = sorted(set(chart.units(values)))
    by_unit = {unit: values[chart.units(values) == unit] for unit in units} or {"": values}  # none: "No values to draw."
    far = {unit: chart.outliers(of_unit) for unit, of_unit in by_unit.items()}
    rows = [{"report_id": report, "unit": unit,
             "cells": {(r["period_kind"], int(r["year"])): {
                 "raw": r["value_raw"], "page": r["page"], "page_label": page_label(r["page"], r["printed_page"], t.lang),
                 "far": (report, r["period_kind"], int(r["year"])) in far[unit]}
                 for _, r in cells.iterrows()}}
            for unit, of_unit in by_unit.items() for report, cells in of_unit.groupby("report_id", sort=True)]
    return {"picked": {"kind": kind, "indicator": indicator, "parent": parent, "pick": f"{kind}|{parent}|{indicator}"},
            "view": view, "column": _column_value(column) if column else "",
            "columns": [{"key": c, "value": _column_value(c), "label": period_label(c[1], c[0])} for c in columns],
            "unit": " / ".join(u for u in units if u), "units": len(units),
            "svg": "".join(chart.svg(of_unit, view, column, far[unit], unit, t) for unit, of_unit in by_unit.items()),
            "rows": sorted(rows, key=lambda r: (r["report_id"], r["unit"])), "legend": chart.legend(values)}


def _column_value(column: chart.Column) -> str:
    """A column as the form's ?period= names it: cohort:2021."""
    return f"{column[0]}:{column[1]}"


def _picked_column(params, columns: list[chart.Column]) -> chart.Column | None:
    """The column of the bars: ?period=kind:year, else ?year=2024 (a calendar year first), else the latest
    column of the first kind shown."""
    by_value = {_column_value(c): c for c in columns}
    if params.get("period") in by_value:
        return by_value[params["period"]]
    year = params.get("year", "")
    same_year = [c for c in columns if YEAR.fullmatch(year) and c[1] == int(year)]  # ² and ① are isdigit() too
    if same_year:
        return same_year[0]
    first_kind = [c for c in columns if columns and c[0] == columns[0][0]]
    return first_kind[-1] if first_kind else None


async def _body(request: Request) -> bytes | Response:
    """The request's body, at most MAX_BODY bytes (413 beyond, without reading the rest)."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY:
        return _error(request, 413, f"the body is over {MAX_BODY} bytes (a review is a few hundred)")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return _error(request, 413, f"the body is over {MAX_BODY} bytes (a review is a few hundred)")
        chunks.append(chunk)
    return b"".join(chunks)


def _depth(value, level: int = 1) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level)
    return level


def _note(value) -> str | None:
    """The note as typed: text as it is, a number or true/false as JSON writes it (0 stays "0"), none as ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return json.dumps(value)
    return None


def _unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


class PortBusy(OSError):
    """The port to listen on is taken (another `vetreport serve`, or another program)."""


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` as uvicorn binds one; PortBusy when another program holds the port."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortBusy(exc.errno, f"port {port} of {host} is in use") from None
        raise
    return sock


def serve(out: Path, host: str, port: int, token: str | None, say,
          load_store: Callable[[Path], object] | None = None, lang: str = DEFAULT) -> None:
    """Run the app with uvicorn until interrupted; ``say`` prints the address and the token. PortBusy, before
    anything is printed, when the port is taken."""
    import uvicorn

    listening_socket(host, port).close()  # free now (uvicorn binds it again at once): else PortBusy, said plainly
    token = token or new_token()
    require_token = not is_loopback(host)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/" + (f"?token={token}" if require_token else "")
    t = words(lang)
    if require_token:
        say(f"{t('cli.warning')} {t('serve.not_loopback', host=host)}")
    say(t("serve.listening", out=Path(out).resolve(), address=address))
    say(t("serve.token", token=token, use=t("serve.token.required" if require_token else "serve.token.scripts"),
          header=TOKEN_HEADER))
    uvicorn.run(create_app(out, token, require_token, load_store, lang), host=host, port=port, log_level="warning")
