"""Reading a report's pages in this process, or in forked worker processes when there are cores to spare.

The page stage reads every page with one function (``read_one``, the page
stage's one-page reader). ``read_pages`` calls it on each page here, or —
inside ``parallel(workers)``, which a lone report's process enters — hands
runs of pages to worker processes that call the very same function and send
back the Page records and the issues reading them raised. Records and issues
are put together in page order, so the document is the one a sequential read
gives.

Workers are forked when the pages are read: they start at once, with this
process's modules, settings and document. Each opens the PDF again (a
forked file handle would share its read position with this process). The
time and memory limits hold in the workers as here: each checks the
budget before each page, and this process's deadline timer interrupts the
wait. While the workers read, this process runs ``meanwhile`` (the lone
report imports what its later stages need), work it would otherwise do
after the pages.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import traceback
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

from .errors import ReportError
from .limits import Budget, LimitExceeded

PAGES_PER_TASK = 4  # small runs keep the workers evenly busy (pages differ a lot in cost)
MIN_PAGES_PER_WORKER = 4  # fewer pages are read here: starting a worker would cost more than it saves


@dataclass(frozen=True)
class Parallel:
    workers: int
    meanwhile: Callable[[], None] | None = None


_parallel = Parallel(workers=1)


@contextmanager
def parallel(workers: int, meanwhile: Callable[[], None] | None = None):
    """Within this block, pages are read by up to ``workers`` forked processes; ``meanwhile`` runs here
    while they read."""
    global _parallel
    previous, _parallel = _parallel, Parallel(max(1, workers), meanwhile)
    try:
        yield
    finally:
        _parallel = previous


def spare_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def read_pages(raw_pages: list, read_one: Callable, issues: list, budget: Budget, stage: str,
               reopen: Callable[[], list]) -> list:
    """Every page read by ``read_one`` (which appends what it finds wrong to ``issues``), in page order.

    ``reopen`` opens the file again and returns its raw pages (a worker reads from its own copy).
    """
    workers = min(_parallel.workers, len(raw_pages) // MIN_PAGES_PER_WORKER)
    if workers < 2:
        return [_read(raw, read_one, budget, stage) for raw in raw_pages]
    return _read_in_workers([raw.page_number for raw in raw_pages], read_one, issues, budget, stage, reopen, workers)


def _read(raw, read_one: Callable, budget: Budget, stage: str):
    budget.check(stage, raw.page_number)
    page = read_one(raw)
    raw.close()  # the page's parsed objects are not needed again
    return page


# ---------------------------------------------------------------- workers


@dataclass
class _Job:
    """What a forked worker inherits (nothing of it is pickled)."""

    read_one: Callable
    issues: list
    budget: Budget
    stage: str
    reopen: Callable[[], list]


_job: _Job | None = None
_raw_pages: list | None = None


def _read_in_workers(numbers: list[int], read_one: Callable, issues: list, budget: Budget, stage: str,
                     reopen: Callable[[], list], workers: int) -> list:
    global _job
    count = len(numbers)
    runs = [range(start, min(start + PAGES_PER_TASK, count)) for start in range(0, count, PAGES_PER_TASK)]
    _job = _Job(read_one, issues, budget, stage, reopen)
    pages: list = []
    budget.check(stage, numbers[0])  # until a run comes back, a timeout here names its first page
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker)
    try:
        futures = [pool.submit(_read_run, run) for run in runs]  # the workers are forked here, all at once
        _run_meanwhile()
        for run, future in zip(runs, futures):
            first = numbers[run.start]
            budget.check(stage, first)  # a timeout while waiting names the first page not yet back
            try:
                run_pages, run_issues, failure = future.result()
            except BrokenProcessPool as exc:  # which run it was reading is not known: the pool ends for all
                raise ReportError(stage, f"a page worker died (out of memory, or a crash in a native library); pages "
                                         f"{first}-{numbers[-1]} were not read", budget.path, first) from exc
            if failure is not None:
                _raise(failure)
            pages += run_pages
            issues.extend(run_issues)
    finally:
        _job = None
        _stop(pool)
    return pages


def _stop(pool: ProcessPoolExecutor) -> None:
    """The workers are done, or their stage failed or was interrupted: none is left running."""
    for process in list(getattr(pool, "_processes", {}).values()):
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def _run_meanwhile() -> None:
    if _parallel.meanwhile is None:
        return
    try:
        _parallel.meanwhile()
    except LimitExceeded:
        raise
    except Exception:  # only a head start: the stage that needs what failed here meets the error itself
        pass


def _start_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the report's process, which stops the workers


def _read_run(run: range) -> tuple[list, list, tuple | None]:
    """Pages ``run`` (0-based) read in a worker: (pages, the issues they raised, a failure or None)."""
    global _raw_pages
    job = _job
    before = len(job.issues)
    pages = []
    try:
        if _raw_pages is None:
            _raw_pages = job.reopen()
        pages = [_read(_raw_pages[index], job.read_one, job.budget, job.stage) for index in run]
        failure = None
    except ReportError as exc:  # a limit: raised again, as it is, in the report's process
        failure = ("report", type(exc), (exc.stage, exc.message, exc.path, exc.page))
    except Exception as exc:
        failure = ("other", _picklable(exc), traceback.format_exc())
    new_issues = job.issues[before:]
    del job.issues[before:]
    return pages, new_issues, failure


def _picklable(exc: Exception) -> Exception:
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


class RemoteTraceback(Exception):
    """The traceback of an error raised in a page worker, attached as the cause of the error raised here."""

    def __str__(self) -> str:
        return self.args[0]


def _raise(failure: tuple) -> None:
    kind, error, detail = failure
    if kind == "report":
        raise error(*detail)
    raise error from RemoteTraceback(detail)
