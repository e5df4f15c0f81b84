"""count — a count against the rows of the report's own tables.

* Schools: "6所中职学校", "六所…", "主管高等职业学校 1 所", "4 所为国家级重点中职学校" against the school
  table's rows of the level the words name (its group column: 中职 / 高职) or carrying the label they spell
  out (国重点 in its 类型 column, for 国家级重点).
* Items of a body table: "共有7个市优质专业" (图表5), "共 9 个" 开放实训中心 (图表13), one school's
  "两个市级优质专业" (that school's rows), when the counted noun ends like the table's (bodytables.py).

Equal is a match. A different count is a mismatch only when the text states it as the whole (共有, 全区,
区属 …: template/count_terms.csv whole); otherwise it may count a part of them, and is uncertain.
"""

from __future__ import annotations

from .. import template
from ..claims import Claim
from ..schools import phrase_after, phrase_before, stated_school_counts
from . import explain, items
from .check import Check
from .context import Context, claim_finding
from .findings import Finding


class Counts(Check):
    name = "counts"
    kinds = ("count",)
    needs = ("items",)

    def run(self, ctx: Context) -> list[Finding]:
        # a count of schools the items check confirmed, listed by name ("4 所中职学校的…，分别为…"),
        # counts those schools, not all of the school table's
        listed = items.confirmed_claims(ctx.found["items"])
        out = []
        units = set(template.terms_of("enum_unit"))
        for claim in ctx.claims.claims:
            if claim.unit not in units or claim.qualifier or claim.value != int(claim.value):
                continue
            if claim.unit == "所":
                finding = None if claim.claim_id in listed else _school_count(claim, ctx)
            else:
                finding = _table_count(claim, ctx)
            if finding:
                out.append(finding)
        return out


def _whole(claim: Claim, ctx: Context) -> bool:
    """共有 7 个 / 全区 6 所 / 主管 … 1 所: the count is stated as the whole set (words right before it, after
    any number before it: "区属6所中职学校中有3所" states 6 as the whole, not 3)."""
    start = max([claim.position - 12, 0, *(c.end for c in ctx.siblings(claim) if c.end <= claim.position)])
    head = claim.sentence[start:claim.position]
    return claim.is_total or any(w in head for w in template.terms_of("whole"))


def _verdict(claim: Claim, n: int, ctx: Context) -> str:
    if n == claim.value:
        return "match"
    return "mismatch" if _whole(claim, ctx) else "uncertain"


# ---------------------------------------------------------------- schools


def _school_count(claim: Claim, ctx: Context) -> Finding | None:
    schools = ctx.schools
    if claim.case_no is not None or not schools.rows:
        return None  # a case tells one school's story: its counts of schools are of other sets
    stated = next((s for s in stated_school_counts(claim.sentence) if s.start == claim.position), None)
    if stated is None:
        return None
    label = schools.label_in(stated.noun)
    level = stated.level
    if level and level not in schools.levels:
        if level != ctx.claims.report_level or schools.levels:
            return None  # the table does not say which of its schools are of that level
        level = ""
    if not level and not label:
        return None
    n = schools.count(level, label)
    which = explain.schools_of(level, label)
    names = [r.name for r in schools.rows if (not level or r.level == level) and (not label or label in r.labels)]
    verdict = _verdict(claim, n, ctx)
    explanation = explain.schools_counted(claim.value_raw, schools.table_id, n, which, names, claim.value, verdict)
    return claim_finding("count", verdict, claim, explanation, expected=str(n), table_value=str(n), tolerance="0",
                         indicator=explain.schools_name(which), check=f"schools {level}|{label}", table_id=schools.table_id,
                         table_page=schools.page, table_bbox=schools.bbox)


# ---------------------------------------------------------------- rows of a body table


def counted_noun(claim: Claim) -> tuple[str, bool]:
    """What a count counts, and whether it follows the number: the words after its unit (up to 的), else
    the words before the number with the fillers between them and the number (共, 建设, 数 …) taken off."""
    after = phrase_after(claim.sentence, claim.end, limit=20).split("的")[0]
    if len(after) >= 2:
        return after, True
    before = phrase_before(claim.sentence, claim.position, limit=24)
    fillers = template.terms_of("filler")
    stripped = True
    while stripped:
        stripped = False
        for word in fillers:
            if before.endswith(word):
                before, stripped = before[: -len(word)].rstrip(), True
    return before, False


def _table_count(claim: Claim, ctx: Context) -> Finding | None:
    noun, leading = counted_noun(claim)
    matches = [(t, t.noun_matching(noun, leading)) for t in ctx.body_tables]
    matches = [(t, shared) for t, shared in matches if shared]
    if len(matches) != 1:
        return None  # no table lists what the text counts, or two could
    table, shared = matches[0]
    school = claim.scope_school if claim.scope_school in table.schools else ""
    if claim.scope_school and not school:
        return None  # one school's count, but the table does not list that school
    found = table.items_of(school)
    n = len(found)
    verdict = _verdict(claim, n, ctx)
    counted = noun[: noun.find(shared) + len(shared)] if leading else noun
    explanation = explain.rows_counted(claim.value_raw, table.table_id, table.header, [i.text for i in found], school,
                                       counted, shared, claim.value, verdict)
    return claim_finding("count", verdict, claim, explanation, expected=str(n), table_value=str(n), tolerance="0",
                         indicator=explain.rows_name(table.table_id, school), check=f"rows {table.table_id}|{school}",
                         table_id=table.table_id, table_page=table.page, table_bbox=table.bbox)
