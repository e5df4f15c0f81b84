"""The real-world corpus (../shared/corpus/foreign, 1,308 PDFs from the test suites of PDF libraries and
Chinese government reports) as one batch: every file ends as results, partial results or a clear error,
with no traceback, no hang and within the limits.

The batch runs through the command line in one child process with a worker process per core (two on
CI), with limits that keep it well inside CI. The closing note, printed, gives how many
files ended each way and the slowest ones.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from pipeline.runtime.batch import discover

# CI limits for the corpus: a report may take 20 s, OCR at most 2 pages of it; memory as in production.
TIME_LIMIT = 20
OCR_PAGES = 2
MEMORY_MB = 4096
# Work the deadline cannot interrupt (one Tesseract call, one page render, validation and writing) may
# run past it by this much.
OVERRUN_SECONDS = 15
BATCH_TIMEOUT = 40 * 60
WORKERS = min(2, os.cpu_count() or 1)


@pytest.fixture(scope="module")
def corpus_run(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    command = [sys.executable, "-m", "pipeline.cli", "run", str(corpus), "--out", str(out), "--no-store",
               "--time-limit", str(TIME_LIMIT), "--ocr-max-pages", str(OCR_PAGES), "--memory-limit", str(MEMORY_MB),
               "--workers", str(WORKERS), "--lang", "en"]  # the terminal lines asserted below are the English ones
    done = subprocess.run(command, capture_output=True, text=True, timeout=BATCH_TIMEOUT)
    items, _ = discover([corpus])
    return done, items, out


def _ending(folder: Path) -> dict:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    error_path = folder / "error.json"
    error = json.loads(error_path.read_text(encoding="utf-8")) if error_path.exists() else None
    return {"manifest": manifest, "error": error}


@pytest.mark.slow
def test_every_corpus_file_ends_cleanly(corpus_run, capsys):
    done, items, out = corpus_run
    assert done.returncode in (0, 1), done.stderr[-3000:]
    assert "Traceback" not in done.stdout + done.stderr
    assert len(items) >= 1300
    endings = {item.report_id: _ending(out / item.report_id) for item in items}
    counts = Counter(e["manifest"]["status"] for e in endings.values())
    assert set(counts) <= {"ok", "partial", "error"}
    for report_id, e in endings.items():
        manifest, error = e["manifest"], e["error"]
        limits = manifest.get("limits", {})
        if manifest["status"] == "error":
            assert error and error["stage"] and error["message"] and error["file"], report_id
            assert "\n" not in error["message"] and "Traceback" not in error["message"], report_id
            assert f"{report_id}: stage {error['stage']}" in done.stderr
        else:
            assert error is None, report_id
        if limits:
            assert limits["elapsed_seconds"] <= TIME_LIMIT + OVERRUN_SECONDS, (report_id, limits)
            assert limits["peak_resident_mb"] <= MEMORY_MB, (report_id, limits)
    slowest = sorted(endings.items(), key=lambda kv: -kv[1]["manifest"].get("limits", {}).get("elapsed_seconds", 0))[:10]
    with capsys.disabled():
        print(f"\ncorpus: {len(endings)} files: {counts['ok']} results, {counts['partial']} partial, {counts['error']} errors")
        for _report_id, e in slowest:
            limits = e["manifest"]["limits"]
            print(f"  {limits['elapsed_seconds']:7.1f} s  {limits['peak_resident_mb']:5d} MB  {e['manifest']['status']:8s} "
                  f"{e['manifest']['input']}")
    assert counts["partial"] > counts["error"] > 0  # the corpus has both readable files and broken ones
