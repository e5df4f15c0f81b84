"""indicators.csv: the appendix tables in long form, checked against the template data (the template in force,
``frame.attrs["template"]``, for which indicators a table must print; every template of the family for which
indicators a table may print)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline import template
from pipeline.text import squash

from .common import page_field


def _known_units() -> list[str]:
    return sorted(template.units())


def _measure(unit: str) -> str:
    return template.unit_measures().get(template.units().get(str(unit), ""), "")


def _is_whole(values: pd.Series) -> pd.Series:
    return (values.round(0) - values).abs() < 1e-9


class IndicatorSchema(pa.DataFrameModel):
    report_id: Series[str]
    table_kind: Series[str] = pa.Field(isin=list(template.table_kinds()))
    table_no: Series[pa.Int64] = pa.Field(nullable=True, ge=1, le=99)
    table_title: Series[str]
    page: Series[int] = page_field()
    row_seq: Series[int] = pa.Field(ge=1)
    serial: Series[str] = pa.Field(nullable=True)
    indicator: Series[str] = pa.Field(str_length={"min_value": 1})
    parent_indicator: Series[str] = pa.Field(nullable=True)
    unit: Series[str] = pa.Field(isin=_known_units(), description="units from the template's unit set")
    unit_raw: Series[str] = pa.Field(nullable=True)
    year: Series[int] = pa.Field(ge=2000, le=2100)
    period_raw: Series[str] = pa.Field(nullable=True)
    period_kind: Series[str] = pa.Field(isin=["year", "cohort", "school_year"])
    value_raw: Series[str] = pa.Field(nullable=True)
    value: Series[float] = pa.Field(nullable=True)
    survey_count: Series[float] = pa.Field(nullable=True, ge=0)
    survey_method: Series[str] = pa.Field(nullable=True)
    source: Series[str] | None = pa.Field(isin=["text", "ocr"])
    ocr_confidence: Series[float] | None = pa.Field(nullable=True, ge=0, le=100)

    @pa.dataframe_check(description="percentages lie within 0–100")
    def percent_in_range(cls, df):
        pct = df["unit"].map(_measure) == "percent"
        return ~pct | df["value"].isna() | df["value"].between(0, 100)

    @pa.dataframe_check(description="counts are non-negative whole numbers")
    def counts_are_whole(cls, df):
        count = df["unit"].map(_measure) == "count"
        return ~count | df["value"].isna() | ((df["value"] >= 0) & _is_whole(df["value"]))

    @pa.dataframe_check(description="amounts and averages are non-negative")
    def amounts_non_negative(cls, df):
        return df["value"].isna() | (df["value"] >= 0) | (df["unit"].map(_measure) == "percent")

    @pa.dataframe_check(description="survey counts are whole numbers")
    def survey_counts_whole(cls, df):
        return df["survey_count"].isna() | _is_whole(df["survey_count"])

    @pa.dataframe_check(description="a printed value parses to a number unless it is a dash")
    def values_parse(cls, df):
        raw = df["value_raw"].fillna("").str.strip()
        dash = raw.isin(["", "-", "--", "—", "——", "/", "／", "无"])
        return dash | df["value"].notna()

    @pa.dataframe_check(description="the indicator is one a template of the family lists for this table")
    def indicator_in_template(cls, df):
        known = {(t.table_kind, squash(t.indicator)) for tid in template.template_ids()
                 for t in template.appendix_indicators(tid)}
        keys = zip(df["table_kind"], df["indicator"].map(squash))
        return pd.Series([key in known for key in keys], index=df.index)


def missing_indicators(df: pd.DataFrame) -> list[dict]:
    """Indicators the template in force lists, absent from a table that is present: one validation row each."""
    rows = []
    template_id = df.attrs.get("template") or template.DEFAULT
    present_tables = set(df["table_kind"]) if len(df) else set()
    numbers = dict(zip(df.get("table_kind", []), df.get("table_no", [])))
    have = {(k, squash(i), u) for k, i, u in zip(df.get("table_kind", []), df.get("indicator", []), df.get("unit", []))}
    for t in template.appendix_indicators(template_id):
        if t.measure == "label":
            continue
        if t.table_kind in present_tables and (t.table_kind, squash(t.indicator), t.unit) not in have:
            rows.append({
                "schema": "IndicatorSchema",
                "column": "indicator",
                "check": "expected indicator present",
                "row": "",
                "value": f"{_table_name(t.table_kind, numbers.get(t.table_kind))} {t.indicator} ({t.unit})",
            })
    return rows


def _table_name(kind: str, number) -> str:
    return kind if number is None or pd.isna(number) else f"附表{int(number)}"
