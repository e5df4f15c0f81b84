"""The Jinja2 environment of every HTML page: audit.html, diff.html and the pages of `vetreport serve`.

Text from PDFs is always escaped (autoescape). The writers' own templates and assets are in
templates/ and static/ beside this module; a package above the writers (serve) passes its name to
``environment`` to find its templates first, then these.
"""

from __future__ import annotations

import html
import math
import sys
from functools import cache
from importlib import resources

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from ..files import float_text

PACKAGE = "pipeline.writers"


def blank(value) -> str:
    """'' for a missing value (None, NaN, pd.NA), else its text."""
    if value is None or _missing(value):
        return ""
    return str(value)


def _missing(value) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    # pd.NA and NaT exist only once pandas is imported; `vetreport diff` renders diff.html without it.
    pd = sys.modules.get("pandas")
    return pd is not None and pd.api.types.is_scalar(value) and bool(pd.isna(value))


def number(value, digits: int | None = None) -> str:
    """A number as the shortest text that round-trips (4174.0 -> 4174); '' when missing."""
    if blank(value) == "":
        return ""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    return float_text(round(value, digits) if digits is not None else value)


def html_escape(value) -> Markup:
    """``value`` escaped as the standard library's html.escape does: quotes become &quot; and &#x27;
    where Jinja's own escaping writes &#34; and &#39;. audit.html was written with html.escape before
    it had a template, and keeps its bytes."""
    return Markup(html.escape(str(value)))


@cache
def environment(package: str = PACKAGE) -> Environment:
    """The environment with ``package``'s templates/ and, after them, the writers' (diff_body.html is
    both a page of the app and part of diff.html)."""
    loaders = [PackageLoader(name, "templates") for name in dict.fromkeys((package, PACKAGE))]
    env = Environment(loader=ChoiceLoader(loaders), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["blank"] = blank
    env.filters["number"] = number
    env.filters["html_escape"] = html_escape
    return env


def render(name: str, **context) -> str:
    """A template of the writers (audit.html, diff.html)."""
    return environment().get_template(name).render(**context)


@cache
def static_text(name: str) -> str:
    """A file of the writers' static/ (app.css, the app's stylesheet), for pages that must be one
    self-contained file."""
    return resources.files(PACKAGE).joinpath("static", name).read_text(encoding="utf-8")
