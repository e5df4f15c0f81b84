"""The audit report (HTML in headless Chromium, Markdown) and human review across re-runs."""

import base64
import re
import shutil
import subprocess
import uuid

import pandas as pd
import pytest
from conftest import REFERENCE
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.process import process_report
from pipeline.words import explanation_text, words

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("audit")
    result = process_report(REFERENCE, out)
    return result


def test_audit_files_and_evidence_for_every_finding_that_needs_a_look(report):
    html = (report.out_dir / "audit.html").read_text(encoding="utf-8")
    md = (report.out_dir / "audit.md").read_text(encoding="utf-8")
    findings = report.frames["findings"]
    attention = findings[findings.verdict.isin(["mismatch", "other_year_match", "uncertain"])]
    assert len(attention) == html.count("class='finding ")
    for row in attention.itertuples():
        block = html[html.index(f"id='{row.finding_id}'"):].split("</div>\n<div class='finding", 1)[0]
        images = re.findall(r"src='data:image/png;base64,([^']+)'", block)
        if row.claim_id:
            assert len(images) >= 1, row.finding_id
        if pd.notna(row.table_page):
            assert len(images) == 1 + bool(row.claim_id) + pd.notna(row.other_page), row.finding_id
        for data in images:
            assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
        assert explanation_text(row, words("zh")) in md
    assert "| 正文中找到的数字 | " in md and "![表格单元格](audit_images/" in md
    assert "61 ÷ 6所学校 = 10.17" in html


def test_the_audit_says_each_explanation_in_the_readers_language(report):
    """p.8's 校均62人 against 附表6's 班主任人数 368 (2024) and 374 (2023), six schools stated in the sentence."""
    md = (report.out_dir / "audit.md").read_text(encoding="utf-8")
    assert "校均 62人，对照 附表6 班主任人数 2024 368 ÷ 6所学校 = 61.33 → 61（6所学校，见句中所述）；2023列为 374 ÷ 6 = 62.33" in md
    assert " vs " not in md and "schools" not in md
    findings = (report.out_dir / "findings.csv").read_text(encoding="utf-8")
    assert "校均 62人 vs 附表6 班主任人数 2024 368 ÷ 6 schools = 61.33 → 61 (6 schools, stated in the sentence); the 2023 " \
           "column gives 374 ÷ 6 = 62.33" in findings  # findings.csv keeps the run's English for other tools


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (scripts/system-packages.sh installs it)")
def test_audit_html_renders_offline_in_headless_chromium(report, tmp_path):
    html = report.out_dir / "audit.html"
    assert "http://" not in html.read_text(encoding="utf-8") and "https://" not in html.read_text(encoding="utf-8")
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / uuid.uuid4().hex}", "--virtual-time-budget=10000", "--dump-dom", html.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    loaded = re.search(r'data-images-loaded="(\d+)/(\d+)"', result.stdout)
    assert loaded, result.stderr[-2000:]
    assert loaded.group(1) == loaded.group(2) and int(loaded.group(2)) >= 10


def test_review_survives_reruns(tmp_path):
    first = process_report(REFERENCE, tmp_path)
    findings = first.frames["findings"]
    mismatch = findings[findings.verdict == "mismatch"].iloc[0].finding_id
    review = tmp_path / REFERENCE.stem / "review.csv"
    assert review.is_file()  # a starter for the auditor
    edited = f"finding_id,status,note\n{mismatch},dismissed,checked with the school\n"
    review.write_text(edited, encoding="utf-8")
    second = process_report(REFERENCE, tmp_path)
    row = second.frames["findings"].set_index("finding_id").loc[mismatch]
    assert (row.review_status, row.review_note) == ("dismissed", "checked with the school")
    assert review.read_text(encoding="utf-8") == edited  # never overwritten
    assert "审核：已排除 — checked with the school" in (tmp_path / REFERENCE.stem / "audit.html").read_text(encoding="utf-8")
    csv_text = (tmp_path / REFERENCE.stem / "findings.csv").read_text(encoding="utf-8")
    assert f"{mismatch}," in csv_text and "dismissed,checked with the school" in csv_text


def test_audit_command_rereads_the_review(tmp_path):
    result = process_report(REFERENCE, tmp_path)
    folder = result.out_dir
    target = result.frames["findings"].query("verdict == 'other_year_match'").iloc[0].finding_id
    (folder / "review.csv").write_text(f"finding_id,status,note\n{target},confirmed,2023 figure\nFzzz,wrong,\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["audit", str(folder), "--lang", "en"])
    assert out.exit_code == 0, out.output
    assert "status 'wrong' is not confirmed or dismissed" in out.output
    assert "confirmed,2023 figure" in (folder / "findings.csv").read_text(encoding="utf-8")
    assert "reviewed: confirmed" in (folder / "audit.html").read_text(encoding="utf-8")
    missing = CliRunner().invoke(app, ["audit", str(tmp_path / "nope"), "--lang", "en"])
    assert missing.exit_code == 2 and "not a report folder" in missing.output


def test_the_summary_counts_add_up(report):
    """The reference: 97 claims checked in 105 findings (a claim can be checked twice) and 136 checks of the
    appendix tables' own arithmetic make 241 findings, and so do the verdicts: 210 match, 11 uncertain,
    9 mismatch, 5 approx_match, 3 rounding_only, 2 unverifiable, 1 other_year_match."""
    html = (report.out_dir / "audit.html").read_text(encoding="utf-8")
    summary = dict(re.findall(r"<tr><th>([^<]+)</th><td>(\d+)</td></tr>", html))
    assert summary["已与表格或其自身算术核对的数字"] == "97"
    assert summary["关于这些数字的核对结果（一个数字可能被核对不止一次）"] == "105"
    assert summary["附表自身勾稽的核对结果"] == "136"
    assert summary["核对结果合计"] == "241" == str(105 + 136)
    verdicts = {name.removeprefix("核对结果："): int(n) for name, n in summary.items() if name.startswith("核对结果：")}
    assert verdicts == {"不一致": 9, "与其他年份数值一致": 1, "待核实": 11, "无法核对": 2, "仅舍入差异": 3,
                        "近似一致": 5, "一致": 210}
    assert sum(verdicts.values()) == 241
    md = (report.out_dir / "audit.md").read_text(encoding="utf-8")
    assert "| 核对结果合计 | 241 |" in md and "| 核对结果：不一致 | 9 |" in md


def test_a_ratio_findings_table_line_has_the_cells_value(report):
    """Page 25's 88.17% 留在上海就业 is checked against 附表4's A类：留在当地就业人数 568 (2024, page 53)."""
    html = (report.out_dir / "audit.html").read_text(encoding="utf-8")
    assert "<p>表格：附表4 A类：留在当地就业人数（2024）= 568</p>" in html


def test_every_view_reads_the_printed_page_numbers_one_way(report, tmp_path):
    """The reference's PDF page 51 prints 46 and page 13 prints 8, its cover (page 1) prints none: read by hand.
    The audit, the workbooks, the app and the diff all take them from writers.printed."""
    from pipeline.writers.printed import printed_of, printed_pages

    printed = printed_pages(report.out_dir)
    assert (printed[51], printed[13]) == ("46", "8") and 1 not in printed
    frame = report.frames["pages"]
    assert printed_of(zip(frame["page"], frame["printed_page"])) == printed
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "pages.csv").write_bytes(b"page,printed_page\n\xff\xfe\x00garbage\n51,46\nx,9\n")
    assert printed_pages(damaged) == {} and printed_pages(tmp_path / "none") == {}
    (damaged / "pages.csv").write_text("page,printed_page\n51,46\nx,9\n52,\n53.0,48\n", encoding="utf-8")
    assert printed_pages(damaged) == {51: "46", 53: "48"}
