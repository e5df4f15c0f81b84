"""The same per-report task on a Dask distributed cluster, writing the same output layout."""

import json
import shutil

import pdfs
import pytest
from conftest import BATCH_COPIES, CORRUPT_PDF, run_cli

from pipeline.config import BatchSettings, Settings
from pipeline.runtime.batch import run_batch
from pipeline.runtime.task import BatchError, BatchItem

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0") as cluster:
        yield cluster


def test_run_on_an_existing_scheduler_matches_the_local_run(batch_run, cluster, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    name = BATCH_COPIES[0]
    shutil.copy(batch_run.inputs / f"{name}.pdf", inputs)
    (inputs / "corrupt.pdf").write_bytes(CORRUPT_PDF)
    out = tmp_path / "out"
    result = run_cli("run", str(inputs), "--out", str(out), "--scheduler", cluster.scheduler_address)
    assert result.exit_code == 1, result.output
    assert "1 ok, 1 error" in result.output
    local = sorted(p.name for p in (batch_run.out / name).iterdir())
    assert sorted(p.name for p in (out / name).iterdir()) == local
    for csv in ("indicators.csv", "tables.csv", "table_cells.csv", "cases.csv", "sections.csv"):
        assert (out / name / csv).read_bytes() == (batch_run.out / name / csv).read_bytes(), csv
    error = json.loads((out / "corrupt" / "error.json").read_text(encoding="utf-8"))
    assert error["stage"] == "pages"
    assert (out / "vetreport.duckdb").is_file()


def test_time_limit_on_dask_stops_the_report_at_its_next_stage(batch_run, cluster, tmp_path):
    name = BATCH_COPIES[1]
    result = run_cli("run", str(batch_run.inputs / f"{name}.pdf"), "--out", str(tmp_path / "out"),
                     "--scheduler", cluster.scheduler_address, "--time-limit", "1")
    assert result.exit_code == 1, result.output
    error = json.loads((tmp_path / "out" / name / "error.json").read_text(encoding="utf-8"))
    assert error["message"].startswith("time limit") and error["stage"] in {"pages", "tables"}
    assert not (tmp_path / "out" / name / "indicators.csv").exists()  # stopped before any file was written


def test_executor_dask_without_an_address_starts_a_local_cluster(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    pdfs.split_appendix_table(inputs / "appendix.pdf")
    result = run_cli("run", str(inputs), "--out", str(tmp_path / "out"), "--executor", "dask", "--workers", "1")
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "appendix" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["row_counts"]["indicators"] == 2 * len(pdfs.APPENDIX6_ROWS)
    assert (tmp_path / "out" / "appendix" / "datapackage.json").is_file()


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    (tmp_path / "report.pdf").write_bytes(CORRUPT_PDF)
    batch = BatchSettings(executor="dask", scheduler="tcp://127.0.0.1:9", scheduler_timeout=2)
    with pytest.raises(BatchError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        run_batch([BatchItem(tmp_path / "report.pdf", "report")], tmp_path / "out", Settings(), batch)
