"""The export links of each page of the app (the routes are exports.py's): what a template shows as
``{% include "export_links.html" %}``, in the page's language."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from ..words import words

VIEWS = {  # a page -> its exports: (word, path); {report_id} filled in
    "report": [("export.link.report_xlsx", "/export/reports/{report_id}/report.xlsx"),
               ("export.link.findings_xlsx", "/export/reports/{report_id}/findings.xlsx"),
               ("export.link.findings_csv", "/export/reports/{report_id}/findings.csv"),
               ("export.link.indicators_csv", "/export/reports/{report_id}/indicators.csv")],
    "reports": [("export.link.wide_xlsx", "/export/indicators.xlsx"), ("export.link.wide_csv", "/export/indicators.csv")],
    "compare": [("export.link.diff_xlsx", "/export/diff.xlsx"), ("export.link.diff_csv", "/export/diff.csv")],
    "findings": [("export.link.findings_xlsx", "/findings.xlsx"), ("export.link.findings_csv", "/findings.csv")],  # the queue's own
}


def export_links(view: str, lang: str = "zh", report_id: str = "", query: list[tuple[str, str]] | None = None) -> dict:
    """{"label": the word "Export", "links": [(text, href)]} for ``view``; ``query``: the page's own parameters
    (compare's a and b, the findings queue's filters), passed on so the export holds what the page shows."""
    t = words(lang)
    params = urlencode([*(query or []), ("lang", t.lang)])
    links = [(t(word), path.format(report_id=quote(report_id, safe="")) + "?" + params) for word, path in VIEWS[view]]
    return {"label": t("export.link.label"), "links": links}
