"""A review made in the app takes effect at once: findings.csv and the store in the request, audit.html/md after.

Many reviews at once share the work: each asks (``Coalesced.ask``) once what it changed is written, and a
piece of work (a store load, a redraw) covers every ask made before it starts reading; an ask it covers does
not do it again. The store is loaded in the request, so the answer says whether it was. Drawing the audit
report again cuts the evidence images from the PDF, which takes a moment, so it runs after the answer is
sent; a page load right after still sees the new status in audit.html, because each review asks for the
redraw before its answer is sent and the app's audit.html route waits (``Coalesced.wait``) until the redraws
asked for that report are done.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from ..writers.audit import redraw_audit, source_pdf
from .pages import PDFIUM

WAIT = 120.0  # seconds the audit.html route waits for a redraw before it serves the file as it is


class Coalesced:
    """Work on a report folder that reviews ask for, done once for all the asks made before it starts, one at a
    time per report; ``said`` turns what went wrong into what the app tells the person."""

    def __init__(self, work: Callable[[Path], object], said: Callable[[Path, Exception], str]):
        self.work, self.said = work, said
        self._changed = threading.Condition()
        self._asked: dict[Path, int] = defaultdict(int)
        self._done: dict[Path, int] = defaultdict(int)
        self._problems: dict[Path, str] = {}
        self._one_at_a_time: dict[Path, threading.Lock] = defaultdict(threading.Lock)

    def ask(self, folder: Path) -> None:
        with self._changed:
            self._asked[folder] += 1

    def run(self, folder: Path) -> str | None:
        """Do the work unless one that started after the last ask did it; what went wrong with it, if anything."""
        with self._changed:
            one_at_a_time = self._one_at_a_time[folder]  # made under the condition's lock: one per report
        with one_at_a_time:
            with self._changed:
                covered = self._asked[folder]
                if self._done[folder] >= covered:
                    return self._problems.get(folder)
            try:
                self.work(folder)
                problem = None
            except Exception as exc:  # the PDF gone, the store busy or damaged: said, and the app goes on
                problem = self.said(folder, exc)
            self.settle(folder, covered, problem)
            return problem

    def settle(self, folder: Path, covered: int | None = None, problem: str | None = None) -> None:
        """The asks up to ``covered`` (all when None) are done, with ``problem`` (None: done well)."""
        with self._changed:
            self._done[folder] = self._asked[folder] if covered is None else covered
            if problem:
                self._problems[folder] = problem
            else:
                self._problems.pop(folder, None)
            self._changed.notify_all()

    def wait(self, folder: Path, timeout: float = WAIT) -> bool:
        """Until every ask made for the report is done (False when ``timeout`` passed first)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._done[folder] >= self._asked[folder], timeout)

    def problem(self, folder: Path) -> str | None:
        """What went wrong the last time the work was done for the report, if anything."""
        with self._changed:
            return self._problems.get(folder)


def redraws() -> Coalesced:
    """audit.html and audit.md drawn again from the PDF the report's manifest.json names."""
    return Coalesced(_redraw, cannot_redraw)


def _redraw(folder: Path) -> None:
    with PDFIUM:  # the app's page renders use PDFium too: one thread at a time
        redraw_audit(folder, source_pdf(folder))


def store_loads(load_store: Callable[[Path], object]) -> Coalesced:
    """The report folder loaded into the store (``load_store``: the runtime's, as a run loads it)."""
    return Coalesced(load_store, store_not_updated)


def cannot_redraw(folder: Path, exc: Exception) -> str:
    return (f"audit.html and audit.md could not be redrawn ({exc}); findings.csv and the store hold the review: "
            f"run `vetreport audit {folder.name} --pdf PATH` to redraw them")


def store_not_updated(folder: Path, exc: Exception) -> str:
    first_line = str(exc).splitlines()[0][:200] if str(exc) else ""
    return (f"the store was not updated ({type(exc).__name__}: {first_line}); findings.csv holds the review and the "
            f"next `vetreport run` loads it")
