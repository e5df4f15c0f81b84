"""count — a count against the items the text lists with it.

Before the number: 《…》《…》2 本, “…”、“…” 3 个, A、B、C 3 个专业群, A、B、C、D和E五大团队, A与B两个专业.
After it: 2 个，分别为 A、B (template/count_terms.csv enum_after), or the items named with the counted noun
in the rest of the paragraph (四个项目组，“星游园”项目组 … “星视界”项目组). Delimited items (titles, quotes)
that disagree with the count are a mismatch; a list read from 、 / 和 is uncertain; a pair read from one 和
or 与 counts only when it agrees (it is too often not a list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import template
from ..claims import Claim
from ..schools import phrase_after
from . import explain
from .check import Check
from .context import Context, claim_finding
from .findings import Finding

BOUNDARY = "，,：:；;。！？"
TITLES = re.compile(r"《[^《》]+》")
QUOTES = re.compile(r"[“\"]([^“”\"]+)[”\"]")
ASIDE = re.compile(r"（[^（）]*）|\([^()]*\)")
MAX_ITEM = 40  # characters: longer "items" are clauses, not a list
MAX_COUNT = 30


@dataclass(frozen=True)
class Listed:
    items: tuple[str, ...]
    how: str  # titles, quotes, list, pair, named
    where: str  # before / after

    @property
    def delimited(self) -> bool:
        return self.how in ("titles", "quotes", "named")


class Items(Check):
    name = "items"
    kinds = ("count",)

    def run(self, ctx: Context) -> list[Finding]:
        out = []
        units = set(template.terms_of("enum_unit"))
        for claim in ctx.claims.claims:
            if claim.unit not in units or claim.qualifier or claim.value != int(claim.value) or not 1 < claim.value <= MAX_COUNT:
                continue
            listed = listed_before(claim, ctx) or listed_after(claim, ctx)
            if listed is None:
                continue
            n = len(listed.items)
            if n == claim.value:
                verdict = "match"
            elif listed.how == "pair":
                continue
            else:
                verdict = "mismatch" if listed.delimited else "uncertain"
            explanation = explain.listed(claim.value_raw, list(listed.items), listed.where, claim.value, verdict == "match")
            out.append(claim_finding("count", verdict, claim, explanation, expected=str(n), table_value=str(n), tolerance="0",
                                     indicator=explain.listed_name(), check=f"items {listed.where}"))
        return out


def confirmed_claims(findings: list[Finding]) -> set[str]:
    return {f.claim_id for f in findings if f.kind == "count" and f.verdict == "match"}


def listed_before(claim: Claim, ctx: Context) -> Listed | None:
    """The items right before the number, back to the clause start or the previous number."""
    if not _noun_follows(claim):
        return None
    text = claim.sentence
    start = max((i + 1 for i in range(claim.position) if text[i] in BOUNDARY), default=0)
    previous = [c.end for c in ctx.siblings(claim) if c.end <= claim.position]
    start = max([start, *previous])
    found = _items(text[start:claim.position].strip())
    return Listed(found[0], found[1], "before") if found else None


def listed_after(claim: Claim, ctx: Context) -> Listed | None:
    """分别为 A、B opening the clause after the count's (in its sentence), or the items named with the counted
    noun later on."""
    text = claim.sentence
    rest = text[claim.end:]
    openers = "|".join(re.escape(t) for t in template.terms_of("enum_after"))
    m = re.match(rf"[^，,。；;：:]{{0,40}}[，,：:]\s*({openers})", rest)  # the opener starts the next clause
    if m:
        listed = rest[m.end():].rstrip("。；;！？ ")
        numbers_after = [c for c in ctx.siblings(claim) if c.position >= claim.end]  # the list is this count's alone
        found = None if numbers_after else _items(listed)
        if found:
            return Listed(found[0], found[1], "after")
    noun = phrase_after(text, claim.end, limit=8).split("的")[0]
    if len(noun) >= 2:
        named = list(dict.fromkeys(re.findall(r"[“\"]([^“”\"]{1,20})[”\"]" + re.escape(noun), claim.following)))
        if len(named) >= 2:
            return Listed(tuple(named), "named", "after")
    return None


def _noun_follows(claim: Claim) -> bool:
    after = claim.sentence[claim.end:claim.end + 1]
    return bool(after) and after not in BOUNDARY + "、" and not after.isdigit()


def _items(segment: str) -> tuple[tuple[str, ...], str] | None:
    if not segment or segment.rstrip().endswith("等"):  # A、B 等 3 个: the list may be incomplete
        return None
    titles = TITLES.findall(segment)
    if len(titles) >= 2:
        return tuple(titles), "titles"
    quotes = QUOTES.findall(segment)
    if len(quotes) >= 2:
        return tuple(quotes), "quotes"
    if len(quotes) == 1 and "、" in quotes[0] and segment.rstrip().endswith(("”", '"')):
        return _split_list(quotes[0])
    return _split_list(ASIDE.sub("", segment))


def _split_list(segment: str) -> tuple[tuple[str, ...], str] | None:
    if "、" in segment:
        pieces = [p.strip() for p in segment.split("、")]
        last = re.split(r"以及|和|及", pieces[-1], maxsplit=1)
        pieces = pieces[:-1] + [p.strip() for p in last]
        how = "list"
    else:
        pieces = []
        for joiner in ("和", "与", "及"):
            if segment.count(joiner) == 1:
                pieces = [p.strip() for p in segment.split(joiner)]
                break
        how = "pair"
    if len(pieces) < 2 or any(not p or len(p) > MAX_ITEM for p in pieces):
        return None
    return tuple(pieces), how
