"""The app's pages: its templates/ in the writers' Jinja2 environment (writers/html.py), which also
finds diff_body.html there; text from PDFs is always escaped."""

from __future__ import annotations

from ..writers.html import environment
from .export_links import export_links

PACKAGE = "pipeline.serve"


def render(name: str, **context) -> str:
    return environment(PACKAGE).get_template(name).render(**{"export_links": export_links, **context})
