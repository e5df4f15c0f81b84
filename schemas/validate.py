"""Lazy validation: every failed check becomes one row; nothing raises."""

from __future__ import annotations

import pandas as pd
import pandera.errors as pa_errors

from pipeline.template.fields import columns
from pipeline.writers.frames import PUBLISHED

from .cases import CaseSchema
from .claims import ClaimSchema, FindingSchema
from .indicators import IndicatorSchema, missing_indicators
from .pages import PageSchema
from .sections import SectionSchema, TocSchema
from .tables import CellSchema, TableSchema

VALIDATION_COLUMNS = columns("validation")  # validation.csv's, as template/fields.csv declares them
SCHEMAS = {model.__name__: model for model in (
    PageSchema, SectionSchema, TocSchema, TableSchema, CellSchema, IndicatorSchema, CaseSchema, ClaimSchema, FindingSchema)}
MODELS = {name: SCHEMAS[table.model] for name, table in PUBLISHED.items()}  # each published table's, by its registry entry


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
        return _collapse([
            {
                "schema": model.__name__,
                "column": "" if pd.isna(r.get("column")) else str(r.get("column")),
                "check": str(r.get("check")),
                "row": "" if pd.isna(r.get("index")) else str(int(r.get("index"))),
                "value": "" if pd.isna(r.get("failure_case")) else str(r.get("failure_case")),
            }
            for r in exc.failure_cases.to_dict("records")
        ], frame)
    except Exception as exc:  # a broken frame is itself a finding, never a crash
        return [{"schema": model.__name__, "column": "", "check": "validation ran", "row": "", "value": repr(exc)}]
    return []


# The column that names a row best, for a check over whole rows.
ROW_NAMES = ("indicator", "finding_id", "claim_id", "table_id", "title", "page")


def _collapse(rows: list[dict], frame: pd.DataFrame) -> list[dict]:
    """pandera reports a failed check over whole rows once per column: keep one row per failed row, naming it."""
    seen: dict[tuple[str, str], int] = {}
    for r in rows:
        seen[(r["check"], r["row"])] = seen.get((r["check"], r["row"]), 0) + 1
    out, done = [], set()
    name = next((c for c in ROW_NAMES if c in frame.columns), None)
    for r in rows:
        key = (r["check"], r["row"])
        if seen[key] == 1 or not r["row"]:
            out.append(r)
        elif key not in done:
            done.add(key)
            value = frame.loc[int(r["row"]), name] if name and int(r["row"]) in frame.index else ""
            out.append({**r, "column": name or "", "value": "" if pd.isna(value) else str(value)})
    return out
