"""The one exception type a stage raises for bad input: it names the file, stage and page."""

from __future__ import annotations


class ReportError(Exception):
    def __init__(self, stage: str, message: str, path: str = "", page: int | None = None):
        self.stage = stage
        self.message = message
        self.path = path
        self.page = page
        where = f" page {page}" if page else ""
        super().__init__(f"{path}:{where} [{stage}] {message}" if path else f"[{stage}]{where} {message}")

    def as_dict(self) -> dict:
        return {"stage": self.stage, "message": self.message, "path": self.path, "page": self.page}
