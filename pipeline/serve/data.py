"""What the app reads: the output folder's vetreport.duckdb and its report folders.

The list of reports and the indicators across reports come from the store;
one report's findings, indicators, sections and cases come from its folder's
CSVs (what `vetreport run` and `vetreport audit` wrote), with the statuses of
its review.csv read at each request, so an edit shows at once; what a report's
files hold is prepared once (``Prepared``: the tables, sections and cases
rendered, the findings read) and again only when one of the files changes.
The store is opened read-only for one query at a time and closed; `vetreport
run` loads a copy and renames it over the store (runtime/store.py), so a query
never meets its lock (one that meets another writer's lock waits a little and
tries again). A damaged store, or a report file that cannot be read, is a
clear message at once (StoreUnavailable, ReportUnreadable), never retried.

A report id from a URL names a report only when it is the name of a folder
directly inside the output folder that holds a manifest.json: anything else
(``..``, an absolute path, a symlink leading out) is no report.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from ..diff import diff_reports, diff_view, load_indicators, table_kind
from ..template.periods import DEFAULT_KIND, kind_rank, period_kind, period_label
from ..words import DEFAULT, Words, words
from ..writers import manifest as manifest_file
from ..writers.audit import ATTENTION, EVIDENCE, IMAGE_DIR, Shown, attention_findings
from ..writers.frames import read_published
from ..writers.printed import printed_pages
from ..writers.review import REVIEW_FILE, overlay_review, read_review
from .links import finding_links, place_link
from .templating import render

STORE = "vetreport.duckdb"
LOCK_WAIT = 2.0  # seconds a query waits for another process that holds the store's write lock
PREPARED_KEPT = 64  # reports whose prepared pages are kept in memory
STORE_QUERIES = 4  # queries at once (DuckDB opening one file from many threads at once is much slower than in turn)
SHOWN_AS_PRINTED = ("survey_count",)  # a number column the report page shows as the CSV holds it
MAX_NAME = 255  # bytes: the longest file name (a longer report id or image name names no file)
PREPARED_FROM = ("manifest.json", "error.json", "findings.csv", "indicators.csv", "sections.csv", "cases.csv", IMAGE_DIR,
                 "claims.csv", "pages.csv")
BODY_FROM = ("indicators.csv", "sections.csv", "cases.csv", "pages.csv")  # what report_body.html shows
FINDING_COLUMNS = ("finding_id", "verdict")  # what a findings.csv must have to be shown
INDICATOR_COLUMNS = ("table_no", "table_title", "row_seq", "indicator", "year", "value_raw")


class StoreUnavailable(RuntimeError):
    """The store is not there (no `vetreport run` yet, or --no-store) or could not be read."""


class ReportUnreadable(RuntimeError):
    """A file of a report folder cannot be read (damaged, or not what `vetreport run` writes)."""


class Bodies:
    """The part of a report's page made from its tables, sections and cases, rendered once per language."""

    def __init__(self, tables: list[dict], sections: list[dict], cases: list[dict], printed: dict[int, str]):
        self.context = {"tables": tables, "sections": sections, "cases": cases}
        self.printed = printed
        self.rendered: dict[str, Markup] = {}

    def get(self, lang: str) -> Markup:
        if lang not in self.rendered:
            t = words(lang)
            self.rendered[lang] = Markup(render("report_body.html", t=t, lang=t.lang, shown=Shown(t, self.printed),
                                                **self.context))
        return self.rendered[lang]


@dataclass
class Prepared:
    """What one report's files hold, read once: shown on every request until one of the files changes."""

    manifest: dict
    error: dict | None
    findings: pd.DataFrame  # findings.csv as written, without the statuses of review.csv
    attention: list[dict]  # the findings that need a look, in the audit's order, with their images' names
    verdicts: dict[str, int]
    bodies: Bodies  # the appendix tables, sections and cases, rendered (once per language)
    printed: dict[int, str] = field(default_factory=dict)  # PDF page -> the number printed on it
    counts: dict[str, int] = field(default_factory=dict)

    def body(self, lang: str) -> Markup:
        return self.bodies.get(lang)

    def reasons(self, t: Words | None = None) -> list[str]:
        """Why the results are partial (none when they are not), in ``t``'s language when given."""
        return manifest_file.partial_reasons(self.manifest, t) if self.manifest.get("status") == "partial" else []

    @property
    def warnings(self) -> list[dict]:
        """The run's warnings, what is missing from the results first."""
        notes = [w for w in self.manifest.get("warnings") or [] if isinstance(w, dict)]
        return sorted(notes, key=lambda w: w.get("level") != "missing")


class Output:
    def __init__(self, root: Path, store_name: str = STORE):
        self.root = Path(root).resolve()
        self.store = self.root / store_name
        self._prepared: dict[Path, tuple[tuple, Prepared]] = {}
        self._about: dict[Path, tuple[tuple, dict]] = {}
        self._lock = threading.Lock()
        self._gate = threading.BoundedSemaphore(STORE_QUERIES)
        self._damaged: tuple[tuple, str] | None = None  # the store file found damaged, and why

    # ------------------------------------------------------------ report folders

    def report_dir(self, report_id: str) -> Path | None:
        """The folder of ``report_id``: a folder directly in the output folder with a manifest.json, else None."""
        if not _file_name(report_id):
            return None
        try:
            folder = (self.root / report_id).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if folder.parent != self.root or folder.name != report_id or not (folder / "manifest.json").is_file():
            return None
        return folder

    def image(self, report_id: str, name: str) -> Path | None:
        """An evidence image of the report's audit_images/, never a file outside it."""
        folder = self.report_dir(report_id)
        if folder is None or not _file_name(name) or not name.endswith(".png"):
            return None
        try:
            path = (folder / IMAGE_DIR / name).resolve()
            return path if path.parent == folder / IMAGE_DIR and path.is_file() else None
        except (OSError, RuntimeError):
            return None

    # ------------------------------------------------------------ the store

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        import duckdb

        try:
            stat = os.stat(self.store)
        except OSError:
            raise StoreUnavailable(f"no store at {self.store}: run `vetreport run` with --out {self.root}") from None
        version = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        damaged = self._damaged
        if damaged is not None and damaged[0] == version:  # the same damaged file: no need to open it again
            raise StoreUnavailable(damaged[1])
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                with self._gate, duckdb.connect(str(self.store), read_only=True) as con:
                    return con.execute(sql, params or []).df()
            except duckdb.CatalogException as exc:  # a table no report has given rows yet
                raise StoreUnavailable(f"{self.store}: {exc}") from exc
            except duckdb.Error as exc:
                if not _locked(exc):  # damaged: retrying cannot help
                    message = (f"{self.store} cannot be read (is it damaged? delete it and run `vetreport run` again "
                               f"with --out {self.root} to rebuild it): {_first_line(exc)}")
                    if not isinstance(exc, duckdb.BinderException | duckdb.ParserException):  # the file, not the query
                        self._damaged = (version, message)
                    raise StoreUnavailable(message) from None
                if time.monotonic() > deadline:
                    raise StoreUnavailable(f"{self.store} is locked by another process: {_first_line(exc)}") from None
                time.sleep(0.1)

    def columns(self, table: str) -> set[str]:
        rows = self.query("SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table])
        return set(rows["column_name"])

    # ------------------------------------------------------------ the reports page

    def reports(self, t: Words | None = None) -> list[dict]:
        """Every report in the store with its status, pages, counts of findings by verdict and not yet reviewed."""
        reports = self.query("SELECT report_id, status, pages, warnings, seconds, producer FROM reports ORDER BY report_id")
        try:
            marks = ", ".join("?" * len(ATTENTION))
            verdicts = self.query(f"SELECT report_id, finding_id, verdict FROM findings WHERE verdict IN ({marks})",
                                  list(ATTENTION))
        except StoreUnavailable:
            verdicts = pd.DataFrame(columns=["report_id", "finding_id", "verdict"])
        rows = []
        for report in reports.to_dict("records"):
            folder = self.report_dir(str(report["report_id"]))
            mine = verdicts[verdicts["report_id"] == report["report_id"]]
            reviews = read_review(folder / REVIEW_FILE)[0] if folder else {}
            rows.append({
                **{k: _plain(v) for k, v in report.items()},
                "mismatches": int((mine["verdict"] == "mismatch").sum()),
                "other_year": int((mine["verdict"] == "other_year_match").sum()),
                "uncertain": int((mine["verdict"] == "uncertain").sum()),
                "unreviewed": int(sum(not reviews.get(fid, ("", ""))[0] for fid in mine["finding_id"])),
                "run_date": _run_date(folder),
                "folder": folder is not None,
                **self.about(folder, t),
            })
        return rows

    def about(self, folder: Path | None, t: Words | None = None) -> dict:
        """What a report is (title, the district or school it is of, its year, scope) from its manifest.json, and
        why its results are partial; read again only when the manifest changes."""
        blank = {"title": "", "name": "", "scope": "", "year": None, "reasons": []}
        if folder is None:
            return blank
        try:
            stat = os.stat(folder / manifest_file.MANIFEST)
        except OSError:
            return blank
        key = (stat.st_ino, stat.st_size, stat.st_mtime_ns, t.lang if t else "")
        with self._lock:
            stamp, known = self._about.get(folder, (None, None))
        if stamp != key:
            manifest = manifest_file.read(folder) or {}
            report = manifest.get("report") if isinstance(manifest.get("report"), dict) else {}
            known = {**blank, **{k: report.get(k) or blank[k] for k in ("title", "name", "scope", "year")},
                     "reasons": manifest_file.partial_reasons(manifest, t) if manifest.get("status") == "partial" else []}
            with self._lock:
                self._about[folder] = (key, known)
        return known

    # ------------------------------------------------------------ one report

    def manifest(self, folder: Path) -> dict:
        try:
            return manifest_file.load(folder)
        except manifest_file.Unreadable as exc:
            raise ReportUnreadable(str(exc)) from None

    def error(self, folder: Path) -> dict | None:
        """error.json of a report that could not be read (stage, message, page), else None."""
        if not (folder / manifest_file.ERROR).is_file():
            return None
        try:
            return manifest_file.load(folder, manifest_file.ERROR)
        except manifest_file.Unreadable as exc:
            raise ReportUnreadable(str(exc)) from None

    def prepared(self, folder: Path) -> Prepared:
        """The report's files read and its tables rendered, once for each version of the files."""
        key = _stamps(folder)
        with self._lock:
            cached = self._prepared.get(folder)
        if cached is not None and cached[0] == key:
            return cached[1]
        same_body = cached is not None and _body_stamps(cached[0]) == _body_stamps(key)
        prepared = self._prepare(folder, cached[1].bodies if same_body else None)  # a review rewrote findings.csv alone
        with self._lock:
            self._prepared.pop(folder, None)
            self._prepared[folder] = (key, prepared)
            while len(self._prepared) > PREPARED_KEPT:  # the reports looked at least recently go first
                self._prepared.pop(next(iter(self._prepared)))
        return prepared

    def _prepare(self, folder: Path, bodies: Bodies | None = None) -> Prepared:
        """What the files hold; ``bodies``: the tables, sections and cases rendered already (their files unchanged)."""
        findings = self._raw_findings(folder)
        try:
            attention = self._attention(folder, findings)
            verdicts = {str(k): int(v) for k, v in findings["verdict"].value_counts().items()} if len(findings) else {}
            if bodies is None:
                bodies = Bodies(self.indicator_tables(folder), self.sections(folder), self.cases(folder),
                                printed_pages(folder))
                bodies.get(DEFAULT)
        except ReportUnreadable:
            raise
        except Exception as exc:  # a file of other columns or types than `vetreport run` writes
            raise ReportUnreadable(f"the files of {folder.name} cannot be shown ({type(exc).__name__}: "
                                   f"{_first_line(exc)}): are they what `vetreport run` writes?") from None
        return Prepared(self.manifest(folder), self.error(folder), findings, attention, verdicts, bodies, bodies.printed)

    def _raw_findings(self, folder: Path) -> pd.DataFrame:
        findings = read_csv(folder / "findings.csv")
        if len(findings.columns) and not all(c in findings for c in FINDING_COLUMNS):
            raise ReportUnreadable(f"{folder.name}/findings.csv has no {' / '.join(FINDING_COLUMNS)} column")
        return findings

    def findings(self, folder: Path) -> pd.DataFrame:
        """findings.csv with the statuses review.csv holds now."""
        findings = self.prepared(folder).findings
        if findings.empty:
            return findings
        return overlay_review(findings, read_review(folder / REVIEW_FILE)[0])

    def attention(self, folder: Path) -> list[dict]:
        """The findings that need a look, in the audit's order, with the statuses review.csv holds now."""
        reviews = read_review(folder / REVIEW_FILE)[0]
        return [{**row, "review_status": reviews.get(row["finding_id"], ("", ""))[0],
                 "review_note": reviews.get(row["finding_id"], ("", ""))[1]} for row in self.prepared(folder).attention]

    def summary(self, folder: Path) -> dict:
        """Counts of the report's findings by verdict and by review status (now)."""
        prepared = self.prepared(folder)
        if prepared.findings.empty:
            return {"findings": 0, "verdicts": {}, "reviewed": {}}
        reviews = read_review(folder / REVIEW_FILE)[0]
        statuses = Counter(reviews.get(fid, ("", ""))[0] or "open" for fid in prepared.findings["finding_id"])
        return {"findings": len(prepared.findings), "verdicts": prepared.verdicts,
                "reviewed": dict(statuses.most_common())}

    def _attention(self, folder: Path, findings: pd.DataFrame) -> list[dict]:
        """The findings that need a look, in the audit's order, each with its evidence images' names."""
        try:
            images = {p.name for p in (folder / IMAGE_DIR).iterdir()} if (folder / IMAGE_DIR).is_dir() else set()
        except OSError:
            images = set()
        claims, printed = self.claims_by_id(folder), self.printed_pages(folder)
        rows = []
        for row in attention_findings(findings).to_dict("records"):
            row = {k: _plain(v) for k, v in row.items()}
            row["links"] = finding_links(folder.name, row, claims.get(row.get("claim_id") or ""), printed)
            row["images"] = [(suffix, label, f"{row['finding_id']}-{suffix}.png")
                             for suffix, label in EVIDENCE
                             if f"{row['finding_id']}-{suffix}.png" in images]
            rows.append(row)
        return rows

    def indicator_tables(self, folder: Path) -> list[dict]:
        """indicators.csv as the report prints it: one table per 附表, a row per indicator, a column per period
        the table prints (2024, 2021届, 2020-2021学年: a 届 column and a 年 column of one year stay two)."""
        frame = read_csv(folder / "indicators.csv")
        if len(frame.columns) and not all(c in frame for c in INDICATOR_COLUMNS):
            raise ReportUnreadable(f"{folder.name}/indicators.csv has not the columns `vetreport run` writes "
                                   f"({', '.join(INDICATOR_COLUMNS)})")
        if frame.empty:
            return []
        printed = self.printed_pages(folder)
        frame["kind"] = [table_kind(row) for row in frame.to_dict("records")]
        frame["period_kind"] = [period_kind(k) for k in frame.get("period_kind", pd.Series("", index=frame.index))]
        tables = []
        for (table_no, kind), rows in frame.groupby(["table_no", "kind"], sort=False, dropna=False):
            periods = _periods(rows)
            body = []
            for _, cells in rows.groupby("row_seq", sort=True):
                first = cells.iloc[0]
                by_period = {(c["period_kind"], int(c["year"])): c["value_raw"] for _, c in cells.iterrows()}
                body.append({"serial": first["serial"], "indicator": first["indicator"], "parent": first["parent_indicator"],
                             "unit": first["unit"], "page": _plain(first["page"]),
                             "link": place_link(folder.name, _plain(first["page"]), printed),
                             "cells": [by_period.get(p, "") for p in periods],
                             "survey_count": first.get("survey_count", ""), "survey_method": first.get("survey_method", "")})
            surveys = any(r["survey_count"] or r["survey_method"] for r in body)
            tables.append({"table_no": _plain(table_no), "title": rows.iloc[0]["table_title"], "kind": kind,
                           "years": [period_label(year, period) for period, year in periods], "rows": body,
                           "surveys": surveys})
        return tables

    def printed_pages(self, folder: Path) -> dict[int, str]:
        """Physical page -> the page number printed on it (writers.printed)."""
        return printed_pages(folder)

    def sections(self, folder: Path) -> list[dict]:
        return _records(read_csv(folder / "sections.csv"), ["level", "number", "title", "page_start", "page_end"])

    def cases(self, folder: Path) -> list[dict]:
        cases = _records(read_csv(folder / "cases.csv"), ["case_no", "title", "chapter", "section", "page_start", "page_end",
                                                          "schools", "x0", "top", "x1", "bottom"])
        printed = self.printed_pages(folder)
        for case in cases:
            box = tuple(case.get(k) for k in ("x0", "top", "x1", "bottom"))
            case["link"] = place_link(folder.name, case.get("page_start"), printed, [box])
        return cases

    def claims_by_id(self, folder: Path) -> dict[str, dict]:
        """claims.csv's rows by claim_id: the page and the boxes of each finding's sentence and number."""
        frame = read_csv(folder / "claims.csv")
        if frame.empty or "claim_id" not in frame:
            return {}
        columns = [c for c in ("claim_id", "page", "printed_page", "x0", "top", "x1", "bottom", "sentence_x0",
                               "sentence_top", "sentence_x1", "sentence_bottom") if c in frame]
        return {str(r["claim_id"]): r for r in _records(frame, columns)}

    # ------------------------------------------------------------ compare, indicators across reports

    def compare(self, a: Path, b: Path, lang: str = DEFAULT) -> dict:
        first, second = load_indicators(a), load_indicators(b)
        return diff_view(first, second, diff_reports(first, second), None, lang)

    def indicator_choices(self) -> list[dict]:
        """Every (table kind, parent, indicator, unit) the store's reports hold, with how many reports hold it."""
        kind = self._kind_sql()
        rows = self.query(f"""
            SELECT {kind} AS kind, min(table_no) AS table_no, coalesce(parent_indicator, '') AS parent,
                   indicator, coalesce(unit, '') AS unit, count(DISTINCT report_id) AS reports
            FROM indicators JOIN reports USING (report_id) WHERE reports.status <> 'error'
            GROUP BY ALL ORDER BY min(table_no), kind, min(row_seq), parent, indicator, unit""")
        return [{k: _plain(v) for k, v in r.items()} for r in rows.to_dict("records")]

    def indicator_values(self, kind: str, indicator: str, parent: str) -> pd.DataFrame:
        """One indicator's cells in every report: report_id, period_kind, year, value, value_raw, unit, page and the
        number printed on it (the first occurrence of each column). period_kind is ``year`` for reports loaded before it existed."""
        kind_sql = self._kind_sql()
        period_sql = self._period_kind_sql()
        printed_sql = ("(SELECT any_value(printed_page) FROM pages WHERE pages.report_id = indicators.report_id "
                       "AND pages.page = indicators.page)" if "printed_page" in self.columns("pages") else "NULL")
        frame = self.query(f"""
            SELECT report_id, {period_sql} AS period_kind, year, value, value_raw, unit, page,
                   {printed_sql} AS printed_page,
                   row_number() OVER (PARTITION BY report_id, {period_sql}, year, unit ORDER BY row_seq) AS occurrence
            FROM indicators JOIN reports USING (report_id)
            WHERE reports.status <> 'error' AND {kind_sql} = ? AND indicator = ? AND coalesce(parent_indicator, '') = ?
            ORDER BY report_id, period_kind, year""", [kind, indicator, parent])
        return frame[frame["occurrence"] == 1].drop(columns="occurrence").reset_index(drop=True)

    def _kind_sql(self) -> str:
        if "table_kind" in self.columns("indicators"):
            return "coalesce(nullif(trim(table_kind), ''), table_title)"
        return "table_title"

    def _period_kind_sql(self) -> str:
        if "period_kind" in self.columns("indicators"):
            return f"coalesce(nullif(trim(period_kind), ''), '{DEFAULT_KIND}')"
        return f"'{DEFAULT_KIND}'"


def read_csv(path: Path) -> pd.DataFrame:
    """A report CSV read by column name; a missing or empty file is an empty frame; ReportUnreadable for one
    that is not CSV (ragged rows, binary)."""
    if not path.is_file():
        return pd.DataFrame()
    try:
        return read_published(path, also_text=SHOWN_AS_PRINTED)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ReportUnreadable(f"{path.parent.name}/{path.name} cannot be read ({type(exc).__name__}: "
                               f"{_first_line(exc)})") from None




def _stamps(folder: Path) -> tuple:
    """What changes when `vetreport run` or `vetreport audit` writes one of the files a report page shows."""
    stamps = []
    for name in PREPARED_FROM:
        try:
            stat = os.stat(folder / name)
            stamps.append((name, stat.st_ino, stat.st_size, stat.st_mtime_ns))
        except OSError:
            stamps.append((name, None))
    return tuple(stamps)


def _body_stamps(stamps: tuple) -> tuple:
    """The stamps of the files the rendered body (tables, sections, cases) is made from."""
    return tuple(stamp for stamp in stamps if stamp[0] in BODY_FROM)


def _file_name(name) -> bool:
    """A name that can be one file's directly inside a folder (no path, not . or .., at most 255 bytes of
    UTF-8, no lone surrogate)."""
    if not isinstance(name, str) or not name or name in (".", "..") or "/" in name or "\0" in name:
        return False
    try:
        return len(name.encode("utf-8")) <= MAX_NAME
    except UnicodeEncodeError:
        return False


def _locked(exc: BaseException) -> bool:
    """A DuckDB error that says another process holds the file's lock (the only one worth waiting for)."""
    return "could not set lock" in str(exc).lower()




def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def _periods(cells: pd.DataFrame) -> list[tuple[str, int]]:
    """The (period kind, year) columns of some indicators.csv rows: calendar years, then cohorts, then school years."""
    found = {(kind, int(year)) for kind, year in zip(cells["period_kind"], cells["year"]) if pd.notna(year)}
    return sorted(found, key=lambda p: (kind_rank(p[0]), p[1]))


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    if frame.empty:
        return []
    present = [c for c in columns if c in frame]
    return [{k: _plain(v) for k, v in r.items()} for r in frame[present].to_dict("records")]


def _plain(value):
    """Numpy and pandas scalars as Python values (JSON-ready), missing ones as None."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _run_date(folder: Path | None) -> str | None:
    """When the report's manifest.json was written (the run's end), local time."""
    if folder is None:
        return None
    try:
        stamp = (folder / "manifest.json").stat().st_mtime
    except OSError:
        return None
    return dt.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")


def json_finding(row: dict) -> dict:
    """A finding as the API answers it: plain values, the review status 'open' when it has none."""
    out = {k: _plain(v) for k, v in row.items() if k != "images"}
    out["review_status"] = out.get("review_status") or "open"
    return out

