"""A stage run beside the later ones (pipeline.beside, StageRunner.beside): in a forked child when the report
has a core to spare, here otherwise; recorded like a stage called in order, whatever happens to it."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field

from conftest import REFERENCE

import pipeline.writers.audit
from pipeline.config import Settings
from pipeline.process import process_report
from pipeline.records import Issue
from pipeline.stages import Failed, StageRunner


@dataclass
class Done:
    pid: int
    issues: list = field(default_factory=list)


def _pid_and_a_warning():
    return Done(os.getpid(), [Issue("audit", "one crop left out", 3)])


def _raises():
    raise ValueError("no such page")


def _dies():
    os.kill(os.getpid(), signal.SIGKILL)


def test_with_a_spare_core_the_stage_runs_in_another_process_and_is_recorded_where_it_started():
    run = StageRunner("r", cores=2)
    audit = run.beside("audit", _pid_and_a_warning)
    run("validate", lambda: None)
    done = run.join(audit)
    assert done.pid != os.getpid()
    assert [(r.name, r.status) for r in run.records] == [("audit", "ok"), ("validate", "ok")]
    assert [i.message for i in run.issues] == ["one crop left out"]


def test_without_a_spare_core_the_stage_runs_here():
    run = StageRunner("r")
    done = run.join(run.beside("audit", _pid_and_a_warning))
    assert done.pid == os.getpid()
    assert [(r.name, r.status) for r in run.records] == [("audit", "ok")]


def test_an_exception_in_the_child_is_a_failed_stage_naming_it_and_where():
    run = StageRunner("r", cores=2)
    result = run.join(run.beside("audit", _raises))
    assert isinstance(result, Failed)
    [record] = run.records
    assert record.status == "failed"
    assert record.message.startswith("ValueError: no such page (at test_beside.py:")


def test_a_child_that_dies_is_a_failed_stage():
    run = StageRunner("r", cores=2)
    run.join(run.beside("audit", _dies))
    [record] = run.records
    assert (record.status, record.message) == ("failed", "its process died (exit code -9)")


def test_a_report_whose_audit_fails_beside_the_writing_keeps_its_files(tmp_path, monkeypatch):
    def broken_audit(*args):
        raise RuntimeError("the evidence cannot be drawn")

    monkeypatch.setattr(pipeline.writers.audit, "write_audit", broken_audit)
    result = process_report(REFERENCE, tmp_path, Settings(cores=2))
    assert result.status == "partial"
    audit = next(s for s in result.stages if s.name == "audit")
    assert audit.status == "failed" and audit.message.startswith("RuntimeError: the evidence cannot be drawn")
    assert [s.name for s in result.stages][-3:] == ["review", "audit", "validate"]
    assert (tmp_path / result.report_id / "indicators.csv").stat().st_size > 1000


def test_camelot_shares_read_in_two_processes_are_the_grids_of_one(reference):
    from pipeline.config import TableSettings
    from pipeline.limits import Budget
    from pipeline.tables.lattice import camelot_grids

    settings, doc = TableSettings(), reference.doc
    alone_issues, shared_issues = [], []
    alone = camelot_grids(doc, doc.pages, settings, alone_issues, Budget())
    shared = camelot_grids(doc, doc.pages, settings, shared_issues, Budget(), cores=2)
    assert len(alone) >= 8  # the appendix tables' pages and the ruled body tables
    assert shared == alone and shared_issues == alone_issues
