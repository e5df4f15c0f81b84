"""Shared fixtures: the reference report processed once per session, and the shared corpus."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "raw" / "pudong-zhongzhi-2024.pdf"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "foreign"

sys.path.insert(0, str(Path(__file__).parent))  # tests/pdfs.py


@dataclass
class Extracted:
    doc: object
    sections: object
    tables: object
    indicators: object
    cases: object


def extract_all(pdf: Path) -> Extracted:
    from pipeline.cases import extract_cases
    from pipeline.config import Settings
    from pipeline.indicators import extract_indicators
    from pipeline.pages import extract_pages
    from pipeline.sections import extract_sections
    from pipeline.tables import extract_tables

    settings = Settings()
    doc = extract_pages(pdf, settings.pages)
    sections = extract_sections(doc)
    tables = extract_tables(doc, settings.tables)
    indicators = extract_indicators(doc.report_id, tables, doc)
    cases = extract_cases(doc, sections, tables)
    return Extracted(doc, sections, tables, indicators, cases)


@pytest.fixture(scope="session")
def reference() -> Extracted:
    return extract_all(REFERENCE)


@pytest.fixture(scope="session")
def reference_run(tmp_path_factory):
    """The whole pipeline on the reference PDF, files written to a temporary folder."""
    from pipeline.process import process_report

    out = tmp_path_factory.mktemp("out")
    return process_report(REFERENCE, out)


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS} (clone with ../shared beside the repository)")
    return CORPUS


def table(extracted: Extracted, table_id: str):
    return next(t for t in extracted.tables.tables if t.table_id == table_id)


CORRUPT_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"
BATCH_COPIES = ("district-2023", "district-2024", "school-a-2024")


@dataclass
class BatchRun:
    inputs: Path
    out: Path
    exit_code: int
    output: str


ENGLISH_LOCALE = {"LANGUAGE": "en"}  # the command's messages (and audit.html) in English, as the tests quote them


def run_cli(*args: str):
    """`vetreport ARGS` in an English locale (tests/test_i18n.py checks the Chinese default)."""
    from typer.testing import CliRunner

    from pipeline.cli import app

    return CliRunner(env=ENGLISH_LOCALE).invoke(app, list(args))


@pytest.fixture(scope="session")
def batch_run(tmp_path_factory) -> BatchRun:
    """The reference PDF under three names plus one corrupt file, run as one batch on two workers."""
    import shutil

    root = tmp_path_factory.mktemp("batch")
    inputs = root / "in"
    inputs.mkdir()
    for name in BATCH_COPIES:
        shutil.copy(REFERENCE, inputs / f"{name}.pdf")
    (inputs / "corrupt.pdf").write_bytes(CORRUPT_PDF)
    result = run_cli("run", str(inputs), "--out", str(root / "out"), "--workers", "2")
    return BatchRun(inputs, root / "out", result.exit_code, result.output)


# ---------------------------------------------------------------- renderings by other producers (tests/renders.py)


@pytest.fixture(scope="session")
def rendered(request, tmp_path_factory):
    """``rendered(variant, producer)`` → the PDF of that rendering, printed once per session.

    Whole reports are kept in pytest's cache folder keyed by their inputs (model, templates,
    styles, renders.py), so a second session does not print them again; CI's clean clone does.
    """
    import renders

    cache = Path(request.config.cache.mkdir("renders"))
    focused = tmp_path_factory.mktemp("focused")
    made: dict[tuple[str, str], Path] = {}

    def get(variant: str, producer: str) -> Path:
        if not renders.producer_available(producer):
            pytest.skip(f"{producer} is not installed")
        key = (variant, producer)
        if key not in made:
            if variant in renders.FOCUSED:
                made[key] = renders.FOCUSED[variant](focused / f"{variant}-{producer}.pdf", producer)
            else:
                made[key] = renders.cached_render(variant, producer, cache)
        return made[key]

    return get


@pytest.fixture(scope="session")
def rendered_extracted(rendered):
    """``rendered_extracted(variant, producer)`` → the extraction stages run once on that rendering."""
    done: dict[tuple[str, str], Extracted] = {}

    def get(variant: str, producer: str) -> Extracted:
        key = (variant, producer)
        if key not in done:
            done[key] = extract_all(rendered(variant, producer))
        return done[key]

    return get
@dataclass
class ServeOutput:
    inputs: Path
    out: Path


SERVE_OUTLIER = "1,129.00"  # district-2025's restated 2024 figure of 年实习专项经费 (112.90 elsewhere)


@pytest.fixture(scope="session")
def serve_output(tmp_path_factory) -> ServeOutput:
    """What `make run` writes for `vetreport serve` to show: the reference PDF, two editions of a
    reportlab-drawn 附表6 (district-2025 restates 年实习专项经费 2024 as 1,129.00), a report whose
    text holds a <script> tag, and a corrupt file. Tests copy the folder before they change it."""
    import shutil

    import pdfs

    root = tmp_path_factory.mktemp("serve")
    inputs = root / "in"
    inputs.mkdir()
    shutil.copy(REFERENCE, inputs / "pudong-2024.pdf")
    pdfs.split_appendix_table(inputs / "district-2024.pdf")
    rows = [(s, name, unit, v2024, v2024) for s, name, unit, _, v2024 in pdfs.APPENDIX6_ROWS]
    rows = [(s, name, unit, SERVE_OUTLIER, "120.00") if name == "年实习专项经费" else (s, name, unit, a, b)
            for s, name, unit, a, b in rows]
    pdfs.split_appendix_table(inputs / "district-2025.pdf", rows=rows, header=["序号", "指标", "计量单位", "2024", "2025"])
    pdfs.narrative(inputs / "script-report.pdf", [
        '<script>alert("x")</script> 2024年，学生在技能大赛中获奖30个，其中金奖5个、银奖4个、铜奖17个。'])
    (inputs / "corrupt.pdf").write_bytes(CORRUPT_PDF)
    result = run_cli("run", str(inputs), "--out", str(root / "out"), "--workers", "2")
    assert result.exit_code == 1 and "error: corrupt: stage pages" in result.output, result.output
    return ServeOutput(inputs, root / "out")
