"""The audit report a person reads: audit.html (one self-contained file) and audit.md.

A summary (claims found and checked, verdicts), then the values to read by eye
(table values read by OCR that are in doubt, verdict `unreadable`), then every
finding that needs a look — mismatches, other-year matches, uncertain — each with
the sentence, the table cell, the arithmetic, the pages, and images of both
cropped from the PDF; then the findings that agree, in one table.
"""

from __future__ import annotations

import base64
import fcntl
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from ..files import atomic_write_bytes, atomic_write_text
from ..records import Issue
from ..words import words
from .evidence import evidence_images
from .frames import read_published
from .html import render
from .manifest import read as read_manifest
from .review import typed_note

STAGE = "audit"
# values read by OCR that are in doubt come first: every other verdict about them waits on a person's reading
ATTENTION = ("unreadable", "mismatch", "other_year_match", "uncertain")
VERDICT_ORDER = ("unreadable", "mismatch", "other_year_match", "uncertain", "unverifiable", "rounding_only", "approx_match",
                 "match")
BY_EYE = "unreadable"
IMAGE_DIR = "audit_images"
AUDIT_LOCK = ".audit.lock"
EVIDENCE = (("text", "the sentence"), ("table", "the table cell"), ("other", "the other cell"))


@dataclass
class Audit:
    html_path: Path
    md_path: Path
    images: int
    issues: list[Issue] = field(default_factory=list)


def write_audit(report_dir: Path, pdf: Path, frames: dict[str, pd.DataFrame], password: str | None = None,
                render_from: Path | None = None, warnings: list | None = None) -> Audit:
    """``render_from``: the file the pages were read from when it is not ``pdf`` (a repaired or turned copy),
    so the evidence images are cut where the records' boxes are. ``warnings``: the run's warnings (Issue
    records or their manifest dicts); None reads them from the folder's manifest.json."""
    report_dir = Path(report_dir)
    notes = _warnings(report_dir) if warnings is None else [w.as_dict() if isinstance(w, Issue) else w for w in warnings]
    findings = frames.get("findings", pd.DataFrame())
    claims = frames.get("claims", pd.DataFrame())
    attention = attention_findings(findings)
    tables, cells = _table_frames(report_dir, frames)
    crops, issues = evidence_images(Path(render_from or pdf), attention, claims, tables, cells, password)
    html_text = _html(report_dir.name, pdf, claims, findings, attention, crops, notes)
    md_text = _markdown(report_dir.name, pdf, claims, findings, attention, crops, notes)
    atomic_write_text(report_dir / "audit.html", html_text)
    image_dir = report_dir / IMAGE_DIR
    for name, png in crops.items():
        atomic_write_bytes(image_dir / f"{name}.png", png)
    atomic_write_text(report_dir / "audit.md", md_text)
    return Audit(report_dir / "audit.html", report_dir / "audit.md", len(crops), issues)


class SourceMissing(FileNotFoundError):
    """The PDF a report was made from is not where its manifest.json says (the evidence images are cut from it)."""


def source_pdf(report_dir: Path) -> Path:
    """The PDF named in the folder's manifest.json; SourceMissing, saying so, when it is not there."""
    named = (read_manifest(Path(report_dir)) or {}).get("input")
    if not named or not Path(named).is_file():
        raise SourceMissing(f"the source PDF {named or '(none named)'} named in manifest.json is not there; the evidence "
                            f"images are cut from it")
    return Path(named)


def redraw_audit(report_dir: Path, pdf: Path, password: str | None = None) -> Audit:
    """audit.html and audit.md drawn again from the folder's claims.csv and findings.csv (as `vetreport audit` and
    a review in `vetreport serve` do), one writer at a time (an flock on .audit.lock beside them)."""
    report_dir = Path(report_dir)
    with open(report_dir / AUDIT_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            frames = {name: read_published(report_dir / f"{name}.csv", empty_text=name == "findings")
                      for name in ("claims", "findings") if (report_dir / f"{name}.csv").is_file()}
            if "review_note" in frames.get("findings", ()):  # the notes as typed (findings.csv guards formulas)
                frames["findings"]["review_note"] = frames["findings"]["review_note"].map(typed_note)
            return write_audit(report_dir, pdf, frames, password)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _table_frames(report_dir: Path, frames: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """tables and table_cells, from the run's frames or, for `vetreport audit`, the folder's CSVs.

    A run's frames (they hold pages) never fall back to the files an earlier run left.
    """
    found = []
    for name in ("tables", "table_cells"):
        frame = frames.get(name)
        if frame is None and "pages" not in frames and (report_dir / f"{name}.csv").is_file():
            frame = read_published(report_dir / f"{name}.csv", empty_text=False)
        found.append(frame if isinstance(frame, pd.DataFrame) else pd.DataFrame())
    return found[0], found[1]


def attention_findings(findings: pd.DataFrame) -> pd.DataFrame:
    if findings.empty:
        return findings
    rows = findings[findings["verdict"].isin(ATTENTION)].copy()
    rows["order"] = rows["verdict"].map(VERDICT_ORDER.index)
    return rows.sort_values(["order", "page", "finding_id"], na_position="last").drop(columns="order")


def _value(row, key):
    value = row.get(key) if isinstance(row, dict) else getattr(row, key, None)
    return None if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA else value


# ---------------------------------------------------------------- summary


def _summary(claims: pd.DataFrame, findings: pd.DataFrame) -> list[tuple[str, str]]:
    """Counts that add up: the findings about claims and those of the tables' own checks make all the findings,
    and so do the findings of each verdict (a claim checked twice has two findings)."""
    about_claims = findings["claim_id"].replace("", pd.NA).dropna() if not findings.empty else pd.Series(dtype=str)
    rows = [("claims found", str(len(claims))),
            ("claims checked against the tables or their own arithmetic", str(about_claims.nunique())),
            ("findings about those claims (a claim may be checked more than once)", str(len(about_claims))),
            ("findings of the appendix tables' own checks", str(len(findings) - len(about_claims))),
            ("findings in all", str(len(findings)))]
    if not findings.empty:
        counts = findings["verdict"].value_counts()
        for verdict in VERDICT_ORDER:
            if verdict in counts:
                rows.append((f"findings: {verdict}", str(int(counts[verdict]))))
        reviewed = findings["review_status"].fillna("").value_counts() if "review_status" in findings else {}
        for status in ("confirmed", "dismissed"):
            if status in reviewed:
                rows.append((f"reviewed: {status}", str(int(reviewed[status]))))
    return rows


def _by_kind(findings: pd.DataFrame) -> pd.DataFrame:
    if findings.empty:
        return pd.DataFrame()
    return findings.pivot_table(index="kind", columns="verdict", values="finding_id", aggfunc="count", fill_value=0)


def _table(row) -> str:
    """附表N as the report numbers it, else the table's kind, else the body table counted (图表5); empty for
    findings about the text alone."""
    if _value(row, "table_no") is not None:
        return f"附表{int(row['table_no'])}"
    return str(_value(row, "table_kind") or _value(row, "table_id") or "")


def _where(row) -> str:
    parts = []
    if _value(row, "page") is not None:
        parts.append(f"text p.{int(row['page'])}")
    if _table(row):
        table = _table(row)
        if _value(row, "table_page") is not None:
            table += f" p.{int(row['table_page'])}"
        parts.append(table)
    return ", ".join(parts)


# ---------------------------------------------------------------- HTML


def _warnings(report_dir: Path) -> list[dict]:
    return list((read_manifest(report_dir) or {}).get("warnings", []))


def _warning_groups(notes: list[dict]) -> list[tuple[str, list[dict]]]:
    """What is missing from the results first (pages, rows, tables, checks), then the other warnings."""
    missing = [n for n in notes if n.get("level") == "missing"]
    other = [n for n in notes if n.get("level") != "missing"]
    return [(f"Missing from the results ({len(missing)})", missing), (f"Other warnings ({len(other)})", other)]


def _warning_text(note: dict) -> str:
    page = f"p.{note['page']} " if note.get("page") else ""
    return f"{note.get('stage', '')}: {page}{note.get('message', '')}"


def _html(report_id: str, pdf: Path, claims, findings, attention, crops, notes: list[dict]) -> str:
    rest = _agreeing(findings)
    shown = [_html_finding(row, crops) for row in attention.to_dict("records")]
    return render("audit.html", report_id=report_id, pdf=str(pdf), summary=_summary(claims, findings),
                  warning_groups=_html_warning_groups(notes), by_kind=_by_kind_table(findings),
                  by_eye_title=_by_eye_title(), by_eye=[f for f in shown if f["verdict"] == BY_EYE],
                  attention=[f for f in shown if f["verdict"] != BY_EYE],
                  agreeing_count=len(rest), agreeing=_agreeing_table(rest))


def _by_eye_title() -> str:
    return f"{words('en')('audit.by_eye')} · {words('zh')('audit.by_eye')}"


def _agreeing(findings: pd.DataFrame) -> pd.DataFrame:
    return findings[~findings["verdict"].isin(ATTENTION)] if not findings.empty else findings


def _html_warning_groups(notes: list[dict]) -> list[dict]:
    return [{"title": title, "opened": group[0].get("level") == "missing", "texts": [_warning_text(n) for n in group]}
            for title, group in _warning_groups(notes) if group]


def _by_kind_table(findings: pd.DataFrame) -> Markup:
    """Findings counted by kind and verdict, as pandas writes the table (escaping its cells itself)."""
    kinds = _by_kind(findings)
    return Markup("" if kinds.empty else kinds.to_html(border=0))


def _agreeing_table(rest: pd.DataFrame) -> Markup:
    """The findings that need no look, one row each, as pandas writes the table (escaping its cells itself)."""
    if rest.empty:
        return Markup("")
    cols = ["finding_id", "kind", "verdict", "page", "table_no", "indicator", "year", "claim_value", "table_value", "explanation"]
    return Markup(rest[cols].to_html(index=False, border=0, na_rep=""))


def _html_finding(row: dict, crops: dict[str, bytes]) -> dict:
    """One finding that needs a look, as the texts audit.html shows (the template escapes them)."""
    fid = row["finding_id"]
    status = _value(row, "review_status")
    return {
        "id": fid, "verdict": row["verdict"], "verdict_words": row["verdict"].replace("_", " "), "kind": row["kind"],
        "where": _where(row),
        "claim_text": str(row["claim_text"]) if row.get("claim_text") else None,
        "table": _table(row), "indicator": str(row["indicator"]), "year": _value(row, "year") or "",
        "table_value": str(row.get("table_value") or ""),
        "explanation": str(row["explanation"]),
        "review_status": str(status) if status else "", "review_note": str(_value(row, "review_note") or ""),
        "figures": _figures(fid, crops),
    }


def _figures(fid: str, crops: dict[str, bytes]) -> list[dict]:
    """The evidence images of a finding, each as its caption and its PNG in base64 (audit.html holds them)."""
    return [{"label": label, "data": base64.b64encode(crops[f"{fid}-{suffix}"]).decode("ascii")}
            for suffix, label in EVIDENCE if crops.get(f"{fid}-{suffix}")]


# ---------------------------------------------------------------- Markdown


def _markdown(report_id: str, pdf: Path, claims, findings, attention, crops, notes: list[dict]) -> str:
    lines = [f"# Audit of {report_id}", "", f"Source: `{pdf}`", "", "## Summary", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in _summary(claims, findings)]
    for title, group in _warning_groups(notes):
        if group:
            lines += ["", f"**{title}**", ""] + [f"- {_warning_text(n)}" for n in group]
    by_eye = attention[attention["verdict"] == BY_EYE] if not attention.empty else attention
    for title, shown in ((_by_eye_title(), by_eye), ("Needs a look", attention.drop(by_eye.index))):
        if title == _by_eye_title() and shown.empty:
            continue
        lines += ["", f"## {title} ({len(shown)})", ""]
        lines += _markdown_findings(shown, crops)
    rest = _agreeing(findings)
    lines += [f"## Agreeing and unverifiable findings ({len(rest)})", "",
              "| finding | kind | verdict | page | table | indicator | year | explanation |", "|---|---|---|---|---|---|---|---|"]
    for row in rest.to_dict("records"):
        table = _table(row)
        page = int(row["page"]) if _value(row, "page") is not None else ""
        explanation = str(row["explanation"]).replace("|", "\\|")
        lines.append(f"| `{row['finding_id']}` | {row['kind']} | {row['verdict']} | {page} | {table} | "
                     f"{row['indicator'] or ''} | {_value(row, 'year') or ''} | {explanation} |")
    return "\n".join(lines) + "\n"


def _markdown_findings(shown: pd.DataFrame, crops: dict[str, bytes]) -> list[str]:
    lines: list[str] = []
    for row in shown.to_dict("records"):
        fid = row["finding_id"]
        lines.append(f"### {row['verdict'].replace('_', ' ')} · {row['kind']} · `{fid}` · {_where(row)}")
        lines.append("")
        if row.get("claim_text"):
            lines += [f"> {row['claim_text']}", ""]
        lines += [f"`{row['explanation']}`", ""]
        status = _value(row, "review_status")
        if status:
            lines += [f"Reviewed: **{status}** — {_value(row, 'review_note') or ''}", ""]
        for suffix, label in EVIDENCE:
            if f"{fid}-{suffix}" in crops:
                lines.append(f"![{label}]({IMAGE_DIR}/{fid}-{suffix}.png)")
        lines.append("")
    return lines
