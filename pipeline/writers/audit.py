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
from ..words import DEFAULT, Words, explanation_text, warning_text, words
from .evidence import evidence_images
from .frames import read_published
from .html import blank, render
from .manifest import read as read_manifest
from .printed import printed_of, printed_pages
from .review import typed_note

STAGE = "audit"
# values read by OCR that are in doubt come first: every other verdict about them waits on a person's reading
ATTENTION = ("unreadable", "mismatch", "other_year_match", "uncertain")
VERDICT_ORDER = ("unreadable", "mismatch", "other_year_match", "uncertain", "unverifiable", "rounding_only", "approx_match",
                 "match")
KIND_ORDER = ("direct", "per_school_average", "ratio", "sum", "count", "table_internal", "cross_table", "year_broken",
              "year_over_year")  # reconcile.KINDS, the order of findings.csv's rows
BY_EYE = "unreadable"
IMAGE_DIR = "audit_images"
AUDIT_LOCK = ".audit.lock"
EVIDENCE = (("text", "evidence.text"), ("table", "evidence.table"), ("other", "evidence.other"))  # (suffix, word key)
AGREEING_COLUMNS = ("finding_id", "kind", "verdict", "page", "table_no", "indicator", "year", "claim_value", "table_value",
                    "explanation")


@dataclass
class Audit:
    html_path: Path
    md_path: Path
    images: int
    issues: list[Issue] = field(default_factory=list)


def write_audit(report_dir: Path, pdf: Path, frames: dict[str, pd.DataFrame], password: str | None = None,
                render_from: Path | None = None, warnings: list | None = None, lang: str = DEFAULT) -> Audit:
    """``render_from``: the file the pages were read from when it is not ``pdf`` (a repaired or turned copy),
    so the evidence images are cut where the records' boxes are. ``warnings``: the run's warnings (Issue
    records or their manifest dicts); None reads them from the folder's manifest.json. ``lang``: the
    language audit.html and audit.md are written in (zh, or en)."""
    report_dir = Path(report_dir)
    notes = _warnings(report_dir) if warnings is None else [w.as_dict() if isinstance(w, Issue) else w for w in warnings]
    findings = frames.get("findings", pd.DataFrame())
    claims = frames.get("claims", pd.DataFrame())
    attention = attention_findings(findings)
    tables, cells = _table_frames(report_dir, frames)
    crops, issues = evidence_images(Path(render_from or pdf), attention, claims, tables, cells, password)
    shown = Shown(words(lang), _printed_pages(report_dir, frames))
    html_text = _html(shown, report_dir.name, pdf, claims, findings, attention, crops, notes)
    md_text = _markdown(shown, report_dir.name, pdf, claims, findings, attention, crops, notes)
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


def report_lang(report_dir: Path) -> str:
    """The language the report was run in (manifest.json's options hold one other than the default)."""
    options = (read_manifest(Path(report_dir)) or {}).get("options") or {}
    return str(options.get("lang") or DEFAULT)


def redraw_audit(report_dir: Path, pdf: Path, password: str | None = None, lang: str | None = None) -> Audit:
    """audit.html and audit.md drawn again from the folder's claims.csv and findings.csv (as `vetreport audit` and
    a review in `vetreport serve` do), one writer at a time (an flock on .audit.lock beside them); in ``lang``,
    else in the language the report was run in."""
    report_dir = Path(report_dir)
    with open(report_dir / AUDIT_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            frames = {name: read_published(report_dir / f"{name}.csv", empty_text=name == "findings")
                      for name in ("claims", "findings") if (report_dir / f"{name}.csv").is_file()}
            if "review_note" in frames.get("findings", ()):  # the notes as typed (findings.csv guards formulas)
                frames["findings"]["review_note"] = frames["findings"]["review_note"].map(typed_note)
            return write_audit(report_dir, pdf, frames, password, lang=lang or report_lang(report_dir))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _printed_pages(report_dir: Path, frames: dict[str, pd.DataFrame] | None = None) -> dict[int, str]:
    """PDF page -> the number printed on it: the run's pages frame when it has one, else the folder's pages.csv."""
    pages = (frames or {}).get("pages")
    if pages is None:
        return printed_pages(report_dir)
    return printed_of(zip(pages["page"], pages["printed_page"])) if {"page", "printed_page"} <= set(pages) else {}


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


@dataclass(frozen=True)
class Shown:
    """How the audit shows things: its words (one language) and the pages as the report prints them."""

    t: Words
    printed: dict[int, str]

    def page(self, page) -> str:
        if blank(page) == "":
            return ""
        return self.t.page(int(page), self.printed.get(int(page)))

    def pages(self, start, end) -> str:
        """A page range as the report prints it: 第5–7页（PDF第10–12页）; one page when it starts and ends there."""
        if blank(start) == "" or blank(end) == "" or int(start) == int(end):
            return self.page(start if blank(start) != "" else end)
        first, last = int(start), int(end)
        printed = (self.printed.get(first), self.printed.get(last))
        if all(printed):
            return self.t("page.both", printed=f"{printed[0]}–{printed[1]}", page=f"{first}–{last}")
        return self.t("page.pdf", page=f"{first}–{last}")

    def table(self, row) -> str:
        """附表N as the report numbers it, else the table's kind, else the body table counted (图表5); empty for
        findings about the text alone."""
        if _value(row, "table_no") is not None:
            return f"附表{int(row['table_no'])}"
        return str(_value(row, "table_kind") or _value(row, "table_id") or "")

    def where(self, row) -> str:
        """The sentence's page and the table's: a check inside the tables (no sentence) names its table's page."""
        parts = []
        about_text = bool(_value(row, "claim_id"))
        if about_text and _value(row, "page") is not None:
            parts.append(self.t("audit.where.text", page=self.page(row["page"])))
        table = self.table(row)
        table_page = _value(row, "table_page") if about_text else (_value(row, "table_page") or _value(row, "page"))
        if table:
            parts.append(f"{table} {self.page(table_page)}".strip())
        elif not about_text and table_page is not None:
            parts.append(self.page(table_page))
        return self.t("audit.where.join").join(parts)

    def review(self, status) -> str:
        return self.t(f"review.{status}") if status and self.t.has(f"review.{status}") else blank(status)


# ---------------------------------------------------------------- summary


def _summary(t: Words, claims: pd.DataFrame, findings: pd.DataFrame) -> list[tuple[str, str]]:
    """Counts that add up: the findings about claims and those of the tables' own checks make all the findings,
    and so do the findings of each verdict (a claim checked twice has two findings)."""
    about_claims = findings["claim_id"].replace("", pd.NA).dropna() if not findings.empty else pd.Series(dtype=str)
    rows = [(t("audit.summary.claims"), str(len(claims))),
            (t("audit.summary.checked"), str(about_claims.nunique())),
            (t("audit.summary.about_claims"), str(len(about_claims))),
            (t("audit.summary.tables_own"), str(len(findings) - len(about_claims))),
            (t("audit.summary.all"), str(len(findings)))]
    if not findings.empty:
        counts = findings["verdict"].value_counts()
        for verdict in _verdicts(findings):
            rows.append((t("audit.summary.verdict", verdict=t.verdict(verdict)), str(int(counts[verdict]))))
        reviewed = findings["review_status"].fillna("").value_counts() if "review_status" in findings else {}
        for status in ("confirmed", "dismissed"):
            if status in reviewed:
                rows.append((t("audit.summary.reviewed", status=t(f"review.{status}")), str(int(reviewed[status]))))
    return rows


def _verdicts(findings: pd.DataFrame) -> list[str]:
    """The verdicts the findings hold, in the audit's order (one it does not know, after them)."""
    found = [str(v) for v in findings["verdict"].dropna().unique()] if not findings.empty else []
    return [v for v in VERDICT_ORDER if v in found] + sorted(v for v in found if v not in VERDICT_ORDER)


def _kinds(findings: pd.DataFrame) -> list[str]:
    found = [str(v) for v in findings["kind"].dropna().unique()] if not findings.empty else []
    return [k for k in KIND_ORDER if k in found] + sorted(k for k in found if k not in KIND_ORDER)


def _legend(t: Words, findings: pd.DataFrame) -> list[dict]:
    """What each verdict and kind of these findings means, in words."""
    return [{"title": t("audit.legend.verdicts"), "rows": t.legend("verdict", _verdicts(findings))},
            {"title": t("audit.legend.kinds"), "rows": t.legend("kind", _kinds(findings))}] if not findings.empty else []


def _by_kind(t: Words, findings: pd.DataFrame) -> pd.DataFrame:
    """Findings counted by kind (rows) and verdict (columns), both in words."""
    if findings.empty:
        return pd.DataFrame()
    counts = findings.pivot_table(index="kind", columns="verdict", values="finding_id", aggfunc="count", fill_value=0)
    counts = counts.reindex(index=_kinds(findings), columns=_verdicts(findings), fill_value=0)
    counts.index = [t.kind(k) for k in counts.index]
    counts.columns = [t.verdict(v) for v in counts.columns]
    counts.index.name, counts.columns.name = t("audit.col.kind"), t("audit.col.verdict")
    return counts


# ---------------------------------------------------------------- HTML


def _warnings(report_dir: Path) -> list[dict]:
    return list((read_manifest(report_dir) or {}).get("warnings", []))


def _warning_groups(t: Words, notes: list[dict]) -> list[tuple[str, list[dict]]]:
    """What is missing from the results first (pages, rows, tables, checks), then the other warnings."""
    missing = [n for n in notes if n.get("level") == "missing"]
    other = [n for n in notes if n.get("level") != "missing"]
    return [(t("audit.warnings.missing", n=len(missing)), missing), (t("audit.warnings.other", n=len(other)), other)]


def _warning_text(shown: Shown, note: dict) -> str:
    t = shown.t
    stage = str(note.get("stage") or "")
    page = f"{shown.page(note['page'])} " if note.get("page") else ""
    return t("audit.warning", stage=t.get(f"stage.{stage}", stage), page=page, message=warning_text(note, t))


def _html(shown: Shown, report_id: str, pdf: Path, claims, findings, attention, crops, notes: list[dict]) -> str:
    rest = _agreeing(findings)
    t = shown.t
    blocks = [_html_finding(shown, row, crops) for row in attention.to_dict("records")]
    return render("audit.html", t=t, lang=t.lang, report_id=report_id, pdf=str(pdf), summary=_summary(t, claims, findings),
                  warning_groups=_html_warning_groups(shown, notes), by_kind=_by_kind_table(t, findings),
                  legend=_legend(t, findings),
                  by_eye=[f for f in blocks if f["verdict"] == BY_EYE], attention=[f for f in blocks if f["verdict"] != BY_EYE],
                  agreeing_count=len(rest), agreeing=_agreeing_table(shown, rest))


def _agreeing(findings: pd.DataFrame) -> pd.DataFrame:
    return findings[~findings["verdict"].isin(ATTENTION)] if not findings.empty else findings


def _html_warning_groups(shown: Shown, notes: list[dict]) -> list[dict]:
    return [{"title": title, "opened": group[0].get("level") == "missing", "texts": [_warning_text(shown, n) for n in group]}
            for title, group in _warning_groups(shown.t, notes) if group]


def _by_kind_table(t: Words, findings: pd.DataFrame) -> Markup:
    """Findings counted by kind and verdict, as pandas writes the table (escaping its cells itself)."""
    kinds = _by_kind(t, findings)
    return Markup("" if kinds.empty else kinds.to_html(border=0))


def _agreeing_rows(shown: Shown, rest: pd.DataFrame) -> pd.DataFrame:
    """The findings that need no look, one row each, in words: verdicts and kinds named, pages as printed, empty
    cells empty."""
    t = shown.t
    rows = []
    for row in rest.to_dict("records"):
        cells = {name: blank(_value(row, name)) for name in AGREEING_COLUMNS}
        cells.update(kind=t.kind(cells["kind"]), verdict=t.verdict(cells["verdict"]), page=shown.where(row),
                     explanation=explanation_text(row, t),
                     table_no=shown.table(row), year=_year(row))
        rows.append(cells)
    frame = pd.DataFrame(rows, columns=list(AGREEING_COLUMNS))
    return frame.rename(columns={name: t(f"audit.col.{name}") for name in AGREEING_COLUMNS})


def _year(row) -> str:
    year = _value(row, "year")
    return "" if year is None else str(int(float(year))) if str(year).replace(".", "", 1).isdigit() else str(year)


def _agreeing_table(shown: Shown, rest: pd.DataFrame) -> Markup:
    """The findings that need no look, one row each, as pandas writes the table (escaping its cells itself)."""
    if rest.empty:
        return Markup("")
    return Markup(_agreeing_rows(shown, rest).to_html(index=False, border=0, na_rep=""))


def _html_finding(shown: Shown, row: dict, crops: dict[str, bytes]) -> dict:
    """One finding that needs a look, as the texts audit.html shows (the template escapes them)."""
    t = shown.t
    fid = row["finding_id"]
    status = _value(row, "review_status")
    return {
        "id": fid, "verdict": row["verdict"], "verdict_words": t.verdict(row["verdict"]), "kind": t.kind(row["kind"]),
        "where": shown.where(row),
        "claim_text": str(row["claim_text"]) if row.get("claim_text") and _value(row, "claim_text") is not None else None,
        "table": shown.table(row), "indicator": blank(_value(row, "indicator")), "year": _year(row),
        "table_value": blank(_value(row, "table_value")),
        "explanation": explanation_text(row, t),
        "review_status": shown.review(status) if status else "", "review_note": blank(_value(row, "review_note")),
        "figures": _figures(t, fid, crops),
    }


def _figures(t: Words, fid: str, crops: dict[str, bytes]) -> list[dict]:
    """The evidence images of a finding, each as its caption and its PNG in base64 (audit.html holds them)."""
    return [{"label": t(key), "data": base64.b64encode(crops[f"{fid}-{suffix}"]).decode("ascii")}
            for suffix, key in EVIDENCE if crops.get(f"{fid}-{suffix}")]


# ---------------------------------------------------------------- Markdown


def _md(text) -> str:
    return blank(text).replace("|", "\\|").replace("\n", " ")


def _markdown(shown: Shown, report_id: str, pdf: Path, claims, findings, attention, crops, notes: list[dict]) -> str:
    t = shown.t
    lines = [f"# {t('audit.title', report_id=report_id)}", "", t("audit.source", pdf=f"`{pdf}`"), "",
             f"## {t('audit.summary')}", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in _summary(t, claims, findings)]
    for title, group in _warning_groups(t, notes):
        if group:
            lines += ["", f"**{title}**", ""] + [f"- {_warning_text(shown, n)}" for n in group]
    for part in _legend(t, findings):
        lines += ["", f"**{part['title']}**", ""] + [f"- **{word}**: {help_text}" for _, word, help_text in part["rows"]]
    by_eye = attention[attention["verdict"] == BY_EYE] if not attention.empty else attention
    if not by_eye.empty:
        lines += ["", f"## {t('audit.by_eye')} ({len(by_eye)})", ""]
        for row in by_eye.to_dict("records"):
            lines += _md_finding(shown, row, crops)
    attention = attention.drop(by_eye.index)
    lines += ["", f"## {t('audit.attention', n=len(attention))}", ""]
    for row in attention.to_dict("records"):
        lines += _md_finding(shown, row, crops)
    rest = _agreeing(findings)
    lines += ["", f"## {t('audit.agreeing', n=len(rest))}", ""]
    if not rest.empty:
        table = _agreeing_rows(shown, rest)
        lines += ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
        lines += ["| " + " | ".join(_md(v) for v in values) + " |" for values in table.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def _md_finding(shown: Shown, row: dict, crops: dict[str, bytes]) -> list[str]:
    t = shown.t
    fid = row["finding_id"]
    lines = [f"### {t.verdict(row['verdict'])} · {t.kind(row['kind'])} · `{fid}` · {shown.where(row)}", ""]
    if _value(row, "claim_text") is not None and row.get("claim_text"):
        lines += [f"> {row['claim_text']}", ""]
    lines += [f"`{explanation_text(row, t)}`", ""]
    status = _value(row, "review_status")
    if status:
        lines += [t("audit.reviewed", status=f"**{shown.review(status)}**", note=blank(_value(row, "review_note"))), ""]
    for suffix, key in EVIDENCE:
        if f"{fid}-{suffix}" in crops:
            lines.append(f"![{t(key)}]({IMAGE_DIR}/{fid}-{suffix}.png)")
    lines.append("")
    return lines
