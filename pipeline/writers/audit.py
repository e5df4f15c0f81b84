"""The audit report a person reads: audit.html (one self-contained file) and audit.md.

A summary (claims found and checked, verdicts), then every finding that needs
a look — mismatches, other-year matches, uncertain — with the sentence, the
table cell, the arithmetic, the pages, and images of both cropped from the
PDF; then the findings that agree, in one table.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .evidence import evidence_images
from .frames import read_published
from .manifest import read as read_manifest
from ..files import atomic_write_bytes, atomic_write_text
from ..records import Issue

STAGE = "audit"
ATTENTION = ("mismatch", "other_year_match", "uncertain")
VERDICT_ORDER = ("mismatch", "other_year_match", "uncertain", "unverifiable", "rounding_only", "approx_match", "match")
IMAGE_DIR = "audit_images"
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
    checked = findings["claim_id"].replace("", pd.NA).dropna().nunique() if not findings.empty else 0
    rows = [("claims found", str(len(claims))), ("claims checked against the tables or their own arithmetic", str(checked))]
    if not findings.empty:
        counts = findings["verdict"].value_counts()
        for verdict in VERDICT_ORDER:
            if verdict in counts:
                rows.append((verdict, str(int(counts[verdict]))))
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


CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em auto;max-width:1100px;color:#222}
h1{font-size:1.5em} h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0} td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top;font-size:.9em}
.finding{border:1px solid #ddd;border-left:6px solid #999;padding:.6em 1em;margin:1em 0}
.mismatch{border-left-color:#d62728}.other_year_match{border-left-color:#ff7f0e}.uncertain{border-left-color:#bcbd22}
.verdict{font-weight:bold;text-transform:uppercase;font-size:.85em}
.arith{font-family:monospace;background:#f6f6f6;padding:.3em .5em;display:block;margin:.4em 0}
.evidence{display:flex;gap:1em;flex-wrap:wrap}.evidence figure{margin:0}.evidence img{max-width:520px;border:1px solid #ccc}
figcaption{font-size:.8em;color:#666}.review{font-size:.85em;background:#eef;padding:.2em .4em}
"""


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
    e = html.escape
    out = [f"<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'><title>vetreport audit: {e(report_id)}</title>",
           f"<style>{CSS}</style></head><body>",
           f"<h1>Audit of {e(report_id)}</h1><p>Source: {e(str(pdf))}</p>", "<h2>Summary</h2><table>"]
    out += [f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in _summary(claims, findings)]
    out.append("</table>")
    for title, group in _warning_groups(notes):
        if group:
            items = "".join(f"<li>{e(_warning_text(n))}</li>" for n in group)
            opened = " open" if group[0].get("level") == "missing" else ""
            out.append(f"<details class='warnings'{opened}><summary>{e(title)}</summary><ul>{items}</ul></details>")
    kinds = _by_kind(findings)
    if not kinds.empty:
        out.append(kinds.to_html(border=0))
    out.append(f"<h2>Needs a look ({len(attention)})</h2>")
    for row in attention.to_dict("records"):
        out.append(_html_finding(row, crops))
    rest = findings[~findings["verdict"].isin(ATTENTION)] if not findings.empty else findings
    out.append(f"<h2>Agreeing and unverifiable findings ({len(rest)})</h2>")
    if not rest.empty:
        cols = ["finding_id", "kind", "verdict", "page", "table_no", "indicator", "year", "claim_value", "table_value", "explanation"]
        out.append(rest[cols].to_html(index=False, border=0, na_rep=""))
    out.append(
        "<script>window.addEventListener('load',function(){var im=document.images,ok=0;"
        "for(var i=0;i<im.length;i++){if(im[i].complete&&im[i].naturalWidth>0)ok++;}"
        "document.body.setAttribute('data-images-loaded',ok+'/'+im.length);});</script></body></html>")
    return "\n".join(out)


def _html_finding(row: dict, crops: dict[str, bytes]) -> str:
    e = html.escape
    fid = row["finding_id"]
    parts = [f"<div class='finding {e(row['verdict'])}' id='{e(fid)}'>",
             f"<div><span class='verdict'>{e(row['verdict'].replace('_', ' '))}</span> · {e(row['kind'])} · "
             f"<code>{e(fid)}</code> · {e(_where(row))}</div>"]
    if row.get("claim_text"):
        parts.append(f"<p>{e(str(row['claim_text']))}</p>")
    if _table(row):
        parts.append(f"<p>Table: {e(_table(row))} {e(str(row['indicator']))} ({_value(row, 'year') or ''}) = "
                     f"{e(str(row.get('table_value') or ''))}</p>")
    parts.append(f"<span class='arith'>{e(str(row['explanation']))}</span>")
    status = _value(row, "review_status")
    if status:
        parts.append(f"<span class='review'>reviewed: {e(str(status))} — {e(str(_value(row, 'review_note') or ''))}</span>")
    figures = []
    for suffix, label in EVIDENCE:
        png = crops.get(f"{fid}-{suffix}")
        if png:
            data = base64.b64encode(png).decode("ascii")
            figures.append(f"<figure><img alt='{label}' src='data:image/png;base64,{data}'><figcaption>{label}</figcaption></figure>")
    if figures:
        parts.append("<div class='evidence'>" + "".join(figures) + "</div>")
    parts.append("</div>")
    return "\n".join(parts)


# ---------------------------------------------------------------- Markdown


def _markdown(report_id: str, pdf: Path, claims, findings, attention, crops, notes: list[dict]) -> str:
    lines = [f"# Audit of {report_id}", "", f"Source: `{pdf}`", "", "## Summary", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in _summary(claims, findings)]
    for title, group in _warning_groups(notes):
        if group:
            lines += ["", f"**{title}**", ""] + [f"- {_warning_text(n)}" for n in group]
    lines += ["", f"## Needs a look ({len(attention)})", ""]
    for row in attention.to_dict("records"):
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
    rest = findings[~findings["verdict"].isin(ATTENTION)] if not findings.empty else findings
    lines += [f"## Agreeing and unverifiable findings ({len(rest)})", "",
              "| finding | kind | verdict | page | table | indicator | year | explanation |", "|---|---|---|---|---|---|---|---|"]
    for row in rest.to_dict("records"):
        table = _table(row)
        page = int(row["page"]) if _value(row, "page") is not None else ""
        explanation = str(row["explanation"]).replace("|", "\\|")
        lines.append(f"| `{row['finding_id']}` | {row['kind']} | {row['verdict']} | {page} | {table} | "
                     f"{row['indicator'] or ''} | {_value(row, 'year') or ''} | {explanation} |")
    return "\n".join(lines) + "\n"
