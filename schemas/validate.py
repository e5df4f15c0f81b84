"""Lazy validation: every failed check becomes one row; nothing raises."""

from __future__ import annotations

import pandas as pd
import pandera.errors as pa_errors

from .cases import CaseSchema
from .claims import ClaimSchema, FindingSchema
from .indicators import IndicatorSchema, missing_indicators
from .pages import PageSchema
from .sections import SectionSchema, TocSchema
from .tables import CellSchema, TableSchema

VALIDATION_COLUMNS = ["schema", "column", "check", "row", "value"]
MODELS = {
    "pages": PageSchema,
    "sections": SectionSchema,
    "toc": TocSchema,
    "tables": TableSchema,
    "table_cells": CellSchema,
    "indicators": IndicatorSchema,
    "cases": CaseSchema,
    "claims": ClaimSchema,
    "findings": FindingSchema,
}


def validate(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rows: list[dict] = []
    for name, model in MODELS.items():
        frame = frames.get(name)
        if frame is None or frame.empty:
            continue
        rows += _failures(model, frame)
    if "indicators" in frames and not frames["indicators"].empty:
        rows += missing_indicators(frames["indicators"])
    return pd.DataFrame(rows, columns=VALIDATION_COLUMNS)


def _failures(model, frame: pd.DataFrame) -> list[dict]:
    try:
        model.validate(frame, lazy=True)
    except pa_errors.SchemaErrors as exc:
        cases = exc.failure_cases
        return [
            {
                "schema": model.__name__,
                "column": "" if pd.isna(r.get("column")) else str(r.get("column")),
                "check": str(r.get("check")),
                "row": "" if pd.isna(r.get("index")) else str(int(r.get("index"))),
                "value": "" if pd.isna(r.get("failure_case")) else str(r.get("failure_case")),
            }
            for r in cases.to_dict("records")
        ]
    except Exception as exc:  # a broken frame is itself a finding, never a crash
        return [{"schema": model.__name__, "column": "", "check": "validation ran", "row": "", "value": repr(exc)}]
    return []
