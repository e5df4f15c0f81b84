"""The DuckDB store: one database answering questions across reports; re-loading replaces a report's rows."""

import shutil

import duckdb
import pandas as pd
from conftest import BATCH_COPIES, run_cli

from pipeline.runtime.store import load_reports


def query(db, sql, params=()):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_store_answers_a_query_across_reports(batch_run):
    db = batch_run.out / "vetreport.duckdb"
    rows = query(db, """
        SELECT r.report_id, r.status, r.pages, r.producer, i.value
        FROM reports r LEFT JOIN indicators i
          ON i.report_id = r.report_id AND i.indicator = '月收入' AND i.year = 2024
        ORDER BY r.report_id""")
    assert rows == [
        ("corrupt", "error", None, None, None),
        *[(name, "ok", 55, "LibreOffice 7.4", 4174.0) for name in sorted(BATCH_COPIES)],
    ]
    tables = {r[0] for r in query(db, "SELECT table_name FROM information_schema.tables")}
    assert tables >= {"reports", "stages", "warnings", "indicators", "sections", "cases", "tables", "table_cells"}


def test_store_keeps_types_timings_and_sha256(batch_run):
    db = batch_run.out / "vetreport.duckdb"
    types = dict(query(db, "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'indicators'"))
    assert (types["year"], types["value"], types["page"], types["indicator"]) == ("BIGINT", "DOUBLE", "BIGINT", "VARCHAR")
    (sha,) = query(db, "SELECT DISTINCT sha256 FROM reports WHERE status = 'ok'")
    assert len(sha[0]) == 64
    stages = query(db, "SELECT stage, count(*), min(seconds) > 0 FROM stages WHERE status = 'ok' GROUP BY stage ORDER BY stage")
    assert ("pages", 3, True) in stages and ("tables", 3, True) in stages
    assert query(db, "SELECT count(*) FROM cases GROUP BY report_id") == [(13,)] * 3
    assert query(db, "SELECT error_stage FROM reports WHERE report_id = 'corrupt'") == [("pages",)]
    # the corrupt report has no data rows in any table
    assert query(db, "SELECT count(*) FROM indicators WHERE report_id = 'corrupt'") == [(0,)]


def test_claims_and_findings_load_and_count_in_the_summary(batch_run, tmp_path):
    """claims.csv and findings.csv (written by the audit stages) load like any report CSV."""
    name = BATCH_COPIES[0]
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    shutil.copy(batch_run.inputs / f"{name}.pdf", inputs)
    shutil.copytree(batch_run.out / name, out / name)
    indicators = pd.read_csv(out / name / "indicators.csv", dtype=str, keep_default_na=False)
    claims = pd.DataFrame({
        "claim_id": ["C1", "C2", "C3"], "page": [7, 9, 12], "text": ["毕业生3552人", "月收入4174元", "在校生12001人"],
        "value": [3552, 4174, 12001]})
    claims.to_csv(out / name / "claims.csv", index=False)
    findings = pd.DataFrame({"claim_id": ["C1", "C2", "C3"], "verdict": ["match", "mismatch", "mismatch"]})
    findings.to_csv(out / name / "findings.csv", index=False)

    result = run_cli("run", str(inputs), "--out", str(out))
    assert result.exit_code == 0, result.output
    line = next(l for l in result.output.splitlines() if l.startswith(f"│ {name}"))
    assert [c.strip() for c in line.strip("│").split("│")][1:6] == ["55", "246", "3", "2", "ok (unchanged)"]
    db = out / "vetreport.duckdb"
    assert query(db, "SELECT verdict, count(*) FROM findings GROUP BY verdict ORDER BY verdict") == [("match", 1), ("mismatch", 2)]
    # columns template/fields.csv does not describe load as text
    assert query(db, "SELECT sum(CAST(value AS BIGINT)) FROM claims WHERE report_id = ?", [name]) == [(3552 + 4174 + 12001,)]
    assert query(db, "SELECT count(*) FROM indicators") == [(len(indicators),)]
    assert (out / name / "claims.parquet").is_file()


def test_reloading_a_report_replaces_its_rows(batch_run, tmp_path):
    name = BATCH_COPIES[1]
    folder = tmp_path / name
    shutil.copytree(batch_run.out / name, folder)
    db = tmp_path / "store.duckdb"
    assert load_reports(db, [folder]) == [name]
    assert load_reports(db, [folder]) == []  # unchanged folder: nothing to do
    indicators = pd.read_csv(folder / "indicators.csv", dtype=str, keep_default_na=False)
    indicators = indicators[indicators["table_no"] == "1"]
    indicators.to_csv(folder / "indicators.csv", index=False)
    assert load_reports(db, [folder]) == [name]
    assert query(db, "SELECT DISTINCT table_no FROM indicators") == [(1,)]
    assert query(db, "SELECT count(*) FROM indicators") == [(len(indicators),)]
    assert query(db, "SELECT count(*) FROM reports") == [(1,)]
