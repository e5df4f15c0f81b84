"""The run's records in one embedded DuckDB database, so questions across reports and years are SQL.

Tables: ``reports`` (one row per report: input sha256, producer, pages,
status, seconds), ``stages`` (per-stage status and timings), ``warnings``,
and one table per CSV of the report folders (indicators, sections, cases,
tables, table_cells, toc, validation, and claims or findings when a folder
has them), each with a report_id column. Column types come from the
Parquet files written beside the CSVs. Loading a report replaces its rows;
a report whose manifest is unchanged since it was loaded is left as it is.
Only the batch's parent process writes, after its reports finish.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb

from .batch import read_manifest
from .publish import report_csvs

META_TABLES = {
    "reports": """CREATE TABLE IF NOT EXISTS reports (
        report_id VARCHAR PRIMARY KEY, input VARCHAR, sha256 VARCHAR, producer VARCHAR, creator VARCHAR,
        pages BIGINT, package_version VARCHAR, status VARCHAR, seconds DOUBLE, warnings BIGINT,
        error_stage VARCHAR, error_message VARCHAR, manifest_sha256 VARCHAR)""",
    "stages": """CREATE TABLE IF NOT EXISTS stages (
        report_id VARCHAR, stage VARCHAR, status VARCHAR, seconds DOUBLE, message VARCHAR, page BIGINT)""",
    "warnings": """CREATE TABLE IF NOT EXISTS warnings (
        report_id VARCHAR, stage VARCHAR, level VARCHAR, page BIGINT, message VARCHAR)""",
}
TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    for ddl in META_TABLES.values():
        con.execute(ddl)
    return con


def load_reports(db_path: Path, out_dirs: list[Path]) -> list[str]:
    """Load each report folder into the database; returns the ids (re)loaded."""
    loaded = []
    with connect(db_path) as con:
        for out_dir in out_dirs:
            manifest_bytes = _manifest_bytes(out_dir)
            if manifest_bytes is None:
                continue
            digest = hashlib.sha256(manifest_bytes).hexdigest()
            if _stored_manifest_sha(con, out_dir.name) == digest:
                continue
            load_report(con, out_dir, digest)
            loaded.append(out_dir.name)
    return loaded


def _manifest_bytes(out_dir: Path) -> bytes | None:
    try:
        return (out_dir / "manifest.json").read_bytes()
    except OSError:
        return None


def _stored_manifest_sha(con, report_id: str) -> str | None:
    row = con.execute("SELECT manifest_sha256 FROM reports WHERE report_id = ?", [report_id]).fetchone()
    return row[0] if row else None


def load_report(con: duckdb.DuckDBPyConnection, out_dir: Path, manifest_sha: str) -> None:
    """Replace one report's rows in every table, in one transaction."""
    report_id = out_dir.name
    manifest = read_manifest(out_dir) or {}
    con.execute("BEGIN TRANSACTION")
    try:
        for table in _tables_with_report_id(con):
            con.execute(f'DELETE FROM "{table}" WHERE report_id = ?', [report_id])
        _insert_manifest(con, report_id, manifest, manifest_sha)
        if manifest.get("status") != "error":
            for csv_path in report_csvs(out_dir):
                parquet = csv_path.with_suffix(".parquet")
                if parquet.is_file() and TABLE_NAME.match(csv_path.stem):
                    _insert_records(con, csv_path.stem, report_id, parquet)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _tables_with_report_id(con) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'main' AND column_name = 'report_id'"
    ).fetchall()
    return sorted(r[0] for r in rows)


def _insert_manifest(con, report_id: str, manifest: dict, manifest_sha: str) -> None:
    stages = manifest.get("stages") or []
    failed = next((s for s in stages if s.get("status") == "failed"), None) if manifest.get("status") == "error" else None
    con.execute(
        "INSERT INTO reports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [report_id, manifest.get("input"), manifest.get("sha256"), manifest.get("producer"), manifest.get("creator"),
         manifest.get("pages"), manifest.get("package_version"), manifest.get("status"),
         round(sum(s.get("seconds", 0.0) for s in stages), 3), len(manifest.get("warnings") or []),
         failed.get("name") if failed else None, failed.get("message") if failed else None, manifest_sha],
    )
    if stages:
        con.executemany("INSERT INTO stages VALUES (?, ?, ?, ?, ?, ?)", [
            [report_id, s.get("name"), s.get("status"), s.get("seconds"), s.get("message"), s.get("page")] for s in stages
        ])
    warnings = manifest.get("warnings") or []
    if warnings:
        con.executemany("INSERT INTO warnings VALUES (?, ?, ?, ?, ?)", [
            [report_id, w.get("stage"), w.get("level"), w.get("page"), w.get("message")] for w in warnings
        ])


def _insert_records(con, table: str, report_id: str, parquet: Path) -> None:
    """Rows of one Parquet file, report_id first; the table is created, or widened, to fit."""
    source = "SELECT ? AS report_id, * EXCLUDE (report_id) FROM read_parquet(?)"
    columns = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(parquet)]).fetchall()]
    if "report_id" not in columns:
        source = "SELECT ? AS report_id, * FROM read_parquet(?)"
    params = [report_id, str(parquet)]
    existing = _table_columns(con, table)
    if not existing:
        con.execute(f'CREATE TABLE "{table}" AS {source}', params)
        return
    incoming = con.execute(f"DESCRIBE {source}", params).fetchall()
    for name, sql_type, *_ in incoming:
        if name not in existing:
            con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {sql_type}')
    con.execute(f'INSERT INTO "{table}" BY NAME {source}', params)


def _table_columns(con, table: str) -> set[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ?", [table]
    ).fetchall()
    return {r[0] for r in rows}
