"""How much of what the reference report's own tables and arithmetic can confirm the audit links and confirms.

tests/fixtures/checkable_statements.csv is keyed by hand from the reference (page images and its text):
every statement the report's tables or its own arithmetic can confirm (expected = confirm), with the
kind of check that confirms it, and the statements they contradict or leave in doubt, with the verdict
worked out by hand.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "checkable_statements.csv"
CONFIRMING = {"match", "rounding_only", "approx_match"}
CONTRADICTING = {"mismatch", "other_year_match"}


def statements() -> list[dict]:
    with FIXTURE.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _squash(text) -> str:
    return re.sub(r"\s+", "", str(text))


def matching_claims(row: dict, claims) -> list[str]:
    """The claims a fixture row names: its page, its sentence holding the fragment, its value."""
    fragment, value = _squash(row["fragment"]), float(row["value"])
    found = claims[(claims.page == int(row["page"])) & (abs(claims.value - value) < 1e-9)]
    return [c.claim_id for c in found.itertuples()
            if fragment in _squash(c.sentence) and _squash(c.value_raw) in fragment]


def verdicts(row: dict, claims, findings) -> tuple[list[str], set[str], set[str]]:
    """(claim ids, verdicts of the row's kind, verdicts of any kind) for one fixture row."""
    ids = matching_claims(row, claims)
    mine = findings[findings.claim_id.isin(ids)]
    return ids, set(mine[mine.kind == row["kind"]].verdict), set(mine.verdict)


def coverage(claims, findings) -> tuple[int, int, list[tuple[dict, str]]]:
    """(confirmed, checkable, [(row, why not)]) over the rows expected to be confirmed."""
    rows = [r for r in statements() if r["expected"] == "confirm"]
    missed = []
    for row in rows:
        ids, own, every = verdicts(row, claims, findings)
        if not ids:
            missed.append((row, "no claim read"))
        elif every & CONTRADICTING:
            missed.append((row, "contradicted: " + ", ".join(sorted(every & CONTRADICTING))))
        elif not own & CONFIRMING:
            missed.append((row, f"no confirming {row['kind']} finding ({', '.join(sorted(own)) or 'none'})"))
    return len(rows) - len(missed), len(rows), missed


@pytest.fixture(scope="module")
def frames(reference_run):
    return reference_run.frames["claims"], reference_run.frames["findings"]


def test_the_fixture_names_each_statement_once(frames):
    claims, _ = frames
    ambiguous = [(r["id"], matching_claims(r, claims)) for r in statements() if len(matching_claims(r, claims)) > 1]
    assert ambiguous == []


def test_at_least_nine_in_ten_checkable_statements_are_linked_and_confirmed(frames):
    confirmed, checkable, missed = coverage(*frames)
    assert checkable == 89
    assert confirmed / checkable >= 0.9, "\n".join(f"{r['id']} p{r['page']} {r['fragment']}: {why}" for r, why in missed)


def test_no_true_statement_is_contradicted(frames):
    claims, findings = frames
    wrong = []
    for row in statements():
        if row["expected"] != "confirm":
            continue
        _, _, every = verdicts(row, claims, findings)
        if every & CONTRADICTING:
            wrong.append((row["id"], row["fragment"], sorted(every)))
    assert wrong == []


def test_statements_the_tables_contradict_or_leave_in_doubt(frames):
    claims, findings = frames
    got = {}
    for row in statements():
        if row["expected"] != "confirm":
            got[row["id"]] = (row["expected"], verdicts(row, claims, findings)[1])
    assert {k: v for k, (expected, v) in got.items() if expected not in v} == {}
