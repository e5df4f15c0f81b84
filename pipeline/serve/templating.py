"""The Jinja2 templates of the app and of the self-contained diff.html; text from PDFs is always escaped."""

from __future__ import annotations

import math
import sys
from functools import lru_cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined

from ..files import float_text


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


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=PackageLoader("pipeline.serve", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["blank"] = blank
    env.filters["number"] = number
    return env


def render(name: str, **context) -> str:
    return environment().get_template(name).render(**context)


@lru_cache(maxsize=None)
def static_text(name: str) -> str:
    """A file of static/, for pages that must be one self-contained file."""
    return resources.files("pipeline.serve").joinpath("static", name).read_text(encoding="utf-8")
