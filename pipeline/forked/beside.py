"""Work run in a forked process beside the work that comes after it, when a core is spare.

A lone report's process has the machine's cores to itself (Settings.cores).
The audit (evidence images cropped from the PDF, audit.html) needs only the
findings, and nothing after it needs the audit, so it can draw its images while
this process validates and writes the CSVs; camelot's calls on the ruled pages
are split into shares read side by side (tables.lattice). ``start`` forks a
child that calls the function, ``Pending.join`` waits for it and returns what
the call returned, or raises what it raised (a ReportError as itself, anything
else as StageFailed with its message and where it was raised). Where no core is
spare (a batch gives each report one), the caller calls the function itself
(StageRunner.beside, tables.lattice).

The child is in the report's process group and ignores Ctrl-C: a time limit or
Ctrl-C stops the report's process, which stops its group (``cancel`` stops a
child whose result is no longer waited for).
"""

from __future__ import annotations

import multiprocessing
import signal
import time
from collections.abc import Callable

from ..errors import ReportError, failure_message


class StageFailed(Exception):
    """The stage raised in the child (the message says what and where) or the child died."""


class Pending:
    """A stage function's outcome: ``join()`` returns its result or raises, and sets ``seconds``."""

    def __init__(self, process, receiver):
        self._process, self._receiver, self._outcome, self.seconds = process, receiver, None, 0.0

    def cancel(self) -> None:
        """Stop the child if it is still running (the caller stopped waiting: a limit, Ctrl-C)."""
        if self._outcome is None and self._process.is_alive():
            self._process.kill()
            self._process.join()

    def join(self):
        if self._outcome is None:
            self._outcome, self.seconds = _wait(self._process, self._receiver)
        kind, detail = self._outcome
        if kind == "report":
            error_class, fields = detail
            raise error_class(*fields)
        if kind == "failed":
            raise StageFailed(detail)
        return detail


def start(fn: Callable, *args) -> Pending:
    """``fn(*args)`` in a forked child (its caller has a core to spare for it)."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(fn, args, sender), daemon=True)
    process.start()
    sender.close()
    return Pending(process, receiver)


def _call(fn: Callable, args: tuple) -> tuple[tuple, float]:
    """(outcome, seconds): ("ok", result), ("report", (a ReportError's class, its fields)) or ("failed", message)."""
    began = time.perf_counter()
    try:
        outcome = ("ok", fn(*args))
    except ReportError as exc:  # a limit (LimitExceeded) among them: raised again as what it was
        outcome = ("report", (type(exc), (exc.stage, exc.message, exc.path, exc.page, exc.said)))
    except Exception as exc:
        outcome = ("failed", failure_message(exc))
    return outcome, time.perf_counter() - began


def _child(fn: Callable, args: tuple, sender) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the report's process, which stops its group
    outcome, seconds = _call(fn, args)
    try:
        sender.send((outcome, seconds))
    except Exception as exc:  # a result that cannot be sent back
        sender.send((("failed", f"its result cannot be sent back ({failure_message(exc)})"), seconds))
    sender.close()


def _wait(process, receiver) -> tuple[tuple, float]:
    try:
        outcome, seconds = receiver.recv()
    except EOFError:  # the child ended without a word: killed, or a crash in a native library
        process.join()
        return ("failed", f"its process died (exit code {process.exitcode})"), 0.0
    finally:
        receiver.close()
    process.join()
    return outcome, seconds
