"""Nothing is lost: a late stage's failure keeps the earlier stages' files and manifest.json says so;
files are written atomically; a rerun never leaves an earlier run's file behind as if it were new."""

import json

import pdfs
import pytest

import pipeline.cases
from pipeline import files as output
from pipeline.process import process_report


def _boom(*args):
    raise RuntimeError("a bug in the cases stage")


def test_late_stage_failure_keeps_earlier_files(tmp_path, monkeypatch):
    pdf = pdfs.split_appendix_table(tmp_path / "a6.pdf")
    monkeypatch.setattr(pipeline.cases, "extract_cases", _boom)
    result = process_report(pdf, tmp_path / "out")
    manifest = json.loads((result.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "partial" and result.status == "partial"
    cases = next(s for s in manifest["stages"] if s["name"] == "cases")
    assert cases["status"] == "failed"
    assert cases["message"].startswith("RuntimeError: a bug in the cases stage (at test_nothing_lost.py:")
    assert manifest["files"] == ["indicators.csv", "pages.csv", "sections.csv", "table_cells.csv", "tables.csv",
                                 "toc.csv", "validation.csv", "manifest.json"]
    for name in manifest["files"]:
        assert (result.out_dir / name).is_file()
    assert not (result.out_dir / "cases.csv").exists() and not (result.out_dir / "error.json").exists()
    assert manifest["row_counts"]["indicators"] == 42


def test_rerun_removes_files_its_failed_stage_did_not_write(tmp_path, monkeypatch):
    pdf = pdfs.split_appendix_table(tmp_path / "a6.pdf")
    first = process_report(pdf, tmp_path / "out")
    assert (first.out_dir / "cases.csv").is_file()
    monkeypatch.setattr(pipeline.cases, "extract_cases", _boom)
    second = process_report(pdf, tmp_path / "out")
    manifest = json.loads((second.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["removed_stale_files"] == ["cases.csv", "claims.csv", "findings.csv"]  # cases and what needs them
    assert not any((second.out_dir / name).exists() for name in manifest["removed_stale_files"])


def test_an_interrupted_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    target = tmp_path / "indicators.csv"
    target.write_text("the previous run's complete file\n", encoding="utf-8")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        output.atomic_write_text(target, "half of a new file")
    assert target.read_text(encoding="utf-8") == "the previous run's complete file\n"
    assert [p.name for p in tmp_path.iterdir()] == ["indicators.csv"]  # no temporary file left behind
