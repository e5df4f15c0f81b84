"""Where report tasks run: one forked process, worker processes on this machine, or a Dask cluster.

All run ``task.report_task`` and yield one ReportSummary per report as it
finishes. Workers report the stage each report is in; a report whose task
dies or exceeds the time limit becomes an error record, never a lost batch.

A report that runs alone gets one process forked for it (``run_alone``): no
pool to start, and its pages are read by page workers on the cores a batch
would have used. A batch's workers come from a forkserver (fast to start,
and no threads of the parent are inherited). Their stage messages travel as
datagrams on a Unix socket: a worker killed mid-message cannot leave a lock
held or a stream half-written, as it could with a multiprocessing queue.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import multiprocessing.connection
import os
import queue
import signal
import socket
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, wait
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from ..config import BatchSettings, Settings
from .task import BatchError, BatchEvents, BatchItem, ReportSummary, record_failure, remove_leftovers, report_task

POLL_SECONDS = 0.2
SEND_ATTEMPTS = 20  # a stage message waits at most POLL_SECONDS for room in the parent's queue
FIRST_STAGE = "start"  # the stage recorded for a report that failed before it reported any
TASKS_PER_WORKER = 50  # a worker process is replaced after this many reports, so memory cannot creep
# the stages of a lone report that use every core (its pages, and camelot on its ruled pages) and the one between
MEANWHILE_AFTER = ("pages", "sections", "tables")


class StageTracker:
    """The last stage each report reported and when it started, fed from worker messages."""

    def __init__(self, events: BatchEvents):
        self.events = events
        self.stage: dict[str, str] = {}
        self.started: dict[str, float] = {}

    def update(self, report_id: str, stage: str) -> None:
        self.started.setdefault(report_id, time.monotonic())
        self.stage[report_id] = stage
        self.events.stage(report_id, stage)

    def last_stage(self, report_id: str) -> str:
        return self.stage.get(report_id, FIRST_STAGE)

    def elapsed(self, report_id: str) -> float:
        started = self.started.get(report_id)
        return time.monotonic() - started if started is not None else 0.0


def time_limit_message(limit: float) -> str:
    return f"time limit: stopped after {limit:g} s"


def died_message(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"worker process died: killed by {name} (out of memory, or killed from outside)"
    return f"worker process died with exit code {exitcode}"


def crashed_message(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


# ---------------------------------------------------------------- a report alone


def run_alone(
    items: list[BatchItem], out_root: Path, settings: Settings, batch: BatchSettings, events: BatchEvents
) -> Iterator[ReportSummary]:
    """Each report in a process forked for it, one after the other: nothing to start but a fork.

    The hard time limit holds as in a pool: past it the process and its page workers are killed and
    the report recorded as failed. Ctrl-C stops them too.
    """
    tracker = StageTracker(events)
    # once a report is past its pages and its tables (each read on every core), this process imports what
    # loading the store needs, on the core the report's later stages leave free
    meanwhile = _import_store if batch.store_name else None
    for item in items:
        yield _run_forked(item, out_root, settings, batch.time_limit, tracker, meanwhile)


def _import_store() -> None:
    from . import store  # noqa: F401  (importing it is the work)


def _run_forked(item: BatchItem, out_root: Path, settings: Settings, time_limit: float | None,
                tracker: StageTracker, meanwhile=None) -> ReportSummary:
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_forked_task, args=(item, out_root, settings, sender), name=f"vetreport {item.report_id}")
    process.start()
    sender.close()
    _own_group(process.pid)
    try:
        outcome = _outcome(process, receiver, tracker, time_limit, meanwhile)
    finally:  # also on Ctrl-C: nothing of the report keeps running, and no half-written file stays
        _stop_group(process)
        receiver.close()
        remove_leftovers(out_root / item.report_id)
    return outcome if isinstance(outcome, ReportSummary) else _failed(item, out_root, tracker, outcome)


def _outcome(process, receiver, tracker: StageTracker, time_limit: float | None, meanwhile=None) -> ReportSummary | str:
    """The report's summary, or why it has none: past the time limit, crashed, or died.

    ``meanwhile`` is called once, here, when the report has left the stages that use every core (the
    pages, the tables: MEANWHILE_AFTER).
    """
    deadline = None if time_limit is None else time.monotonic() + time_limit
    while True:
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            return time_limit_message(time_limit)
        # The report's page workers inherit the pipe ends that would tell its death (the sentinel, the
        # message pipe's end), so whether it is still alive is asked every POLL_SECONDS.
        multiprocessing.connection.wait([receiver], timeout=POLL_SECONDS if left is None else min(left, POLL_SECONDS))
        alive = process.is_alive()  # before reading: what it sent before it ended is read below
        for kind, *detail in _messages(receiver):
            if kind == "stage":
                tracker.update(*detail)
                if meanwhile and detail[1] not in MEANWHILE_AFTER:
                    meanwhile, call = None, meanwhile
                    call()
            else:  # "done" with the summary, or "crashed" with the message
                return detail[0]
        if not alive:
            return died_message(process.exitcode)


def _messages(receiver) -> Iterator[tuple]:
    """The messages waiting in the pipe, in order."""
    while receiver.poll():
        try:
            yield receiver.recv()
        except EOFError:
            return


def _forked_task(item: BatchItem, out_root: Path, settings: Settings, sender) -> None:
    from ..forked.page_workers import spare_cores

    _own_group(0)

    def progress(report_id: str, stage: str) -> None:
        sender.send(("stage", report_id, stage))

    try:
        # the cores a batch would give other reports read this one's pages (and split its camelot calls,
        # and draw its audit beside the writing)
        summary = report_task(item, out_root, replace(settings, cores=spare_cores()), progress)
    except Exception as exc:  # a bug in the task itself; the parent keeps the evidence
        sender.send(("crashed", crashed_message(exc)))
        return
    sender.send(("done", summary))


def _own_group(pid: int) -> None:
    """Put the report's process in a process group of its own (called on both sides of the fork, so it
    holds whichever runs first): its page workers join it, and it is stopped as one."""
    try:
        os.setpgid(pid, 0)
    except OSError:  # the process is gone already, or the other side did it
        pass


def _stop_group(process) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:  # ended already, with its workers
        pass
    process.join()


# ---------------------------------------------------------------- local worker processes


class StageChannel:
    """A Unix datagram socket in a private temporary folder; workers send (report_id, stage) to it."""

    def __init__(self):
        self._folder = tempfile.TemporaryDirectory(prefix="vetreport-")
        self.address = str(Path(self._folder.name) / "stages")
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.bind(self.address)
        self._socket.setblocking(False)

    def receive(self) -> list[tuple[str, str]]:
        messages = []
        while True:
            try:
                data = self._socket.recv(65536)
            except BlockingIOError:
                return messages
            message = json.loads(data)
            messages.append((message["report_id"], message["stage"]))

    def close(self) -> None:
        self._socket.close()
        self._folder.cleanup()


_sender: socket.socket | None = None


def _send_stage(address: str, report_id: str, stage: str) -> None:
    global _sender
    if _sender is None:
        _sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        _sender.setblocking(False)  # a full queue drops the message rather than stall the report
    message = json.dumps({"report_id": report_id, "stage": stage}).encode("utf-8")
    # The parent's queue holds few datagrams (net.unix.max_dgram_qlen, 10 by default) and is drained
    # every POLL_SECONDS: when it is full, wait for one drain at most, then drop the message.
    for _ in range(SEND_ATTEMPTS):
        try:
            _sender.sendto(message, address)
            return
        except BlockingIOError:
            time.sleep(POLL_SECONDS / SEND_ATTEMPTS)
        except OSError:
            return  # progress is best effort; the report itself must go on


def _local_task(item: BatchItem, out_root: Path, settings: Settings, address: str) -> ReportSummary:
    return report_task(item, out_root, settings, progress=lambda report_id, stage: _send_stage(address, report_id, stage))


def worker_context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipeline.runtime.preload"])
    return context


def run_local(
    items: list[BatchItem], out_root: Path, settings: Settings, batch: BatchSettings, events: BatchEvents
) -> Iterator[ReportSummary]:
    from pebble import ProcessExpired, ProcessPool

    tracker = StageTracker(events)
    channel = StageChannel()
    pool = ProcessPool(max_workers=max(1, batch.workers), max_tasks=TASKS_PER_WORKER, context=worker_context())
    try:
        futures = {
            pool.schedule(_local_task, args=(item, out_root, settings, channel.address), timeout=batch.time_limit): item
            for item in items
        }
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for report_id, stage in channel.receive():
                tracker.update(report_id, stage)
            for future in done:
                item = futures[future]
                try:
                    yield future.result()
                except TimeoutError:
                    yield _failed(item, out_root, tracker, time_limit_message(batch.time_limit))
                except ProcessExpired as exc:
                    yield _failed(item, out_root, tracker, died_message(exc.exitcode))
                except Exception as exc:  # a bug in the task itself; keep the evidence, run the rest
                    yield _failed(item, out_root, tracker, crashed_message(exc))
    finally:
        pool.stop()
        pool.join()
        channel.close()


def _failed(item: BatchItem, out_root: Path, tracker: StageTracker, message: str) -> ReportSummary:
    return record_failure(item, out_root, tracker.last_stage(item.report_id), message, tracker.elapsed(item.report_id))


# ---------------------------------------------------------------- Dask distributed


class TimeLimitExceeded(Exception):
    def __init__(self, stage: str):
        super().__init__(stage)
        self.stage = stage


def _dask_task(item: BatchItem, out_root: str, settings: Settings, topic: str, time_limit: float | None) -> ReportSummary:
    """report_task on a Dask worker: stages are logged as events; past the time limit it stops at the next stage."""
    from distributed import get_worker

    worker = get_worker()
    start = time.monotonic()
    current = {"stage": FIRST_STAGE}

    def progress(report_id: str, stage: str) -> None:
        if time_limit is not None and time.monotonic() - start > time_limit:
            raise TimeLimitExceeded(current["stage"])
        current["stage"] = stage
        worker.log_event(topic, {"report_id": report_id, "stage": stage})

    try:
        return report_task(item, Path(out_root), settings, progress)
    except TimeLimitExceeded as exc:
        return record_failure(item, Path(out_root), exc.stage, time_limit_message(time_limit), time.monotonic() - start)


@contextmanager
def dask_client(batch: BatchSettings):
    """A client of the scheduler at ``batch.scheduler``, or of a LocalCluster started (and closed) here."""
    import logging

    from distributed import Client, LocalCluster

    if batch.scheduler:
        try:
            client = Client(batch.scheduler, timeout=f"{batch.scheduler_timeout}s")
        except (OSError, ValueError) as exc:
            raise BatchError(f"cannot reach the Dask scheduler at {batch.scheduler}: {exc}") from exc
        with client:
            yield client
        return
    with LocalCluster(
        n_workers=max(1, batch.workers), threads_per_worker=1, processes=True,
        dashboard_address=":0", silence_logs=logging.ERROR,
    ) as cluster, Client(cluster) as client:
        yield client


def run_dask(
    items: list[BatchItem], out_root: Path, settings: Settings, batch: BatchSettings, events: BatchEvents
) -> Iterator[ReportSummary]:
    """The same task on a Dask cluster; out_root must be a path the workers see (a shared filesystem).

    A worker thread cannot be killed from outside: a report past its limit stops
    at its next stage boundary, and one stuck inside a stage longer than twice
    the limit is recorded as failed here and its task cancelled.
    """
    import uuid

    tracker = StageTracker(events)
    messages: queue.Queue = queue.Queue()
    topic = f"vetreport-stages-{uuid.uuid4().hex}"
    with dask_client(batch) as client:
        client.subscribe_topic(topic, lambda event: messages.put(event[1]))
        futures = {
            client.submit(_dask_task, item, str(out_root.resolve()), settings, topic, batch.time_limit, pure=False): item
            for item in items
        }
        remaining = set(futures)
        while remaining:
            _drain(messages, tracker)
            for future in [f for f in remaining if f.done()]:
                remaining.discard(future)
                yield _dask_outcome(future, futures[future], out_root, tracker)
            for future in [f for f in remaining if tracker.elapsed(futures[f].report_id) > 2 * (batch.time_limit or math.inf)]:
                remaining.discard(future)
                future.cancel()
                yield _failed(futures[future], out_root, tracker, time_limit_message(batch.time_limit))
            if remaining:
                time.sleep(POLL_SECONDS)
        client.unsubscribe_topic(topic)


def _drain(messages: queue.Queue, tracker: StageTracker) -> None:
    while True:
        try:
            message = messages.get_nowait()
        except queue.Empty:
            return
        tracker.update(message["report_id"], message["stage"])


def _dask_outcome(future, item: BatchItem, out_root: Path, tracker: StageTracker) -> ReportSummary:
    try:
        return future.result()
    except Exception as exc:  # the worker died (KilledWorker) or the task raised
        return _failed(item, out_root, tracker, crashed_message(exc))
