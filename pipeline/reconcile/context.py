"""What every check reads: the claims grouped by sentence, statement and paragraph, the appendix, the
school table and the body tables; and the one constructor of a finding about a claim."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..claims import Claim, Claims
from ..records import BBox
from ..schools import SchoolDirectory
from .appendix import Appendix, Cell
from .bodytables import BodyTable
from .explain import Said, rounding_tolerance
from .findings import Finding, claim_anchor, explained


@dataclass
class Context:
    claims: Claims
    appendix: Appendix
    body_tables: list[BodyTable] = field(default_factory=list)
    by_sentence: dict[tuple, list[Claim]] = field(default_factory=dict)
    by_statement: dict[tuple, list[Claim]] = field(default_factory=dict)
    by_paragraph: dict[tuple, list[Claim]] = field(default_factory=dict)
    found: dict[str, list[Finding]] = field(default_factory=dict)  # each check's findings, by name, as they run

    @classmethod
    def build(cls, claims: Claims, appendix: Appendix, body_tables: list[BodyTable]) -> Context:
        ctx = cls(claims, appendix, body_tables)
        for c in sorted(claims.claims, key=lambda c: (c.sentence_key, c.position)):
            ctx.by_sentence.setdefault(c.sentence_key, []).append(c)
            ctx.by_statement.setdefault(c.statement_key, []).append(c)
            ctx.by_paragraph.setdefault(c.paragraph_key, []).append(c)
        return ctx

    @property
    def schools(self) -> SchoolDirectory:
        return self.claims.schools

    def siblings(self, claim: Claim) -> list[Claim]:
        return self.by_sentence.get(claim.sentence_key, [claim])


def claim_finding(kind: str, verdict: str, claim: Claim, explanation: Said, *, cell: Cell | None = None,
                  expected: str = "", table_value: str | None = None, check: str = "", tolerance: str | None = None,
                  indicator: str | None = None, table_id: str = "", table_page: int | None = None,
                  table_bbox: BBox | None = None) -> Finding:
    """A finding about one claim, checked against a cell of the appendix (``cell``), a body table
    (``table_id`` with its page and box) or the text alone; ``check`` names what it was checked against,
    which with the claim's own words makes the finding's id."""
    return Finding(
        finding_id="", kind=kind, verdict=verdict, claim_id=claim.claim_id, claim_text=claim.sentence,
        page=claim.page, table_no=cell.table_no if cell else None, table_kind=cell.table_kind if cell else "",
        indicator=cell.indicator if cell else (check if indicator is None else indicator),
        year=cell.year if cell else claim.scope_year,
        table_value=table_value if table_value is not None else (cell.raw if cell else ""),
        expected=expected, tolerance=tolerance if tolerance is not None else rounding_tolerance(claim.value, claim.decimals),
        **explained(explanation), claim_value=claim.value_raw, unit=claim.unit,
        table_page=cell.page if cell else table_page, table_bbox=cell.bbox if cell else table_bbox,
        claim_bbox=claim.bbox, table_id=table_id, key=(*claim_anchor(claim), check or (cell.label() if cell else "")),
    )
