"""The app's pages: its templates/ in the writers' Jinja2 environment (writers/html.py), which also
finds diff_body.html there; text from PDFs is always escaped. Every template of the app can call
``page_href(report_id, page, boxes)`` (the page view of a PDF page with boxes drawn) and
``page_label(page, printed, lang)`` (第46页（PDF第51页）), ``warning_text(warning, t)`` (a stage's warning
in the reader's language) and ``explanation_text(finding, t)`` (a finding's explanation in it)."""

from __future__ import annotations

from ..words import explanation_text, page_label, warning_text
from ..writers.html import environment
from .export_links import export_links
from .pages import page_href

PACKAGE = "pipeline.serve"


def render(name: str, **context) -> str:
    env = environment(PACKAGE)
    env.globals.setdefault("page_href", page_href)
    env.globals.setdefault("page_label", page_label)
    env.globals.setdefault("warning_text", warning_text)
    env.globals.setdefault("explanation_text", explanation_text)
    return env.get_template(name).render(**{"export_links": export_links, **context})
