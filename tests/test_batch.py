"""Batch runs: worker processes, the end summary, skip-unchanged, the time-limit backstop, dead workers."""

import json
import os
import re
import shutil
import threading

import pdfs
import pytest
from conftest import BATCH_COPIES, CORRUPT_PDF, REFERENCE, run_cli

from pipeline.config import BatchSettings, Limits, Settings
from pipeline.files import atomic_target
from pipeline.runtime.batch import BatchEvents, BatchItem, run_batch

REPORT_FILES = ("sections", "toc", "tables", "table_cells", "indicators", "cases", "validation")


def summary_row(output: str, report_id: str) -> list[str]:
    """The cells of one report's line in the printed summary table."""
    line = next(l for l in output.splitlines() if re.match(rf"^│ {re.escape(report_id)} +│", l))
    return [cell.strip() for cell in line.strip("│").split("│")]


def test_batch_summary_lists_every_report(batch_run):
    assert batch_run.exit_code == 1, batch_run.output  # one report failed
    header = next(l for l in batch_run.output.splitlines() if "report" in l and "mismatches" in l)
    assert [c.strip() for c in header.strip("┃").split("┃")] == [
        "report", "pages", "indicators", "claims", "mismatches", "status", "seconds"]
    for name in BATCH_COPIES:
        report, pages, indicators, claims, mismatches, status, seconds = summary_row(batch_run.output, name)
        # 275 numbers (五大, 两款 … count), 9 contradictions
        assert (pages, indicators, claims, mismatches, status) == ("55", "246", "275", "9", "ok")
        assert float(seconds) > 0
    assert summary_row(batch_run.output, "corrupt")[1:6] == ["-", "-", "-", "-", "error"]
    assert "3 ok, 1 error" in batch_run.output
    assert "error: corrupt: stage pages" in batch_run.output


def test_batch_writes_each_folder_and_one_error_json(batch_run):
    assert sorted(p.name for p in batch_run.out.glob("*/error.json")) == ["error.json"]
    error = json.loads((batch_run.out / "corrupt" / "error.json").read_text(encoding="utf-8"))
    assert error["stage"] == "pages" and error["file"].endswith("corrupt.pdf") and "PDF" in error["message"]
    for name in BATCH_COPIES:
        folder = batch_run.out / name
        for stem in REPORT_FILES:
            assert (folder / f"{stem}.csv").is_file() and (folder / f"{stem}.parquet").is_file()
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["status"] == "ok" and manifest["report_id"] == name
    first, second = (batch_run.out / BATCH_COPIES[i] / "indicators.csv" for i in (0, 1))
    assert first.read_text(encoding="utf-8").replace(BATCH_COPIES[0], "X") == second.read_text(encoding="utf-8").replace(
        BATCH_COPIES[1], "X")
    assert not list(batch_run.out.rglob(".*.tmp"))


def test_rerun_skips_unchanged_reports_unless_forced(batch_run, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(batch_run.inputs / f"{BATCH_COPIES[0]}.pdf", inputs)
    out = tmp_path / "out"
    shutil.copytree(batch_run.out / BATCH_COPIES[0], out / BATCH_COPIES[0])
    before = (out / BATCH_COPIES[0] / "manifest.json").read_bytes()

    again = run_cli("run", str(inputs), "--out", str(out))
    assert again.exit_code == 0, again.output
    assert summary_row(again.output, BATCH_COPIES[0])[5:] == ["ok (unchanged)", "-"]
    assert (out / BATCH_COPIES[0] / "manifest.json").read_bytes() == before

    forced = run_cli("run", str(inputs), "--out", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert summary_row(forced.output, BATCH_COPIES[0])[5] == "ok"
    assert (out / BATCH_COPIES[0] / "manifest.json").read_bytes() != before  # new timings: it ran again


def test_changed_input_is_run_again(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "report.pdf").write_bytes(CORRUPT_PDF)
    assert run_cli("run", str(inputs), "--out", str(tmp_path / "out")).exit_code == 1
    shutil.copy(REFERENCE, inputs / "report.pdf")
    result = run_cli("run", str(inputs), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert summary_row(result.output, "report")[1:3] == ["55", "246"]
    assert not (tmp_path / "out" / "report" / "error.json").exists()


def test_time_limit_stops_the_report_and_keeps_the_last_good_files(batch_run, tmp_path):
    """A report past --time-limit stops at its next check; the earlier run's CSVs stay as they were."""
    name = BATCH_COPIES[0]
    out = tmp_path / "out"
    shutil.copytree(batch_run.out / name, out / name)
    good = {stem: (out / name / f"{stem}.csv").read_bytes() for stem in REPORT_FILES}
    result = run_cli("run", str(batch_run.inputs / f"{name}.pdf"), "--out", str(out), "--force", "--time-limit", "1")
    assert result.exit_code == 1
    error = json.loads((out / name / "error.json").read_text(encoding="utf-8"))
    assert error["message"].startswith("time limit") and error["stage"] in {"pages", "tables"}
    manifest = json.loads((out / name / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "error" and manifest["stages"][0]["name"] == error["stage"]
    assert {stem: (out / name / f"{stem}.csv").read_bytes() for stem in REPORT_FILES} == good
    assert not list((out / name).glob(".*.tmp"))
    assert re.search(rf"error: {name}: stage {error['stage']}( page \d+)?: time limit", result.output)


def test_the_hard_stop_kills_a_worker_the_limits_did_not_stop(batch_run, tmp_path):
    """The backstop for native code no check can interrupt: here the per-report limits are off."""
    name = BATCH_COPIES[0]
    items = [BatchItem(batch_run.inputs / f"{name}.pdf", name)]
    settings = Settings(limits=Limits(seconds=0))
    [summary] = run_batch(items, tmp_path / "out", settings, BatchSettings(time_limit=1, store_name=None))
    assert summary.status == "error" and summary.error["message"] == "time limit: stopped after 1 s"
    assert not list((tmp_path / "out" / name).glob("*.csv"))


class FirstStage(BatchEvents):
    def __init__(self):
        self.started = threading.Event()

    def stage(self, report_id, stage):
        self.started.set()


def test_a_worker_that_dies_becomes_an_error_and_the_batch_goes_on(tmp_path):
    psutil = pytest.importorskip("psutil")
    shutil.copy(REFERENCE, tmp_path / "victim.pdf")
    (tmp_path / "next.pdf").write_bytes(CORRUPT_PDF)
    items = [BatchItem(tmp_path / "victim.pdf", "victim"), BatchItem(tmp_path / "next.pdf", "next")]
    events, summaries = FirstStage(), []
    batch = threading.Thread(target=lambda: summaries.extend(
        run_batch(items, tmp_path / "out", Settings(), BatchSettings(workers=1), events)))
    batch.start()
    assert events.started.wait(60)
    me = psutil.Process()
    workers = [p for p in me.children(recursive=True) if p.ppid() != me.pid]  # forked by our forkserver
    assert workers
    for worker in workers:
        worker.kill()
    batch.join(120)
    victim, following = summaries
    assert victim.status == "error" and "SIGKILL" in victim.error["message"]
    error = json.loads((tmp_path / "out" / "victim" / "error.json").read_text(encoding="utf-8"))
    assert error["stage"] == "pages" and "worker process died" in error["message"]
    assert following.status == "error" and following.error["stage"] == "pages"  # ran, in a new worker


def test_interrupted_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "indicators.csv"
    target.write_text("good\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        with atomic_target(target) as tmp:
            tmp.write_text("half-writ", encoding="utf-8")
            raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "good\n"
    assert os.listdir(tmp_path) == ["indicators.csv"]


class Recorder(BatchEvents):
    def __init__(self):
        self.stages: dict[str, list[str]] = {}
        self.finished_ids: list[str] = []

    def stage(self, report_id, stage):
        self.stages.setdefault(report_id, []).append(stage)

    def finished(self, summary):
        self.finished_ids.append(summary.report_id)


def test_workers_report_each_stage_of_each_report(tmp_path):
    import pdfs

    items = [BatchItem(pdfs.split_appendix_table(tmp_path / f"{name}.pdf"), name) for name in ("first", "second")]
    events = Recorder()
    summaries = run_batch(items, tmp_path / "out", Settings(), BatchSettings(workers=2), events)
    assert [s.report_id for s in summaries] == ["first", "second"]  # input order, whatever finished first
    assert sorted(events.finished_ids) == ["first", "second"]
    for name in ("first", "second"):
        assert events.stages[name] == ["pages", "sections", "tables", "indicators", "cases", "claims", "reconcile", "review",
                                       "audit", "validate", "publish"]


# ---------------------------------------------------------------- what runs again, and under which id


def test_finished_lines_name_each_report_when_output_is_not_a_terminal(batch_run):
    lines = [l for l in batch_run.output.splitlines() if re.match(r"^\[\d/4\] ", l)]
    assert [l.split("] ")[0] + "]" for l in lines] == ["[1/4]", "[2/4]", "[3/4]", "[4/4]"]
    assert sorted(l.split("] ")[1] for l in lines) == sorted([f"{name}: ok" for name in BATCH_COPIES] + ["corrupt: error"])


def test_a_failed_report_runs_again_with_the_same_input(tmp_path):
    (tmp_path / "broken.pdf").write_bytes(CORRUPT_PDF)
    out = tmp_path / "out"
    assert run_cli("run", str(tmp_path / "broken.pdf"), "--out", str(out)).exit_code == 1
    (out / "broken" / "error.json").unlink()
    again = run_cli("run", str(tmp_path / "broken.pdf"), "--out", str(out))
    assert again.exit_code == 1
    assert summary_row(again.output, "broken")[5] == "error"  # not "error (unchanged)"
    assert (out / "broken" / "error.json").is_file()  # written again: it ran


def test_other_output_options_run_the_report_again(tmp_path):
    """A scan run with --no-ocr is partial; asked again with OCR it is read, not skipped as unchanged."""
    scan = pdfs.scanned_copy(pdfs.three_line_table(tmp_path / "t.pdf"), tmp_path / "scan.pdf", dpi=100)
    out = tmp_path / "out"
    first = run_cli("run", str(scan), "--out", str(out), "--no-ocr", "--no-store")
    assert summary_row(first.output, "scan")[5] == "partial"
    pages = out / "scan" / "pages.csv"
    assert pages.read_text(encoding="utf-8").splitlines()[1].count(",empty,") == 1
    with_ocr = run_cli("run", str(scan), "--out", str(out), "--no-store")
    assert summary_row(with_ocr.output, "scan")[5] != "partial (unchanged)"
    assert ",ocr," in pages.read_text(encoding="utf-8").splitlines()[1]
    manifest = json.loads((out / "scan" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["ocr"]["mode"] == "auto" and manifest["options"]["limits"]["ocr_max_pages"] == 400
    same = run_cli("run", str(scan), "--out", str(out), "--no-store")
    assert summary_row(same.output, "scan")[5].endswith("(unchanged)")


def test_a_report_left_partial_by_the_time_limit_runs_again(tmp_path, monkeypatch):
    import pipeline.cases

    def stuck(*args):
        while True:
            sum(range(1000))

    pdf = pdfs.split_appendix_table(tmp_path / "a6.pdf")
    out = tmp_path / "out"
    with monkeypatch.context() as patch:  # the report's forked process inherits the stuck stage
        patch.setattr(pipeline.cases, "extract_cases", stuck)
        timed_out = run_cli("run", str(pdf), "--out", str(out), "--time-limit", "3", "--no-store")
    assert summary_row(timed_out.output, "a6")[5] == "partial"
    assert not (out / "a6" / "cases.csv").exists()
    again = run_cli("run", str(pdf), "--out", str(out), "--time-limit", "3", "--no-store")
    assert summary_row(again.output, "a6")[5] == "partial"  # not "partial (unchanged)": it ran (a lone 附表6 is partial)
    assert (out / "a6" / "cases.csv").is_file()


def test_report_ids_of_files_sharing_a_stem_name_their_folders_and_stay_put(tmp_path):
    from pipeline.runtime.batch import discover

    for folder in ("上海", "北京"):
        (tmp_path / "in" / folder).mkdir(parents=True)
        (tmp_path / "in" / folder / "2024.pdf").write_bytes(CORRUPT_PDF)
    (tmp_path / "in" / "unique.pdf").write_bytes(CORRUPT_PDF)
    first, _ = discover([tmp_path / "in"])
    assert {i.pdf.parent.name: i.report_id for i in first if i.pdf.stem == "2024"} == {"上海": "2024-上海", "北京": "2024-北京"}
    for folder in ("0-first-in-order", "z/上海"):  # sorts before the others / repeats a folder name deeper down
        (tmp_path / "in" / folder).mkdir(parents=True)
        (tmp_path / "in" / folder / "2024.pdf").write_bytes(CORRUPT_PDF)
    second, _ = discover([tmp_path / "in"])
    ids = {str(i.pdf.relative_to(tmp_path / "in")): i.report_id for i in second}
    assert ids == {"0-first-in-order/2024.pdf": "2024-0-first-in-order", "上海/2024.pdf": "2024-in-上海",
                   "z/上海/2024.pdf": "2024-z-上海", "北京/2024.pdf": "2024-北京", "unique.pdf": "unique"}
    assert [i.report_id for i in discover([tmp_path / "in" / "北京", tmp_path / "in" / "北京" / "2024.pdf"])[0]] == ["2024"]


def test_files_differing_only_in_the_case_of_their_ending_get_two_ids(tmp_path):
    from pipeline.runtime.batch import discover

    (tmp_path / "2024.pdf").write_bytes(CORRUPT_PDF)
    (tmp_path / "2024.PDF").write_bytes(CORRUPT_PDF)
    items, _ = discover([tmp_path])
    assert len({i.report_id for i in items}) == 2 and all(i.report_id.startswith("2024-") for i in items)
    assert [i.report_id for i in discover([tmp_path])[0]] == [i.report_id for i in items]


def test_earlier_reports_stay_in_the_store(tmp_path):
    import duckdb

    out = tmp_path / "out"
    assert run_cli("run", str(pdfs.split_appendix_table(tmp_path / "first.pdf")), "--out", str(out)).exit_code == 0
    assert run_cli("run", str(pdfs.three_line_table(tmp_path / "second.pdf")), "--out", str(out)).exit_code == 0
    with duckdb.connect(str(out / "vetreport.duckdb"), read_only=True) as con:
        reports = con.execute("SELECT report_id, status FROM reports ORDER BY 1").fetchall()
        rows = con.execute("SELECT report_id, count(*) FROM indicators GROUP BY 1").fetchall()
    assert [r[0] for r in reports] == ["first", "second"]
    assert dict(rows)["first"] > 0


def test_a_lone_report_whose_process_dies_is_an_error_and_leaves_no_page_worker(tmp_path, monkeypatch):
    import time

    import pipeline.forked.page_workers

    psutil = pytest.importorskip("psutil")
    monkeypatch.setattr(pipeline.forked.page_workers, "spare_cores", lambda: 2)  # page workers, as on two cores
    shutil.copy(REFERENCE, tmp_path / "victim.pdf")
    events, summaries = FirstStage(), []
    batch = threading.Thread(target=lambda: summaries.extend(
        run_batch([BatchItem(tmp_path / "victim.pdf", "victim")], tmp_path / "out", Settings(), BatchSettings(), events)))
    batch.start()
    assert events.started.wait(60)
    me = psutil.Process()
    [report] = [p for p in me.children() if p.cmdline() == me.cmdline()]  # the process forked for the report
    deadline = time.monotonic() + 60
    while len(report.children()) < 2 and time.monotonic() < deadline:  # the workers start one after the other
        time.sleep(0.05)
    page_workers = report.children()
    assert len(page_workers) == 2
    report.kill()
    batch.join(120)
    [victim] = summaries
    assert victim.status == "error" and victim.error["message"] == ("worker process died: killed by SIGKILL "
                                                                    "(out of memory, or killed from outside)")
    assert victim.error["stage"] == "pages"
    _, left = psutil.wait_procs(page_workers, timeout=30)  # killed with it (a kill takes effect in a moment)
    assert not [p for p in left if p.status() != psutil.STATUS_ZOMBIE]
