"""The run's records in one embedded DuckDB database, so questions across reports and years are SQL.

Tables: ``reports`` (one row per report: input sha256, producer, pages,
status, seconds), ``stages`` (per-stage status and timings), ``warnings``,
and one table per CSV of the report folders (indicators, sections, cases,
tables, table_cells, toc, validation, and claims or findings when a folder
has them), each with a report_id column and the column types of
``template/fields.csv`` (as the Parquet files). Loading a report replaces its
rows; a report folder unchanged since it was loaded (same manifest, same CSV
files) is left as it is. Only the batch's parent process writes, after its
reports finish.

Readers (``vetreport serve``, scripts) are never locked out and never lock a
run out: a run loads a copy of the store (``.vetreport.duckdb.<pid>.tmp``
beside it) and renames the copy over the store once it is complete, so a
reader sees the store before or after the run, whole. Two runs take turns
through ``.vetreport.duckdb.lock`` (an flock); a run waits up to ``wait``
seconds for it, and for a process that holds DuckDB's own write lock on the
store, then gives up with StoreBusy (the reports' files are written either way).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from ..words import word
from ..writers.manifest import failed_stage
from ..writers.manifest import read as read_manifest
from ..writers.publish import read_typed_csv, report_csvs

META_TABLES = {
    "reports": """CREATE TABLE IF NOT EXISTS reports (
        report_id VARCHAR PRIMARY KEY, input VARCHAR, sha256 VARCHAR, producer VARCHAR, creator VARCHAR,
        pages BIGINT, package_version VARCHAR, status VARCHAR, seconds DOUBLE, warnings BIGINT,
        error_stage VARCHAR, error_message VARCHAR, fingerprint VARCHAR)""",
    "stages": """CREATE TABLE IF NOT EXISTS stages (
        report_id VARCHAR, stage VARCHAR, status VARCHAR, seconds DOUBLE, message VARCHAR, page BIGINT)""",
    "warnings": """CREATE TABLE IF NOT EXISTS warnings (
        report_id VARCHAR, stage VARCHAR, level VARCHAR, page BIGINT, message VARCHAR)""",
}
TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
WAIT = 120.0  # seconds a run waits for another run (or a writer) to let go of the store


class StoreBusy(RuntimeError):
    """Another process kept the store locked for longer than the run waits."""


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    for ddl in META_TABLES.values():
        con.execute(ddl)
    return con


def load_reports(db_path: Path, out_dirs: list[Path], wait: float = WAIT,
                 waiting: Callable[[dict], None] | None = None) -> list[str]:
    """Load each report folder into the database; returns the ids (re)loaded. The store is changed in a copy
    renamed over it (readers see it whole, before or after); StoreBusy when it stays locked ``wait`` seconds."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    with _writer_turn(db_path, deadline, waiting):
        work = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
        _remove(work)
        try:
            _copy_store(db_path, work, deadline, waiting)
            loaded = []
            with connect(work) as con:
                for out_dir in out_dirs:
                    fingerprint = folder_fingerprint(out_dir)
                    if fingerprint is None or _stored_fingerprint(con, out_dir.name) == fingerprint:
                        continue
                    load_report(con, out_dir, fingerprint)
                    loaded.append(out_dir.name)
                con.execute("CHECKPOINT")
            if loaded or not db_path.exists():
                with open(work, "rb+") as fh:
                    os.fsync(fh.fileno())
                os.replace(work, db_path)
                _remove(Path(f"{db_path}.wal"))  # replayed into the copy already
            return loaded
        finally:
            _remove(work)


@contextmanager
def _writer_turn(db_path: Path, deadline: float, waiting: Callable[[dict], None] | None):
    """One run at a time changes the store: an exclusive flock on .<store>.lock beside it, waited for."""
    lock_path = db_path.with_name(f".{db_path.name}.lock")
    with open(lock_path, "a") as lock:
        said = False
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreBusy(f"another `vetreport run` kept {db_path} locked ({lock_path.name}) for as long as "
                                    "this run waits") from None
                if waiting and not said:
                    waiting(word("store.wait_run", store=str(db_path)))
                    said = True
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _copy_store(db_path: Path, work: Path, deadline: float, waiting: Callable[[dict], None] | None) -> None:
    """The store (and a write-ahead log left beside it) copied to ``work``, while DuckDB's shared lock on it is
    held: a process writing it directly (holding the write lock) is waited for, readers are not."""
    if not db_path.exists():
        return
    said = False
    while True:
        try:
            with duckdb.connect(str(db_path), read_only=True):
                shutil.copyfile(db_path, work)
                if Path(f"{db_path}.wal").exists():
                    shutil.copyfile(f"{db_path}.wal", f"{work}.wal")
            return
        except duckdb.IOException as exc:
            if "could not set lock" not in str(exc).lower():
                raise
            if time.monotonic() > deadline:
                raise StoreBusy(f"{db_path} stayed locked by another process: {str(exc).splitlines()[0]}") from None
            if waiting and not said:
                waiting(word("store.wait_lock", store=str(db_path)))
                said = True
            time.sleep(0.2)


def _remove(path: Path) -> None:
    for p in (path, Path(f"{path}.wal")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def folder_fingerprint(out_dir: Path) -> str | None:
    """Changes whenever the manifest or any CSV of the folder does; None for a folder without a manifest."""
    try:
        digest = hashlib.sha256((out_dir / "manifest.json").read_bytes())
    except OSError:
        return None
    for path in report_csvs(out_dir):
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def _stored_fingerprint(con, report_id: str) -> str | None:
    row = con.execute("SELECT fingerprint FROM reports WHERE report_id = ?", [report_id]).fetchone()
    return row[0] if row else None


def load_report(con: duckdb.DuckDBPyConnection, out_dir: Path, fingerprint: str) -> None:
    """Replace one report's rows in every table, in one transaction."""
    report_id = out_dir.name
    manifest = read_manifest(out_dir) or {}
    con.execute("BEGIN TRANSACTION")
    try:
        for table in _tables_with_report_id(con):
            con.execute(f'DELETE FROM "{table}" WHERE report_id = ?', [report_id])
        _insert_manifest(con, report_id, manifest, fingerprint)
        if manifest.get("status") != "error":
            for csv_path in report_csvs(out_dir):
                if TABLE_NAME.match(csv_path.stem) and csv_path.stem not in META_TABLES:
                    _insert_records(con, csv_path.stem, report_id, read_typed_csv(csv_path))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _tables_with_report_id(con) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'main' AND column_name = 'report_id'"
    ).fetchall()
    return sorted(r[0] for r in rows)


def _insert_manifest(con, report_id: str, manifest: dict, fingerprint: str) -> None:
    stages = manifest.get("stages") or []
    failed = failed_stage(manifest)
    con.execute(
        "INSERT INTO reports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [report_id, manifest.get("input"), manifest.get("sha256"), manifest.get("producer"), manifest.get("creator"),
         manifest.get("pages"), manifest.get("package_version"), manifest.get("status"),
         round(sum(s.get("seconds", 0.0) for s in stages), 3), len(manifest.get("warnings") or []),
         failed.get("name") if failed else None, failed.get("message") if failed else None, fingerprint],
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


def _insert_records(con, table: str, report_id: str, records: pa.Table) -> None:
    """Rows of one typed CSV, report_id first; the table is created, or widened, to fit."""
    con.register("incoming", records)
    try:
        exclude = " EXCLUDE (report_id)" if "report_id" in records.column_names else ""
        source = f"SELECT ? AS report_id, *{exclude} FROM incoming"
        existing = _table_columns(con, table)
        if not existing:
            con.execute(f'CREATE TABLE "{table}" AS {source}', [report_id])
            return
        for name, sql_type, *_ in con.execute(f"DESCRIBE {source}", [report_id]).fetchall():
            if name not in existing:
                con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {sql_type}')
        con.execute(f'INSERT INTO "{table}" BY NAME {source}', [report_id])
    finally:
        con.unregister("incoming")


def _table_columns(con, table: str) -> set[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ?", [table]
    ).fetchall()
    return {r[0] for r in rows}
