"""Human review that survives re-runs.

An auditor edits ``review.csv`` in the report's folder (finding_id, status
confirmed/dismissed, note). Every run reads it back and carries the statuses
into findings.csv and the audit report. vetreport never overwrites the file:
it writes a starter only when there is none.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .output import atomic_write_text
from .records import Issue

STAGE = "review"
REVIEW_FILE = "review.csv"
STATUSES = ("", "confirmed", "dismissed")
COLUMNS = ["finding_id", "status", "note", "kind", "verdict", "claim_text"]


def read_review(path: Path) -> tuple[dict[str, tuple[str, str]], list[Issue]]:
    """finding_id -> (status, note); problems in the file are warnings, never errors."""
    if not path.is_file():
        return {}, []
    issues: list[Issue] = []
    reviews: dict[str, tuple[str, str]] = {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [Issue(STAGE, f"{path.name} cannot be read ({exc}); review statuses not applied")]
    for n, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        fid = (row.get("finding_id") or "").strip()
        status = (row.get("status") or "").strip().lower()
        if not fid:
            continue
        if status not in STATUSES:
            issues.append(Issue(STAGE, f"{path.name} line {n}: status '{status}' is not confirmed or dismissed; ignored"))
            continue
        reviews[fid] = (status, (row.get("note") or "").strip())
    return reviews, issues


@dataclass
class Reviewed:
    findings: pd.DataFrame  # findings.csv with review_status and review_note filled in
    issues: list[Issue] = field(default_factory=list)


def apply_review(findings: pd.DataFrame, report_dir: Path) -> Reviewed:
    """The auditor's statuses carried into the findings; a starter review.csv when there is none yet."""
    path = Path(report_dir) / REVIEW_FILE
    reviews, issues = read_review(path)
    known = set(findings["finding_id"])
    stale = sorted(fid for fid, (status, _) in reviews.items() if status and fid not in known)
    if stale:
        issues.append(Issue(STAGE, f"{len(stale)} reviewed finding(s) no longer found: {', '.join(stale[:5])}"))
    reviewed = findings.copy()
    reviewed["review_status"] = [reviews.get(fid, ("", ""))[0] for fid in reviewed["finding_id"]]
    reviewed["review_note"] = [reviews.get(fid, ("", ""))[1] for fid in reviewed["finding_id"]]
    if not path.exists():
        _write_starter(path, reviewed)
    return Reviewed(reviewed, issues)


def _write_starter(path: Path, findings: pd.DataFrame) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for f in findings.itertuples():
        if f.verdict in ("mismatch", "other_year_match", "uncertain"):
            writer.writerow([f.finding_id, "", "", f.kind, f.verdict, str(f.claim_text)[:80]])
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, out.getvalue())
