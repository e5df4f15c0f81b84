"""Stage 7: narrative figures against the tables, and the tables against themselves (findings.csv).

Every comparison is rounding-aware: a number printed with d decimals stands
for [v − ½·10^-d, v + ½·10^-d), rounded half up (四舍五入); a qualified one
(近, 约, 余, 超过 …) for the range its qualifier allows (claim_qualifiers.csv).

Every check is a ``Check`` (check.py): ``run(ctx)`` reads the Context (context.py: the claims, the
appendix, the body tables, and the findings of the checks run before it, by name) and returns its
findings. ``CHECKS`` runs them in the order of findings.csv's rows; a check that reads another's
findings names it in ``needs`` and comes after it. One module per kind of check, in that order:

* direct.py — direct: the text restates a table cell; per_school_average: 校均 X vs total ÷ schools;
* ratio.py — ratio: 占比/比例 recomputed from counts in the text or in the tables (claim_formulas.csv);
  direct and ratio check one claim at a time and run together (ClaimByClaim): a claim's direct
  findings, then its ratios, then the next claim's;
* sums.py — sum: a stated total against its listed parts (其中, 包括 …); shares that must add to 100%;
* items.py, counts.py — count: a count against the items listed with it, and against the rows of the
  report's own tables (the school table by level or label, a body table's items, one school's rows; a count
  of schools the items confirmed is not counted again: counts needs items);
* internal.py — table_internal: parts against totals inside the appendix (table_checks.csv);
* identities.py — cross_table: one quantity in two tables (table_identities.csv); year_broken: a rate two
  cells reproduce in one year column and not in the other;
* yoy.py — year_over_year: implausible jumps between the two year columns (a flag).

Formulas are parsed once, with their names checked, when the template is read; verdicts are pure
functions (judge.py); explanations are written in explain.py; ids are fingerprints of what is checked
(findings.py).
"""

from __future__ import annotations

from ..claims import Claims
from ..records import Indicators, Issue, Tables, said
from .appendix import Appendix, Cell, table_label
from .bodytables import body_tables
from .check import Check, ClaimByClaim, in_dependency_order
from .context import Context
from .counts import Counts
from .direct import Direct
from .findings import KINDS, VERDICTS, Finding, Findings, assign_ids
from .identities import Identities
from .internal import Internal
from .items import Items
from .ratio import Ratio
from .sums import Sums
from .unreadable import mark_unreadable
from .yoy import YearOverYear

__all__ = ["CHECKS", "Appendix", "Cell", "Check", "Finding", "Findings", "KINDS", "STAGE", "VERDICTS", "reconcile",
           "table_label"]

STAGE = "reconcile"

CHECKS: tuple[Check, ...] = in_dependency_order((
    ClaimByClaim(Direct(), Ratio()), Sums(), Items(), Counts(), Internal(), Identities(), YearOverYear(),
))


def reconcile(claims: Claims, indicators: Indicators, tables: Tables | None = None) -> Findings:
    """``tables``: the report's tables, for counts against its body tables (none are checked without them)."""
    appendix = Appendix(indicators.frame, indicators.template)
    issues: list[Issue] = []
    if appendix.empty:
        issues.append(said(STAGE, "reconcile.no_appendix"))
    ctx = Context.build(claims, appendix, body_tables(tables.tables) if tables is not None else [])
    for check in CHECKS:
        ctx.found[check.name] = check.run(ctx)
    findings = [f for found in ctx.found.values() for f in found]
    unreadable = mark_unreadable(findings, indicators.frame)
    if unreadable:
        issues.append(said(STAGE, "unreadable.findings", count=unreadable))
    assign_ids(findings)
    return Findings(findings, issues)
