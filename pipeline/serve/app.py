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
- a Content-Security-Policy allows only the app's own scripts, styles and images.
"""

from __future__ import annotations

import ipaddress
import secrets
from pathlib import Path
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..template.periods import period_label
from ..writers.review import ReviewError, record_review
from . import chart
from .data import Output, StoreUnavailable, json_finding, report_summary
from .templating import render

TOKEN_HEADER = "x-vetreport-token"
TOKEN_COOKIE = "vetreport_token"
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


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
                message["headers"] = [*message.get("headers", []), *((k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items())]
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
        if not self.require_token and (request.url.hostname or "").lower() not in LOOPBACK_NAMES:
            return _error(request, 421, "this server answers only to localhost / 127.0.0.1")
        if self.require_token and not self._presented(request):
            return _error(request, 401, "a token is required: open the address `vetreport serve` printed, "
                                        "or send the header Authorization: Bearer TOKEN")
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


def _error(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    return HTMLResponse(render("error.html", status=status, message=message, token=""), status_code=status)


def create_app(out: Path, token: str | None = None, require_token: bool = False) -> Guard:
    """The app over output folder ``out``; ``require_token`` for a server on a non-loopback host."""
    output = Output(out)
    token = token or new_token()

    def page(name: str, **context) -> HTMLResponse:
        return HTMLResponse(render(name, token=token, **context))

    def folder_of(request: Request) -> Path:
        folder = output.report_dir(request.path_params["report_id"])
        if folder is None:
            raise HTTPException(404, f"no report '{request.path_params['report_id']}' in {output.root}")
        return folder

    def reports_page(request: Request):
        try:
            reports, problem = output.reports(), None
        except StoreUnavailable as exc:
            reports, problem = [], str(exc)
        return page("reports.html", reports=reports, problem=problem, root=str(output.root))

    def report_page(request: Request):
        folder = folder_of(request)
        findings = output.findings(folder)
        return page("report.html", report_id=folder.name, manifest=output.manifest(folder), error=output.error(folder),
                    summary=report_summary(findings), attention=output.attention(folder),
                    tables=output.indicator_tables(folder), sections=output.sections(folder), cases=output.cases(folder))

    def image(request: Request):
        path = output.image(request.path_params["report_id"], request.path_params["name"])
        if path is None:
            raise HTTPException(404, "no such image")
        return FileResponse(path, media_type="image/png")

    def compare_page(request: Request):
        a, b = request.query_params.get("a", ""), request.query_params.get("b", "")
        view, problem = None, None
        try:
            choices = [r["report_id"] for r in output.reports()]
        except StoreUnavailable as exc:
            choices, problem = [], str(exc)
        if a and b:
            first, second = output.report_dir(a), output.report_dir(b)
            if first is None or second is None:
                raise HTTPException(404, f"no report '{a if first is None else b}' in {output.root}")
            if not (first / "indicators.csv").is_file() or not (second / "indicators.csv").is_file():
                problem = "both reports need an indicators.csv"
            else:
                view = output.compare(first, second)
        return page("compare.html", choices=choices, a=a, b=b, view=view, problem=problem)

    def indicator_page(request: Request):
        params = request.query_params
        kind, indicator, parent = _picked(params)
        context = {"choices": [], "picked": None, "problem": None, "view": params.get("view", ""), "column": "",
                   "columns": [], "svg": "", "rows": [], "unit": "", "pick": params.get("pick", "")}
        try:
            context["choices"] = output.indicator_choices()
            if indicator:
                context.update(_indicator_chart(output, kind, indicator, parent, params))
        except StoreUnavailable as exc:
            context["problem"] = str(exc)
        return page("indicator.html", **context)

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
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "the body must be JSON: {finding_id, status, note}"}, status_code=400)
        if not isinstance(body, dict) or not isinstance(body.get("finding_id"), str) or not isinstance(body.get("status"), str):
            return JSONResponse({"error": "the body must be a JSON object with finding_id and status (text)"}, status_code=422)
        note = body.get("note") or ""
        try:
            await run_in_threadpool(record_review, folder, body["finding_id"], body["status"], note)
        except ReviewError as exc:
            status = 404 if str(exc).startswith("no finding") else 422
            return JSONResponse({"error": str(exc)}, status_code=status)
        findings = output.findings(folder)
        row = findings[findings["finding_id"] == body["finding_id"]].to_dict("records")[0]
        return JSONResponse(json_finding(row))

    async def not_found(request: Request, exc: HTTPException):
        return _error(request, exc.status_code, exc.detail)

    routes = [
        Route("/", reports_page),
        Route("/reports/{report_id}", report_page),
        Route("/reports/{report_id}/images/{name}", image),
        Route("/compare", compare_page),
        Route("/indicators", indicator_page),
        Route("/api/reports", api_reports),
        Route("/api/reports/{report_id}/findings", api_findings),
        Route("/api/reports/{report_id}/review", api_review, methods=["POST"]),
        # app.css is the writers' (diff.html embeds it), app.js the app's
        Mount("/static", StaticFiles(packages=[("pipeline.serve", "static"), ("pipeline.writers", "static")]),
              name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: not_found})
    return Guard(app, token, require_token)


def _picked(params) -> tuple[str, str, str]:
    """(table kind, indicator, parent) from ?pick=kind|parent|indicator or ?kind=&indicator=&parent=."""
    if params.get("pick"):
        parts = params["pick"].split("|", 2)
        if len(parts) == 3:
            return parts[0], parts[2], parts[1]
    return params.get("kind", ""), params.get("indicator", ""), params.get("parent", "")


def _indicator_chart(output: Output, kind: str, indicator: str, parent: str, params) -> dict:
    """The chart and table of one indicator: its columns are (period kind, year), its lines a report's columns
    of one kind, so a 2021届 and a 2021年 value are two columns and never on one line."""
    values = output.indicator_values(kind, indicator, parent)
    columns = chart.columns(values)
    multi_year = values.groupby(["report_id", "period_kind"])["year"].nunique().max() > 1 if len(values) else False
    view = params.get("view") if params.get("view") in ("lines", "bars") else ("lines" if multi_year else "bars")
    column = _picked_column(params, columns)
    far = chart.outliers(values)
    units = sorted(set(values["unit"].fillna("")))
    rows = [{"report_id": report,
             "cells": {(r["period_kind"], int(r["year"])): {
                 "raw": r["value_raw"], "page": r["page"], "far": (report, r["period_kind"], int(r["year"])) in far}
                 for _, r in cells.iterrows()}}
            for report, cells in values.groupby("report_id", sort=True)]
    return {"picked": {"kind": kind, "indicator": indicator, "parent": parent, "pick": f"{kind}|{parent}|{indicator}"},
            "view": view, "column": _column_value(column) if column else "",
            "columns": [{"key": c, "value": _column_value(c), "label": period_label(c[1], c[0])} for c in columns],
            "unit": " / ".join(u for u in units if u),
            "svg": chart.svg(values, view, column, far, units[0] if len(units) == 1 else ""), "rows": rows,
            "legend": chart.legend(values)}


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
    same_year = [c for c in columns if year.isdigit() and c[1] == int(year)]
    if same_year:
        return same_year[0]
    first_kind = [c for c in columns if columns and c[0] == columns[0][0]]
    return first_kind[-1] if first_kind else None


def serve(out: Path, host: str, port: int, token: str | None, say) -> None:
    """Run the app with uvicorn until interrupted; ``say`` prints the address and the token."""
    import uvicorn

    token = token or new_token()
    require_token = not is_loopback(host)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/" + (f"?token={token}" if require_token else "")
    say(f"vetreport serve: {Path(out).resolve()} at {address}")
    say(f"token: {token} ({'required on every request' if require_token else 'needed by scripts that POST'}, "
        f"header {TOKEN_HEADER} or Authorization: Bearer)")
    uvicorn.run(create_app(out, token, require_token), host=host, port=port, log_level="warning")
