"""Reading a report's pages in this process, or in forked worker processes when there are cores to spare.

The page stage reads every page with one function (``read_one``: a page of
the open file in, its Page record and the issues reading it raised out).
``read_pages`` calls it on each page here, or — given two or more ``workers``,
as a lone report's process is — hands runs of pages to worker
processes that call the very same function and send back what it returned.
Records and issues are put together in page order, so the document is the
one a sequential read gives.

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
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from ..errors import ReportError
from ..limits import Budget, LimitExceeded

PAGES_PER_TASK = 4  # small runs keep the workers evenly busy (pages differ a lot in cost)
MIN_PAGES_PER_WORKER = 4  # fewer pages are read here: starting a worker would cost more than it saves
WORKER_NICENESS = 5


def spare_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def read_pages(items: list, read_one: Callable, budget: Budget, stage: str, reopen: Callable[[], list],
               workers: int = 1, meanwhile: Callable[[], None] | None = None) -> tuple[list, list]:
    """(pages, issues): every page of ``items`` (the document's pages in order, physical page = index + 1)
    read by ``read_one``, which returns a page's record and the issues reading it raised.

    With ``workers`` of two or more, runs of pages are read by up to that many forked processes while
    ``meanwhile`` runs here. ``reopen`` opens the file again and returns its ``items`` (a worker reads
    from its own copy).
    """
    workers = min(workers, len(items) // MIN_PAGES_PER_WORKER)
    if workers < 2:
        return _read(items, range(len(items)), read_one, budget, stage)
    return _read_in_workers(len(items), read_one, budget, stage, reopen, workers, meanwhile)


def _read(items: list, indexes: range, read_one: Callable, budget: Budget, stage: str) -> tuple[list, list]:
    pages, issues = [], []
    for index in indexes:
        budget.check(stage, index + 1)
        page, page_issues = read_one(items[index])
        pages.append(page)
        issues += page_issues
    return pages, issues


# ---------------------------------------------------------------- workers


@dataclass
class _Job:
    """What a forked worker inherits (nothing of it is pickled)."""

    read_one: Callable
    budget: Budget
    stage: str
    reopen: Callable[[], list]


_job: _Job | None = None
_items: list | None = None  # in a worker: the pages of its own open of the file


def _read_in_workers(count: int, read_one: Callable, budget: Budget, stage: str, reopen: Callable[[], list],
                     workers: int, meanwhile: Callable[[], None] | None) -> tuple[list, list]:
    global _job
    runs = [range(start, min(start + PAGES_PER_TASK, count)) for start in range(0, count, PAGES_PER_TASK)]
    _job = _Job(read_one, budget, stage, reopen)
    pages: list = []
    issues: list = []
    budget.check(stage, 1)  # until a run comes back, a timeout here names its first page
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker)
    try:
        futures = [pool.submit(_read_run, run) for run in runs]  # the workers are forked here, all at once
        _run_meanwhile(meanwhile)
        for run, future in zip(runs, futures):
            budget.check(stage, run.start + 1)  # a timeout while waiting names the first page not yet back
            try:
                run_pages, run_issues, failure = future.result()
            except BrokenProcessPool as exc:  # which run it was reading is not known: the pool ends for all
                raise ReportError(stage, f"a page worker died (out of memory, or a crash in a native library); pages "
                                         f"{run.start + 1}-{count} were not read", budget.path, run.start + 1) from exc
            if failure is not None:
                _raise(failure)
            pages += run_pages
            issues += run_issues
    finally:
        _job = None
        _stop(pool)
    return pages, issues


def _stop(pool: ProcessPoolExecutor) -> None:
    """The workers are done, or their stage failed or was interrupted: none is left running."""
    for process in list(getattr(pool, "_processes", {}).values()):
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def _run_meanwhile(meanwhile: Callable[[], None] | None) -> None:
    if meanwhile is None:
        return
    try:
        meanwhile()
    except LimitExceeded:
        raise
    except Exception:  # only a head start: the stage that needs what failed here meets the error itself
        pass


def _start_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the report's process, which stops the workers
    # The report's process imports what the later stages need meanwhile (``meanwhile``), and the workers
    # finish first: with a lower priority they leave it a core of its own and take both cores after it.
    try:
        os.nice(WORKER_NICENESS)
    except OSError:
        pass


def _read_run(run: range) -> tuple[list, list, tuple | None]:
    """Pages ``run`` (0-based) read in a worker: (pages, the issues they raised, a failure or None)."""
    global _items
    job = _job
    try:
        if _items is None:
            _items = job.reopen()
        pages, issues = _read(_items, run, job.read_one, job.budget, job.stage)
        return pages, issues, None
    except ReportError as exc:  # a limit: raised again, as it is, in the report's process
        return [], [], ("report", type(exc), (exc.stage, exc.message, exc.path, exc.page, exc.said))
    except Exception as exc:
        return [], [], ("other", _picklable(exc), traceback.format_exc())


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
