"""The command line: files written, bad input as clear errors, nothing lost in a batch."""

import json
import shutil

import pandas as pd
from conftest import REFERENCE
from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()


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
        "report_id", "table_kind", "table_no", "table_title", "page", "row_seq", "serial", "indicator",
        "parent_indicator", "unit", "unit_raw", "year", "value_raw", "value", "survey_count", "survey_method"]
    kinds = indicators.drop_duplicates("table_kind")[["table_kind", "table_no"]].values.tolist()
    assert kinds == [["计分卡", "1"], ["满意度调查表", "2"], ["教学资源表", "3"], ["服务贡献表", "4"], ["国际影响表", "5"],
                     ["落实政策表", "6"]]  # as the reference numbers them: 附表1 … 附表6
    row = indicators[(indicators.indicator == "月收入") & (indicators.year == "2024")].iloc[0]
    assert (row.value_raw, row.value) == ("4174.00", "4174")
    cases = pd.read_csv(folder / "cases.csv", keep_default_na=False)
    assert cases.loc[0, "schools"].split("；")[0] == "上海第二工业大学附属浦东振华外经职业技术学校"


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
