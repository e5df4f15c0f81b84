"""Human review that survives re-runs.

An auditor edits ``review.csv`` in the report's folder (finding_id, status
confirmed/dismissed, note), by hand or through ``vetreport serve``. Every run
reads it back and carries the statuses into findings.csv and the audit report.
vetreport never overwrites the file: it writes a starter only when there is
none, and an edit from the app (``record_review``) changes one finding's row
and keeps every other row and column as it was.

A note is stored as typed, except that one a spreadsheet would run as a formula (it begins with
=, +, -, @, a tab or a carriage return, after any apostrophes) is written with an apostrophe in
front (``formula_safe``), the mark spreadsheets take for "text"; reading the file takes it off
again (``typed_note``).

Writers take an exclusive lock on ``.review.lock`` beside the file, read the
file, change it and rename a complete new file over it, so two browser tabs,
two servers or a run writing the starter never lose each other's edits, and a
reader never sees half a file.
"""

from __future__ import annotations

import csv
import fcntl
import io
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..files import REVIEW_FILE, atomic_write_text, write_csv
from ..records import Issue, said
from .frames import PUBLISHED, read_published

STAGE = "review"
LOCK_FILE = ".review.lock"
STATUSES = ("", "confirmed", "dismissed")
EDIT_STATUSES = {"confirmed": "confirmed", "dismissed": "dismissed", "open": ""}  # what an edit asks -> what is stored
FINDINGS_FILE = "findings.csv"
COLUMNS = ["finding_id", "status", "note", "kind", "verdict", "claim_text"]
MAX_NOTE = 2000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet runs as a formula


def formula_safe(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs as a formula: an apostrophe before a formula's first character
    (and before a text that already has apostrophes there, so that reading it back gives the text as typed)."""
    return f"'{text}" if isinstance(text, str) and (text.startswith(FORMULA_START) or _guarded(text)) else text


def typed_note(cell: str) -> str:
    """The note as typed, from its CSV cell (``formula_safe`` undone)."""
    return cell[1:] if _guarded(cell) else cell


def _guarded(text: str) -> bool:
    return text.startswith("'") and text.lstrip("'").startswith(FORMULA_START)


class ReviewError(ValueError):
    """An edit that was refused; review.csv is unchanged."""


def read_review(path: Path) -> tuple[dict[str, tuple[str, str]], list[Issue]]:
    """finding_id -> (status, note); problems in the file are warnings, never errors."""
    if not path.is_file():
        return {}, []
    issues: list[Issue] = []
    reviews: dict[str, tuple[str, str]] = {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [said(STAGE, "review.unreadable", file=path.name, error=str(exc))]
    for n, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        fid = (row.get("finding_id") or "").strip()
        status = (row.get("status") or "").strip().lower()
        status = EDIT_STATUSES.get(status, status)
        if not fid:
            continue
        if status not in STATUSES:
            issues.append(said(STAGE, "review.bad_status", file=path.name, line=n, status=status))
            continue
        reviews[fid] = (status, typed_note((row.get("note") or "").strip()))
    return reviews, issues


@dataclass
class Reviewed:
    findings: pd.DataFrame  # findings.csv with review_status and review_note filled in
    issues: list[Issue] = field(default_factory=list)


def apply_review(findings: pd.DataFrame, report_dir: Path) -> Reviewed:
    """The auditor's statuses carried into the findings; a starter review.csv when there is none yet."""
    path = Path(report_dir) / REVIEW_FILE
    reviewed = _reviewed(findings, path)
    if not path.exists():
        with review_lock(path):
            if not path.exists():  # an edit may have created it while this run was reading
                _write_starter(path, reviewed.findings)
    return reviewed


def carry_review(report_dir: Path) -> Reviewed:
    """findings.csv rewritten at once with the statuses review.csv holds now (after an edit in the app, or by
    `vetreport audit`), under the review lock: one writer at a time, and no edit lost between read and write."""
    report_dir = Path(report_dir)
    path = report_dir / REVIEW_FILE
    with review_lock(path):
        findings = read_published(report_dir / FINDINGS_FILE, empty_text=True)
        reviewed = _reviewed(findings, path)
        if not path.exists():
            _write_starter(path, reviewed.findings)
        written = reviewed.findings.assign(review_note=reviewed.findings["review_note"].map(formula_safe))
        write_csv(report_dir / FINDINGS_FILE, written, PUBLISHED["findings"].columns)
    return reviewed


def _reviewed(findings: pd.DataFrame, path: Path) -> Reviewed:
    """The findings with the statuses of review.csv at ``path``; a warning for reviews of findings gone."""
    reviews, issues = read_review(path)
    known = set(findings["finding_id"])
    stale = sorted(fid for fid, (status, _) in reviews.items() if status and fid not in known)
    if stale:
        issues.append(said(STAGE, "review.stale", count=len(stale), ids=", ".join(stale[:5])))
    return Reviewed(overlay_review(findings, reviews), issues)


def overlay_review(findings: pd.DataFrame, reviews: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """findings with review_status and review_note taken from ``reviews`` (finding_id -> (status, note))."""
    reviewed = findings.copy()
    reviewed["review_status"] = [reviews.get(fid, ("", ""))[0] for fid in reviewed["finding_id"]]
    reviewed["review_note"] = [reviews.get(fid, ("", ""))[1] for fid in reviewed["finding_id"]]
    return reviewed


@contextmanager
def review_lock(path: Path):
    """An exclusive lock for changing ``path`` (review.csv), held by one writer at a time across processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def record_review(report_dir: Path, finding_id: str, status: str, note: str = "") -> dict[str, str]:
    """Set one finding's status (confirmed, dismissed, or open again) and note in review.csv.

    The finding must be one of the folder's findings.csv; anything else raises ReviewError
    and writes nothing. Returns the finding's row as stored.
    """
    report_dir = Path(report_dir)
    if status not in EDIT_STATUSES:
        raise ReviewError(f"status '{status}' is not one of {', '.join(EDIT_STATUSES)}")
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise ReviewError(f"the note must be text of at most {MAX_NOTE} characters")
    finding = _finding(report_dir, finding_id)
    path = report_dir / REVIEW_FILE
    with review_lock(path):
        columns, rows = _read_rows(path)
        stored = {"finding_id": finding_id, "status": EDIT_STATUSES[status], "note": formula_safe(note.strip())}
        matching = [row for row in rows if (row.get("finding_id") or "").strip() == finding_id]
        if not matching:
            matching = [{**dict.fromkeys(columns, ""), **{c: str(finding.get(c, ""))[:80] for c in COLUMNS[3:]}}]
            rows.append(matching[0])
        for row in matching:
            row.update(stored)
        atomic_write_text(path, _render(columns, rows))
    return {**stored, "note": note.strip()}


def _finding(report_dir: Path, finding_id: str) -> dict:
    findings_csv = report_dir / "findings.csv"
    if not isinstance(finding_id, str) or not finding_id or not findings_csv.is_file():
        raise ReviewError(f"no finding '{finding_id}' in {findings_csv}")
    with findings_csv.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            if row.get("finding_id") == finding_id:
                return row
    raise ReviewError(f"no finding '{finding_id}' in {findings_csv}")


def _read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Every row and column of review.csv as it is (the auditor's own columns included)."""
    if not path.exists():
        return list(COLUMNS), []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReviewError(f"{path} cannot be read ({exc}); fix or remove it before editing") from exc
    reader = csv.DictReader(io.StringIO(text))
    rows = [dict(row) for row in reader]
    columns = list(reader.fieldnames or [])
    columns += [c for c in COLUMNS if c not in columns]
    return columns, rows


def _render(columns: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore", restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _write_starter(path: Path, findings: pd.DataFrame) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for f in findings.itertuples():
        if f.verdict in ("mismatch", "other_year_match", "uncertain"):
            writer.writerow([f.finding_id, "", "", f.kind, f.verdict, str(f.claim_text)[:80]])
    atomic_write_text(path, out.getvalue())
