"""manifest.json: what a run of one report was (input, status, stages, counts, warnings, options, limits).

This module is the file's one owner: it builds the manifest of a finished run (``of_result``) and of a
run whose process never finished (``of_failure``), writes it atomically and reads it back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from ..files import file_sha256, write_json
from ..words import Words, warning_text

if TYPE_CHECKING:
    from ..result import ReportResult

MANIFEST = "manifest.json"
ERROR = "error.json"


def package_version() -> str:
    # not with the module: it takes as long to import as the rest of it
    from importlib import metadata

    try:
        return metadata.version("vetreport")
    except metadata.PackageNotFoundError:
        return "0+unknown"


class Unreadable(Exception):
    """A manifest.json or error.json that is damaged: not JSON, or not the object a run writes."""


def read(out_dir: Path, name: str = MANIFEST) -> dict | None:
    """The folder's manifest.json (or error.json: ``name``), or None when it has none or a damaged one."""
    try:
        return load(out_dir, name)
    except Unreadable:
        return None


def load(out_dir: Path, name: str = MANIFEST) -> dict:
    """The folder's manifest.json (or error.json: ``name``); Unreadable, saying why, when it is missing or damaged."""
    path = Path(out_dir) / name
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else ""
        raise Unreadable(f"{path.parent.name}/{name} cannot be read ({type(exc).__name__}: {first_line})") from None
    if not isinstance(content, dict):
        raise Unreadable(f"{path.parent.name}/{name} is not the JSON object `vetreport run` writes")
    return content


def write(out_dir: Path, manifest: dict) -> None:
    write_json(Path(out_dir) / MANIFEST, manifest)


def of_result(result: ReportResult, files: list[str], stale: list[str]) -> dict:
    from ..records import Document

    doc, pdf = result.doc, result.pdf
    is_doc = isinstance(doc, Document)
    manifest = {
        "report_id": result.report_id,
        "input": str(pdf.resolve()),  # absolute: `vetreport audit` finds the PDF from any folder
        "sha256": doc.sha256 if is_doc else (file_sha256(pdf) if pdf.is_file() else None),
        "pages": doc.page_count if is_doc else None,
        "producer": doc.producer if is_doc else None,
        "creator": doc.creator if is_doc else None,
        "package_version": package_version(),
        "status": result.status,
        "stages": [
            {"name": r.name, "status": r.status, "seconds": round(r.seconds, 3), **({"message": r.message} if r.message else {}),
             **({"page": r.page} if r.page else {}),
             **({"key": r.said["key"], "fields": dict(r.said.get("fields") or {})} if r.said else {})}
            for r in result.stages
        ],
        "row_counts": result.row_counts,
        "warnings": [i.as_dict() for i in result.issues],
        "files": files,
    }
    if stale:
        manifest["removed_stale_files"] = stale
    manifest["options"] = result.options
    indicators = result.indicators
    if getattr(indicators, "template", None):  # not when the indicator stage failed
        manifest["template"] = {"id": indicators.template, "why": indicators.template_reason}
    if getattr(indicators, "about", None):  # not when the indicator stage failed
        manifest["report"] = indicators.about
    if result.limits is not None:
        manifest["limits"] = result.limits
    manifest["read_by_eye"] = read_by_eye(result)
    return manifest


def read_by_eye(result: ReportResult) -> dict[str, int]:
    """The appendix values read by OCR that are in doubt, and the findings that use them (verdict unreadable)."""
    frame = getattr(result.indicators, "frame", None)
    values = int((frame["doubt"].fillna("") != "").sum()) if frame is not None and "doubt" in frame else 0
    findings = result.frames.get("findings")
    unreadable = int((findings["verdict"] == "unreadable").sum()) if findings is not None and "verdict" in findings else 0
    return {"values": values, "findings": unreadable}


def of_failure(report_id: str, pdf: Path, stage: str, message: str, seconds: float) -> dict:
    """The manifest of a report whose process never finished (killed, died, crashed)."""
    return {
        "report_id": report_id,
        "input": str(pdf.resolve()),
        "sha256": file_sha256(pdf) if pdf.is_file() else None,
        "pages": None,
        "producer": None,
        "creator": None,
        "package_version": package_version(),
        "status": "error",
        "stages": [{"name": stage, "status": "failed", "seconds": round(seconds, 3), "message": message}],
        "row_counts": {},
        "warnings": [],
    }


def failed_stage(manifest: dict) -> dict | None:
    """The stage that failed a run whose status is error."""
    if manifest.get("status") != "error":
        return None
    return next((s for s in manifest.get("stages") or [] if s.get("status") == "failed"), None)


def _stage_said(stage: dict, t: Words | None) -> str:
    """A stage that did not finish: "stage tables failed: …", or in ``t``'s words."""
    name, status = stage.get("name"), stage.get("status")
    message = (warning_text(stage, t) if t else "") or str(stage.get("message") or "")
    if t is None:
        return f"stage {name} {status}" + (f": {message}" if message else "")
    said = t("partial.stage", stage=t.get(f"stage.{name}", str(name)), status=t.get(f"stage_status.{status}", str(status)))
    return said + (t("partial.because", message=message) if message else "")


def _page_said(page, t: Words | None) -> str:
    if not page:
        return ""
    return f"{t.page(page)} " if t else f"p.{page} "


def partial_of(manifest: dict) -> dict:
    """What partial_reasons reads of a partial run's manifest (its stages and warnings), to say them later in a
    reader's language; empty for a run that is not partial."""
    if manifest.get("status") != "partial":
        return {}
    return {"stages": manifest.get("stages") or [], "warnings": manifest.get("warnings") or []}


def partial_reasons(manifest: dict, t: Words | None = None) -> list[str]:
    """Why a run's results are partial: each stage that did not finish, then each warning of level ``missing``
    (in ``t``'s language when given and the warning has a catalogue key, else as the stage wrote it)."""
    stages = [_stage_said(s, t) for s in manifest.get("stages") or [] if s.get("status") not in (None, "ok")]
    missing = [_page_said(w.get("page"), t) + (warning_text(w, t) if t else str(w.get("message", "")))
               for w in manifest.get("warnings") or [] if isinstance(w, dict) and w.get("level") == "missing"]
    return stages + missing
