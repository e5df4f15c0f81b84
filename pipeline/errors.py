"""The one exception type a stage raises for bad input (it names the file, stage and page), and keeping
the PDF libraries' own logging of damaged files out of the output."""

from __future__ import annotations

import logging

from .words import RECORDS, word, words

NOISY_LIBRARIES = ("pdfminer", "pdfplumber", "pypdf", "camelot", "playa", "pypdfium2", "pikepdf")


class ReportError(Exception):
    def __init__(self, stage: str, message: str, path: str = "", page: int | None = None, said: dict | None = None):
        self.stage = stage
        self.message = message  # in words.RECORDS
        self.path = path
        self.page = page
        self.said = said  # the message as a catalogue word, to say it in a reader's language (words.word)
        where = f" page {page}" if page else ""
        super().__init__(f"{path}:{where} [{stage}] {message}" if path else f"[{stage}]{where} {message}")

    @classmethod
    def saying(cls, stage: str, key: str, path: str = "", page: int | None = None, **fields) -> ReportError:
        """The error of a catalogue message: its text in words.RECORDS, its key and fields kept."""
        said = word(key, **fields)
        return cls(stage, words(RECORDS).said(said), path, page, said)

    @property
    def why(self) -> dict | str:
        """What to put in a warning's field: the word when there is one, else the message."""
        return self.said or self.message

    def as_dict(self) -> dict:
        out = {"stage": self.stage, "message": self.message, "path": self.path, "page": self.page}
        return out | ({"key": self.said["key"], "fields": dict(self.said.get("fields") or {})} if self.said else {})


def failure_message(exc: Exception) -> str:
    """What a stage's unexpected exception says in its record: type, message and where it was raised."""
    import traceback
    from pathlib import Path

    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


def quiet_libraries() -> None:
    """The PDF libraries log every oddity of a damaged file; what matters reaches warnings and error.json."""
    for name in NOISY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.ERROR)
