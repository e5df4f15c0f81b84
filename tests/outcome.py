"""Running `vetreport run` on one file and reading how it ended: results, partial results or an error."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from pipeline.cli import app

OUTCOMES = {"ok", "partial", "error"}


@dataclass
class Outcome:
    exit_code: int
    output: str  # what the command printed (stdout and stderr)
    folder: Path
    manifest: dict
    error: dict | None

    @property
    def status(self) -> str:
        return self.manifest["status"]

    def warnings(self, level: str | None = None) -> list[str]:
        return [w["message"] for w in self.manifest["warnings"] if level is None or w["level"] == level]

    def csv(self, name: str) -> pd.DataFrame:
        return pd.read_csv(self.folder / f"{name}.csv", dtype=str, keep_default_na=False)


def run_cli(pdf: Path, out: Path, *options: str) -> Outcome:
    result = CliRunner(env={"LANGUAGE": "en"}).invoke(app, ["run", str(pdf), "--out", str(out), *options])  # English messages
    folder = out / pdf.stem
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    error_path = folder / "error.json"
    error = json.loads(error_path.read_text(encoding="utf-8")) if error_path.exists() else None
    outcome = Outcome(result.exit_code, result.output, folder, manifest, error)
    assert_clean_ending(outcome)
    return outcome


def assert_clean_ending(outcome: Outcome) -> None:
    """Exactly one of the three endings, said plainly: never a traceback."""
    assert outcome.status in OUTCOMES
    assert "Traceback" not in outcome.output
    if outcome.status == "error":
        assert outcome.exit_code == 1
        assert outcome.error and outcome.error["stage"] and outcome.error["message"] and outcome.error["file"]
        assert f"stage {outcome.error['stage']}" in outcome.output
    else:
        assert outcome.exit_code == 0, outcome.output
        assert outcome.error is None


def value(outcome: Outcome, table_no: int, indicator: str, year: int) -> str:
    frame = outcome.csv("indicators")
    rows = frame[(frame.table_no == str(table_no)) & (frame.indicator == indicator) & (frame.year == str(year))]
    assert len(rows) == 1, rows
    return rows.iloc[0]["value"]
