"""What the app reads: the output folder's vetreport.duckdb and its report folders.

The list of reports and the indicators across reports come from the store;
one report's findings, indicators, sections and cases come from its folder's
CSVs (what `vetreport run` and `vetreport audit` wrote), with the statuses of
its review.csv read at each request, so an edit shows at once. The store is
opened read-only for one query at a time and closed, so `vetreport run` can
load it while the app is up (a query that meets the run's write lock waits
and tries again).

A report id from a URL names a report only when it is the name of a folder
directly inside the output folder that holds a manifest.json: anything else
(``..``, an absolute path, a symlink leading out) is no report.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pandas as pd

from ..diff import diff_reports, diff_view, load_indicators, table_kind
from ..template.periods import DEFAULT_KIND, kind_rank, period_kind, period_label
from ..writers.audit import ATTENTION, IMAGE_DIR, attention_findings
from ..writers.frames import read_published
from ..writers.review import REVIEW_FILE, overlay_review, read_review

STORE = "vetreport.duckdb"
LOCK_WAIT = 10.0  # seconds a query waits for a run that is writing the store
SHOWN_AS_PRINTED = ("survey_count",)  # a number column the report page shows as the CSV holds it


class StoreUnavailable(RuntimeError):
    """The store is not there (no `vetreport run` yet, or --no-store) or could not be read."""


class Output:
    def __init__(self, root: Path, store_name: str = STORE):
        self.root = Path(root).resolve()
        self.store = self.root / store_name

    # ------------------------------------------------------------ report folders

    def report_dir(self, report_id: str) -> Path | None:
        """The folder of ``report_id``: a folder directly in the output folder with a manifest.json, else None."""
        if not isinstance(report_id, str) or not report_id or report_id in (".", "..") or any(c in report_id for c in "/\\\0"):
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
        if folder is None or not name.endswith(".png") or name.startswith(".") or any(c in name for c in "/\\\0"):
            return None
        path = (folder / IMAGE_DIR / name).resolve()
        return path if path.parent == folder / IMAGE_DIR and path.is_file() else None

    # ------------------------------------------------------------ the store

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        import duckdb

        if not self.store.is_file():
            raise StoreUnavailable(f"no store at {self.store}: run `vetreport run` with --out {self.root}")
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                with duckdb.connect(str(self.store), read_only=True) as con:
                    return con.execute(sql, params or []).df()
            except duckdb.IOException as exc:  # a run holds the write lock while it loads reports
                if time.monotonic() > deadline:
                    raise StoreUnavailable(f"{self.store} cannot be read: {exc}") from exc
                time.sleep(0.2)
            except duckdb.CatalogException as exc:  # a table no report has given rows yet
                raise StoreUnavailable(f"{self.store}: {exc}") from exc

    def columns(self, table: str) -> set[str]:
        rows = self.query("SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table])
        return set(rows["column_name"])

    # ------------------------------------------------------------ the reports page

    def reports(self) -> list[dict]:
        """Every report in the store with its status, pages, counts of findings by verdict and not yet reviewed."""
        reports = self.query("SELECT report_id, status, pages, warnings, seconds, producer FROM reports ORDER BY report_id")
        try:
            verdicts = self.query("SELECT report_id, finding_id, verdict FROM findings WHERE verdict IN (?, ?, ?)", list(ATTENTION))
        except StoreUnavailable:
            verdicts = pd.DataFrame(columns=["report_id", "finding_id", "verdict"])
        rows = []
        for report in reports.to_dict("records"):
            folder = self.report_dir(report["report_id"])
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
            })
        return rows

    # ------------------------------------------------------------ one report

    def manifest(self, folder: Path) -> dict:
        return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))

    def error(self, folder: Path) -> dict | None:
        """error.json of a report that could not be read (stage, message, page), else None."""
        path = folder / "error.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    def findings(self, folder: Path) -> pd.DataFrame:
        """findings.csv with the statuses review.csv holds now."""
        findings = read_csv(folder / "findings.csv")
        if findings.empty:
            return findings
        return overlay_review(findings, read_review(folder / REVIEW_FILE)[0])

    def attention(self, folder: Path) -> list[dict]:
        """The findings that need a look, in the audit's order, each with its evidence images' names."""
        rows = []
        for row in attention_findings(self.findings(folder)).to_dict("records"):
            row = {k: _plain(v) for k, v in row.items()}
            row["images"] = [(suffix, label, f"{row['finding_id']}-{suffix}.png")
                             for suffix, label in (("text", "the sentence"), ("table", "the table cell"))
                             if (folder / IMAGE_DIR / f"{row['finding_id']}-{suffix}.png").is_file()]
            rows.append(row)
        return rows

    def indicator_tables(self, folder: Path) -> list[dict]:
        """indicators.csv as the report prints it: one table per 附表, a row per indicator, a column per period
        the table prints (2024, 2021届, 2020-2021学年: a 届 column and a 年 column of one year stay two)."""
        frame = read_csv(folder / "indicators.csv")
        if frame.empty:
            return []
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
                             "cells": [by_period.get(p, "") for p in periods],
                             "survey_count": first.get("survey_count", ""), "survey_method": first.get("survey_method", "")})
            surveys = any(r["survey_count"] or r["survey_method"] for r in body)
            tables.append({"table_no": _plain(table_no), "title": rows.iloc[0]["table_title"], "kind": kind,
                           "years": [period_label(year, period) for period, year in periods], "rows": body,
                           "surveys": surveys})
        return tables

    def sections(self, folder: Path) -> list[dict]:
        return _records(read_csv(folder / "sections.csv"), ["level", "number", "title", "page_start", "page_end"])

    def cases(self, folder: Path) -> list[dict]:
        return _records(read_csv(folder / "cases.csv"), ["case_no", "title", "chapter", "section", "page_start", "page_end", "schools"])

    # ------------------------------------------------------------ compare, indicators across reports

    def compare(self, a: Path, b: Path) -> dict:
        first, second = load_indicators(a), load_indicators(b)
        return diff_view(first, second, diff_reports(first, second), None)

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
        """One indicator's cells in every report: report_id, period_kind, year, value, value_raw, unit, page (the
        first occurrence of each column). period_kind is ``year`` for reports loaded before it existed."""
        kind_sql = self._kind_sql()
        period_sql = self._period_kind_sql()
        frame = self.query(f"""
            SELECT report_id, {period_sql} AS period_kind, year, value, value_raw, unit, page,
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
    """A report CSV read by column name; a missing or empty file is an empty frame."""
    if not path.is_file():
        return pd.DataFrame()
    try:
        return read_published(path, also_text=SHOWN_AS_PRINTED)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


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
    stamp = (folder / "manifest.json").stat().st_mtime
    return dt.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")


def report_summary(findings: pd.DataFrame) -> dict:
    """Counts of one report's findings by verdict and by review status."""
    if findings.empty:
        return {"findings": 0, "verdicts": {}, "reviewed": {}}
    statuses = findings["review_status"].replace("", "open").value_counts()
    return {"findings": len(findings), "verdicts": findings["verdict"].value_counts().to_dict(),
            "reviewed": {k: int(v) for k, v in statuses.items()}}


def json_finding(row: dict) -> dict:
    """A finding as the API answers it: plain values, the review status 'open' when it has none."""
    out = {k: _plain(v) for k, v in row.items() if k != "images"}
    out["review_status"] = out.get("review_status") or "open"
    return out

