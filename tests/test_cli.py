"""The command line: files written, bad input as clear errors, nothing lost in a batch."""

import json
import shutil

import pandas as pd
import pdfs
import pytest
from conftest import REFERENCE
from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner(env={"LANGUAGE": "en"})  # messages in English, as the tests quote them (test_i18n: the zh default)


def test_help_explains_itself():
    result = runner.invoke(app, ["run", "--help"])
    assert result.exit_code == 0
    assert "indicators.csv" in result.output and "--out" in result.output


def test_run_writes_every_file(tmp_path):
    result = runner.invoke(app, ["run", str(REFERENCE), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / REFERENCE.stem
    for name in ("sections", "toc", "tables", "table_cells", "indicators", "cases", "validation"):
        assert (folder / f"{name}.csv").is_file()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["pages"] == 55 and manifest["status"] == "ok"
    assert len(manifest["sha256"]) == 64
    assert {s["name"] for s in manifest["stages"]} >= {"pages", "sections", "tables", "indicators", "cases", "validate"}
    assert manifest["row_counts"]["cases"] == 13
    assert any("附表4" in w["message"] for w in manifest["warnings"])
    indicators = pd.read_csv(folder / "indicators.csv", dtype=str, keep_default_na=False)
    assert list(indicators.columns) == [
        "report_id", "table_kind", "table_no", "table_title", "page", "row_seq", "serial", "indicator", "indicator_raw",
        "parent_indicator", "unit", "unit_raw", "year", "period_raw", "period_kind", "value_raw", "value", "survey_count",
        "survey_method", "source", "ocr_confidence"]
    kinds = indicators.drop_duplicates("table_kind")[["table_kind", "table_no"]].values.tolist()
    assert kinds == [["计分卡", "1"], ["满意度调查表", "2"], ["教学资源表", "3"], ["服务贡献表", "4"], ["国际影响表", "5"],
                     ["落实政策表", "6"]]  # as the reference numbers them: 附表1 … 附表6
    row = indicators[(indicators.indicator == "月收入") & (indicators.year == "2024")].iloc[0]
    assert (row.value_raw, row.value) == ("4174.00", "4174")
    cases = pd.read_csv(folder / "cases.csv", keep_default_na=False)
    assert cases.loc[0, "schools"].split("；")[0] == "上海第二工业大学附属浦东振华外经职业技术学校"
    last = " ".join(result.output.split()).rsplit("next: ", 1)[1]
    assert last == f"open {folder / 'audit.html'} in a browser, or run `vetreport serve --out {tmp_path}` to review the " \
                   f"findings of every report"


def test_output_is_deterministic(tmp_path):
    for run in ("a", "b"):
        assert runner.invoke(app, ["run", str(REFERENCE), "--out", str(tmp_path / run)]).exit_code == 0
    for name in ("sections", "tables", "table_cells", "indicators", "cases"):
        a = (tmp_path / "a" / REFERENCE.stem / f"{name}.csv").read_bytes()
        assert a == (tmp_path / "b" / REFERENCE.stem / f"{name}.csv").read_bytes(), name


def test_one_bad_pdf_does_not_sink_the_batch(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(REFERENCE, inputs / "good.pdf")
    (inputs / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n")
    result = runner.invoke(app, ["run", str(inputs), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "broken: stage pages" in result.output
    assert (tmp_path / "out" / "good" / "indicators.csv").is_file()
    error = json.loads((tmp_path / "out" / "broken" / "error.json").read_text(encoding="utf-8"))
    assert error["stage"] == "pages" and "broken.pdf" in error["file"]
    assert "Traceback" not in result.output


def test_missing_input_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path / "nope.pdf")])
    assert result.exit_code == 2
    assert "no such file" in result.output


# ---------------------------------------------------------------- help, inputs and limits as a new user meets them


def help_text(*command: str) -> str:
    return runner.invoke(app, [*command, "--help"], prog_name="vetreport", env={"COLUMNS": "200"}).output


def test_help_shows_flags_as_flags_and_arguments_by_name():
    run_help = help_text("run")
    assert "Usage: vetreport run [OPTIONS] [PDF|DIR]..." in run_help
    assert "<bool>" not in run_help
    force = next(line for line in run_help.splitlines() if "--force" in line and "Re-run" in line)
    assert force.split("--force")[1].split("Re-run")[0].strip(" │") == ""  # nothing between the flag and its help
    assert "Usage: vetreport diff [OPTIONS] A [B]" in help_text("diff")
    audit_help = help_text("audit")
    assert "Usage: vetreport audit [OPTIONS] REPORT" in audit_help and "{" not in audit_help
    assert "<bool>" not in help_text()


def test_a_flag_given_a_value_takes_the_value_for_an_input(tmp_path):
    result = runner.invoke(app, ["run", "--force", "true", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "true: no such file or folder" in result.output


def test_run_without_inputs_outside_the_project_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert f"no raw/ folder in {tmp_path}" in text
    assert "searched recursively for files whose names end in .pdf" in text
    assert "no such file" not in text and "Traceback" not in text


def test_a_folder_without_pdfs_names_itself_and_what_it_holds(tmp_path):
    folder = tmp_path / "reports"
    (folder / "2024").mkdir(parents=True)
    (folder / "2024" / "report.pdf.txt").write_text("not a pdf")
    result = runner.invoke(app, ["run", str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert f"{folder}: no PDF files in this folder or its subfolders (it holds 1 other files)" in text
    assert ".pdf ending" in text
    empty = tmp_path / "empty"
    empty.mkdir()
    assert f"{empty}: no PDF files in this folder or its subfolders (it is empty)" in " ".join(
        runner.invoke(app, ["run", str(empty)]).output.split())


def test_max_pages_0_is_no_limit_and_negative_limits_are_refused(tmp_path):
    pdf = pdfs.many_pages(tmp_path / "tome.pdf", 30)
    limited = runner.invoke(app, ["run", str(pdf), "--out", str(tmp_path / "a"), "--max-pages", "10"])
    assert limited.exit_code == 1 and "30 pages exceed the limit of 10" in limited.output
    unlimited = runner.invoke(app, ["run", str(pdf), "--out", str(tmp_path / "b"), "--max-pages", "0", "--no-store"])
    assert unlimited.exit_code == 0, unlimited.output
    assert json.loads((tmp_path / "b" / "tome" / "manifest.json").read_text(encoding="utf-8"))["pages"] == 30
    for option in ("--max-pages", "--memory-limit", "--time-limit", "--ocr-max-pages"):
        refused = runner.invoke(app, ["run", str(pdf), "--out", str(tmp_path / "c"), option, "-1"])
        assert refused.exit_code == 2 and f"Invalid value for '{option}'" in refused.output, option
        assert not (tmp_path / "c").exists()


def test_ctrl_c_stops_a_run_with_exit_code_130_and_no_process_left(tmp_path):
    """SIGINT to the command's process group, as a terminal sends it, while the report is being read."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import psutil

    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline.cli", "run", str(REFERENCE), "--out", str(out), "--no-store", "--lang", "en"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 120
    while not parent.children(recursive=True) and time.monotonic() < deadline:  # the report's process is running
        time.sleep(0.05)
    report_processes = parent.children(recursive=True)
    assert report_processes
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stdout + stderr
    assert not [p for p in report_processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not list(out.rglob(".*.tmp"))


# ---------------------------------------------------------------- audit and diff from anywhere


@pytest.fixture
def relative_run(tmp_path, monkeypatch):
    """A small report run from its own folder with relative paths, as `make run` does."""
    project = tmp_path / "project"
    (project / "raw").mkdir(parents=True)
    pdfs.split_appendix_table(project / "raw" / "a6.pdf")
    monkeypatch.chdir(project)
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 0, result.output
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return project


def test_audit_works_from_any_folder(relative_run):
    manifest = json.loads((relative_run / "output" / "a6" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["input"] == str(relative_run / "raw" / "a6.pdf")
    result = runner.invoke(app, ["audit", "a6", "--out", str(relative_run / "output")])
    assert result.exit_code == 0, result.output
    assert f"wrote {relative_run / 'output' / 'a6' / 'audit.html'}" in result.output
    by_folder = runner.invoke(app, ["audit", str(relative_run / "output" / "a6")])
    assert by_folder.exit_code == 0, by_folder.output


def test_audit_of_a_moved_pdf_takes_its_new_place_and_refuses_another_file(relative_run, tmp_path):
    moved = tmp_path / "moved.pdf"
    (relative_run / "raw" / "a6.pdf").rename(moved)
    out = str(relative_run / "output")
    lost = runner.invoke(app, ["audit", "a6", "--out", out])
    assert lost.exit_code == 2 and "give its new place with --pdf" in " ".join(lost.output.split())
    found = runner.invoke(app, ["audit", "a6", "--out", out, "--pdf", str(moved)])
    assert found.exit_code == 0, found.output
    other = pdfs.three_line_table(tmp_path / "other.pdf")
    refused = runner.invoke(app, ["audit", "a6", "--out", out, "--pdf", str(other)])
    assert refused.exit_code == 2 and "is not the PDF this report was made from" in " ".join(refused.output.split())


def test_audit_of_an_unknown_report_says_where_it_looked(tmp_path):
    result = runner.invoke(app, ["audit", "nope", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert f"looked in nope and {tmp_path / 'nope'}" in " ".join(result.output.split())


def test_diff_of_a_report_with_itself_warns(batch_run, tmp_path):
    from conftest import BATCH_COPIES

    out = str(batch_run.out)
    same_folder = runner.invoke(app, ["diff", BATCH_COPIES[0], BATCH_COPIES[0], "--out", out, "--to", str(tmp_path / "d1")])
    assert same_folder.exit_code == 0, same_folder.output
    assert "warning: A and B are one report" in same_folder.output
    assert "0 restated, 0 changed, 0 added, 0 removed" in same_folder.output
    same_pdf = runner.invoke(app, ["diff", BATCH_COPIES[0], BATCH_COPIES[1], "--out", out, "--to", str(tmp_path / "d2")])
    assert "warning: A and B are one report" in same_pdf.output  # two copies of one PDF: the same sha256


def test_diff_refuses_a_side_whose_last_run_failed(batch_run, tmp_path):
    from conftest import BATCH_COPIES, CORRUPT_PDF

    name = BATCH_COPIES[0]
    out = tmp_path / "out"
    shutil.copytree(batch_run.out / name, out / name)
    (tmp_path / f"{name}.pdf").write_bytes(CORRUPT_PDF)  # the same report id, now an unreadable file
    assert runner.invoke(app, ["run", str(tmp_path / f"{name}.pdf"), "--out", str(out)]).exit_code == 1
    assert (out / name / "indicators.csv").is_file()  # the earlier run's
    result = runner.invoke(app, ["diff", str(batch_run.out / BATCH_COPIES[1]), name, "--out", str(out)])
    assert result.exit_code == 2
    assert f"the last run of {name} failed (stage pages" in " ".join(result.output.split())
    assert not (out / "diffs").exists()


def test_diff_warns_when_a_is_later_than_b(batch_run, tmp_path):
    from conftest import BATCH_COPIES

    earlier = batch_run.out / BATCH_COPIES[0]
    indicators = pd.read_csv(earlier / "indicators.csv", dtype=str, keep_default_na=False)
    later = tmp_path / "next-year"
    later.mkdir()
    indicators.assign(year=(indicators.year.astype(int) + 1).astype(str)).to_csv(later / "indicators.csv", index=False)
    swapped = runner.invoke(app, ["diff", str(later), str(earlier), "--to", str(tmp_path / "d")], terminal_width=300)
    assert swapped.exit_code == 0, swapped.output
    text = " ".join(swapped.output.split())
    assert "warning: A (next-year, latest year 2025) is later than B" in text and "latest year 2024" in text
    assert f"warning: {later} has no manifest.json" in text
    in_order = runner.invoke(app, ["diff", str(earlier), str(later), "--to", str(tmp_path / "e")])
    assert "is later than" not in in_order.output


def test_version():
    import tomllib
    from pathlib import Path

    version = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output == f"vetreport {version}\n"


def test_a_busy_port_says_so_and_suggests_another(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["serve", "--out", str(tmp_path), "--port", str(port)], terminal_width=300)
    assert result.exit_code == 2
    assert f"error: port {port} is in use" in result.output and f"--port {port + 1}" in result.output
    assert "Errno" not in result.output and "Traceback" not in result.output and "vetreport serve:" not in result.output


def test_a_partial_report_says_why_in_the_summary(tmp_path):
    """A page of narrative alone has no headings and no appendix table: partial, and the summary says both."""
    pdf = pdfs.narrative(tmp_path / "story.pdf", ["2024年，学生在技能大赛中获奖30个，其中金奖5个、银奖4个、铜奖17个。"])
    result = runner.invoke(app, ["run", str(pdf), "--out", str(tmp_path / "out"), "--no-store"], terminal_width=300)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "1 partial" in said and "partial: story: " in said
    reasons = said.split("partial: story: ", 1)[1]
    assert reasons.startswith("no chapter or section headings found; appendix table ")
    assert "not found" in reasons.split("next:")[0]
