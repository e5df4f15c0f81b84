"""claims.csv and findings.csv."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline import template
from pipeline.reconcile import KINDS, VERDICTS
from pipeline.words import RECORDS, explanation_text, words

from .common import BBoxModel, page_field


class ClaimSchema(BBoxModel):
    claim_id: Series[str] = pa.Field(unique=True, str_matches=r"^p\d{3}-\d{2,}$")
    section: Series[str] = pa.Field(nullable=True)
    case_no: Series[pa.Int64] = pa.Field(nullable=True, ge=1)
    page: Series[int] = page_field()
    sentence: Series[str] = pa.Field(str_length={"min_value": 1})
    value_raw: Series[str] = pa.Field(str_length={"min_value": 1})
    value: Series[float] = pa.Field(ge=0)
    unit: Series[str] = pa.Field(nullable=True)
    qualifier: Series[str] = pa.Field(nullable=True)
    scope_year: Series[pa.Int64] = pa.Field(nullable=True, ge=1990, le=2100)
    field: Series[str] = pa.Field(isin=["value", "survey_count"])


class FindingSchema(pa.DataFrameModel):
    finding_id: Series[str] = pa.Field(unique=True, str_matches=r"^F[0-9a-f]{10}(-\d+)?$")
    kind: Series[str] = pa.Field(isin=list(KINDS))
    verdict: Series[str] = pa.Field(isin=list(VERDICTS))
    claim_id: Series[str] = pa.Field(nullable=True)
    page: Series[pa.Int64] = pa.Field(nullable=True, ge=1)
    table_kind: Series[str] = pa.Field(nullable=True, isin=["", *template.table_kinds()])
    table_no: Series[pa.Int64] = pa.Field(nullable=True, ge=1, le=99)
    other_table_kind: Series[str] = pa.Field(nullable=True, isin=["", *template.table_kinds()])
    year: Series[pa.Int64] = pa.Field(nullable=True, ge=1990, le=2100)
    explanation: Series[str] = pa.Field(str_length={"min_value": 1})
    review_status: Series[str] = pa.Field(nullable=True, isin=["", "confirmed", "dismissed"])
    source: Series[str] | None = pa.Field(nullable=True, isin=["", "text", "ocr"])
    ocr_confidence: Series[float] | None = pa.Field(nullable=True, ge=0, le=100)
    explanation_words: Series[str] | None = pa.Field(nullable=True)

    @pa.dataframe_check(description="the explanation's words say the explanation")
    def words_say_the_explanation(cls, df):
        if "explanation_words" not in df:
            return pd.Series(True, index=df.index)
        return pd.Series([not said or explanation_text({"explanation": "", "explanation_words": said}, words(RECORDS))
                          == written for said, written in zip(df["explanation_words"].fillna(""), df["explanation"])],
                         index=df.index)

    @pa.dataframe_check(description="a finding about the text names its claim")
    def text_findings_name_a_claim(cls, df):
        about_text = df["kind"].isin(["direct", "per_school_average", "ratio", "sum", "count"])
        return ~about_text | (df["claim_id"].fillna("") != "")
