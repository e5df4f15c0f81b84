"""Per-report limits: a time budget and a memory ceiling, checked between pages.

The stages call ``Budget.check(stage, page)`` between units of work. So that
one pathological page cannot hang the run inside pure-Python parsing, the
budget also arms a timer signal (main thread, POSIX only) that raises the
same error when the deadline passes; if library code swallows it, the next
cooperative check raises again. Rendering and OCR are bounded separately
(a pixel budget per page image, a timeout per Tesseract call), and the
multi-process executor adds a hard kill on top of all this.
"""

from __future__ import annotations

import gc
import signal
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict

import psutil

from .config import Limits
from .errors import ReportError

# After the deadline the timer fires again this often, in case an interrupted call swallowed the error.
REFIRE_SECONDS = 1.0


class LimitExceeded(ReportError):
    """A per-report limit was hit: the report ends as an error, or partial when earlier stages finished."""


def resident_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


class Budget:
    """The limits of one report, with where the work stands (for the error message)."""

    def __init__(self, limits: Limits | None = None, path: str = ""):
        self.limits = limits or Limits()
        self.path = path
        self.started = time.monotonic()
        self.deadline = self.started + self.limits.seconds if self.limits.seconds > 0 else None
        self.stage = ""
        self.page: int | None = None
        self.ocr_pages = 0
        self.peak_mb = 0.0  # the largest resident memory seen by a check

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def check(self, stage: str, page: int | None = None) -> None:
        """Raise LimitExceeded when the time budget is spent or memory is over the ceiling."""
        self.stage, self.page = stage, page
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise self._time_error()
        ceiling = self.limits.memory_mb
        used = resident_mb()
        self.peak_mb = max(self.peak_mb, used)
        if ceiling > 0 and used > ceiling:
            gc.collect()
            used = resident_mb()
            if used > ceiling:
                raise LimitExceeded(stage, f"memory limit of {ceiling} MB exceeded ({used:.0f} MB resident)", self.path, page)

    def summary(self) -> dict:
        """For manifest.json: the limits that held, the time taken and the memory seen."""
        return {**asdict(self.limits), "elapsed_seconds": round(self.elapsed(), 3), "peak_resident_mb": round(self.peak_mb)}

    def _time_error(self) -> LimitExceeded:
        return LimitExceeded(self.stage or "?", f"time limit of {self.limits.seconds:g} s exceeded", self.path, self.page)

    @contextmanager
    def watchdog(self):
        """Interrupt pure-Python work that runs past the deadline (main thread on POSIX only)."""
        usable = self.deadline is not None and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
        if not usable:
            yield
            return

        def on_timer(signum, frame):
            raise self._time_error()

        def quiet_in_finalisers(unraisable):
            # raised inside a finaliser or weakref callback, the error cannot propagate and Python
            # would print it with a traceback; the timer fires again and raises it where it can
            if not isinstance(unraisable.exc_value, LimitExceeded):
                previous_hook(unraisable)

        previous, previous_hook = signal.signal(signal.SIGALRM, on_timer), sys.unraisablehook
        sys.unraisablehook = quiet_in_finalisers
        signal.setitimer(signal.ITIMER_REAL, max(self.remaining() or 0.0, 0.001), REFIRE_SECONDS)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            sys.unraisablehook = previous_hook
