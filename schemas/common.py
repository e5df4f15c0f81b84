"""Column types shared by the models."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series


def page_field():
    """A physical page index, 1-based (a new Field per column: pandera names each one)."""
    return pa.Field(ge=1, description="physical page index, 1-based")


def coord_field():
    return pa.Field(ge=-1, nullable=True, description="PDF points from the page's top-left corner")


class BBoxModel(pa.DataFrameModel):
    """Every extracted record keeps where it came from."""

    x0: Series[float] = coord_field()
    top: Series[float] = coord_field()
    x1: Series[float] = coord_field()
    bottom: Series[float] = coord_field()
