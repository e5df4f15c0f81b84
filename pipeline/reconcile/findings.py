"""The finding record, and its id: a fingerprint of what is checked, never of where it sits.

A finding's id hashes its kind and its ``key`` — the checked claim's own
clause and printed value, the table cells or the template rule — so adding a
claim earlier in the text, or the tokenizer finding one more number in the
sentence, leaves every other id as it was and review.csv keeps its rows.
Findings with the same key are told apart by their order of appearance.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from ..records import BBox, Issue
from ..words import RECORDS, words

VERDICTS = ("match", "rounding_only", "mismatch", "other_year_match", "approx_match", "uncertain", "unverifiable",
            "unreadable")
KINDS = ("direct", "per_school_average", "ratio", "sum", "count", "table_internal", "cross_table", "year_broken",
         "year_over_year")
CONFIRMING = ("match", "rounding_only", "approx_match")


@dataclass
class Finding:
    finding_id: str
    kind: str
    verdict: str
    claim_id: str
    claim_text: str
    page: int | None
    table_no: int | None  # as printed in the report
    indicator: str
    year: int | None
    table_value: str
    expected: str
    tolerance: str
    explanation: str
    claim_value: str = ""
    unit: str = ""
    table_page: int | None = None
    table_bbox: BBox | None = None
    claim_bbox: BBox | None = None
    review_status: str = ""
    review_note: str = ""
    table_kind: str = ""
    table_id: str = ""  # a body table the finding counts rows of (图表5), else empty
    # the second cell of a check between two places of the appendix (cross_table, year_broken)
    other_kind: str = ""
    other_no: int | None = None
    other_indicator: str = ""
    other_year: int | None = None
    other_page: int | None = None
    other_bbox: BBox | None = None
    source: str = "text"  # where the table cells it uses were read: text, or ocr when any was read by OCR
    ocr_confidence: float | None = None  # the lowest OCR confidence of those cells
    key: tuple = field(default=(), repr=False, compare=False)  # what the id is a fingerprint of
    explanation_words: list = field(default_factory=list)  # the explanation as catalogue words (explain.Said)

    def explain_more(self, said: list) -> None:
        """Add ``said`` to the explanation, in its words and as written."""
        self.explanation_words = [*self.explanation_words, *said]
        self.explanation = words(RECORDS).said(self.explanation_words)


def explained(said: list) -> dict:
    """A finding's ``explanation`` and ``explanation_words`` from what an explain function said."""
    return {"explanation": words(RECORDS).said(said), "explanation_words": list(said)}


@dataclass
class Findings:
    findings: list[Finding]
    issues: list[Issue] = field(default_factory=list)


def claim_anchor(claim) -> tuple[str, str]:
    """A claim as its own words identify it: its clause and its printed value, spaces removed."""
    return re.sub(r"\s+", "", claim.clause), re.sub(r"\s+", "", claim.value_raw)


def fingerprint(*parts) -> str:
    return "F" + hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:10]


def assign_ids(findings: list[Finding]) -> None:
    """Each finding's id from its kind and key; the n-th finding with the same key gets "-n"."""
    seen: dict[str, int] = {}
    for f in findings:
        base = fingerprint(f.kind, *f.key)
        seen[base] = seen.get(base, 0) + 1
        f.finding_id = base if seen[base] == 1 else f"{base}-{seen[base]}"
