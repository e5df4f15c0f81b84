"""Running a report's stages: each one timed, its failure recorded instead of raised.

A stage is a plain function called through ``StageRunner``; a stage whose input is the ``Failed``
stand-in of an earlier stage is skipped, so the stages that do not depend on a failed one still
run and their files are written. Within ``StageRunner.within(budget)`` a stage that runs past the
report's deadline is interrupted (limits.Budget.watchdog).
"""

from __future__ import annotations

import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

from .errors import ReportError, failure_message
from .forked import beside
from .limits import Budget
from .records import Issue
from .words import RECORDS, word, words


@dataclass(frozen=True)
class Failed:
    """Stands in for the result of a stage that failed or was skipped."""

    stage: str


@dataclass
class StageRecord:
    name: str
    status: str  # "ok", "failed", "skipped" (or "running", while a stage started beside is not joined)
    seconds: float
    message: str = ""
    page: int | None = None
    said: dict | None = None  # the message as a catalogue word (errors.ReportError.said)


class Beside:
    """A stage started beside the stages after it (StageRunner.beside), to be joined with StageRunner.join."""

    def __init__(self, name: str, pending: beside.Pending | None = None, place: int | None = None, result=None):
        self.name, self.pending, self.place, self.result = name, pending, place, result


class StageRunner:
    """Calls stage functions, times them, and turns exceptions into records.

    ``cores``: processes the report may use; with two or more, ``beside`` runs a stage in a forked
    child while the stages after it go on here.
    """

    def __init__(self, report_id: str, progress=None, cores: int = 1):
        self.report_id = report_id
        self.progress = progress
        self.cores = cores
        self.budget: Budget | None = None  # set within ``within``: its deadline interrupts a stage that runs past it
        self.records: list[StageRecord] = []
        self.issues: list[Issue] = []

    @contextmanager
    def within(self, budget: Budget):
        """The stages called in this block are held to ``budget``'s deadline."""
        self.budget = budget
        try:
            yield self
        finally:
            self.budget = None

    def __call__(self, name: str, fn, *args):
        missing = [a.stage for a in args if isinstance(a, Failed)]
        if missing:
            needs = sorted(set(missing))
            said = word("stage_status.needs", stages=[part for n, stage in enumerate(needs)
                                                      for part in ([", "] if n else []) + [word(f"stage.{stage}")]])
            self.records.append(StageRecord(name, "skipped", 0.0, words(RECORDS).said(said), said=said))
            return Failed(name)
        self._entered(name)
        start = time.perf_counter()
        try:
            with self.budget.watchdog() if self.budget else nullcontext():
                result = fn(*args)
        except ReportError as exc:
            self.records.append(StageRecord(name, "failed", time.perf_counter() - start, exc.message, exc.page, exc.said))
            return Failed(name)
        except Exception as exc:  # an unexpected bug must not sink the batch; keep the evidence
            self.records.append(StageRecord(name, "failed", time.perf_counter() - start, failure_message(exc)))
            return Failed(name)
        return self._done(name, result, time.perf_counter() - start)

    def beside(self, name: str, fn, *args) -> Beside:
        """Stage ``name`` started in a forked child beside the stages after it when a core is spare, else run
        here and now (as is a stage under the budget, where its watchdog holds). ``join`` gives its result."""
        if self.budget is not None or self.cores < 2 or any(isinstance(a, Failed) for a in args):
            return Beside(name, result=self(name, fn, *args))
        self._entered(name)
        place = len(self.records)  # its record goes where it started, before the stages run beside it
        self.records.append(StageRecord(name, "running", 0.0))
        return Beside(name, beside.start(fn, *args), place)

    def join(self, stage: Beside):
        """What calling the stage would have given, recorded the same way."""
        if stage.pending is None:
            return stage.result
        pending, name = stage.pending, stage.name
        try:
            result = pending.join()
        except ReportError as exc:
            self.records[stage.place] = StageRecord(name, "failed", pending.seconds, exc.message, exc.page, exc.said)
            return Failed(name)
        except beside.StageFailed as exc:
            self.records[stage.place] = StageRecord(name, "failed", pending.seconds, str(exc))
            return Failed(name)
        return self._done(name, result, pending.seconds, stage.place)

    def _entered(self, name: str) -> None:
        if self.progress:
            self.progress(self.report_id, name)

    def _done(self, name: str, result, seconds: float, place: int | None = None):
        record = StageRecord(name, "ok", seconds)
        if place is None:
            self.records.append(record)
        else:
            self.records[place] = record
        self.issues += list(getattr(result, "issues", []) or [])
        return result
