"""The stages' warnings in the reader's language: each keeps its catalogue key and fields (manifest.json), its
message in words.RECORDS, and audit.html/md, the app and the CLI say it in Chinese by default, in English
with --lang en / the browser's Accept-Language.

What the reference warns about was read off the PDF by hand: its 目录 (PDF page 3) lists 附表4 服务贡献表 at
page 47, and the heading 附表4 服务贡献表 is on PDF page 53, which prints 48."""

from __future__ import annotations

import html
import json

import httpx
import pytest
from conftest import REFERENCE
from serving import running_server
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.records import Issue, said
from pipeline.words import words
from pipeline.writers.manifest import partial_reasons

REPORT = "pudong-zhongzhi-2024"
TOC_PAGE_ZH = "目录标注“附表4 服务贡献表”在第47页，正文标题在印刷页码第48页"
TOC_PAGE_EN = "目录 gives page 47 for '附表4 服务贡献表', the heading is on printed page 48"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The reference run twice: the Chinese default (the locale says nothing) and --lang en."""
    out = {}
    for lang in ("zh", "en"):
        folder = tmp_path_factory.mktemp(f"warn-{lang}")
        args = ["run", str(REFERENCE), "--out", str(folder)] + (["--lang", "en"] if lang == "en" else [])
        result = CliRunner(env={"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C"}).invoke(app, args)
        assert result.exit_code == 0, result.output
        out[lang] = folder
    return out


def _manifest(folder) -> dict:
    return json.loads((folder / REPORT / "manifest.json").read_text(encoding="utf-8"))


def test_the_manifest_keeps_the_english_message_with_its_key_and_fields(runs):
    warning = next(w for w in _manifest(runs["zh"])["warnings"] if w["page"] == 53)
    assert warning["message"] == TOC_PAGE_EN  # what the stage wrote, the same whoever runs
    assert warning["key"] == "sections.toc_page"
    assert warning["fields"] == {"label": "附表4 服务贡献表", "printed": "47", "actual": "48"}


def test_every_keyed_warning_of_the_run_says_its_message_in_english(runs):
    warnings = _manifest(runs["en"])["warnings"]
    assert warnings and all(w.get("key") for w in warnings)
    for w in warnings:
        assert words("en")(w["key"], **w["fields"]) == w["message"]
        assert json.loads(json.dumps(w["fields"])) == w["fields"]


def test_the_audit_shows_the_warning_in_chinese_by_default_and_in_english_with_lang_en(runs):
    for name in ("audit.html", "audit.md"):
        zh = html.unescape((runs["zh"] / REPORT / name).read_text(encoding="utf-8"))
        en = html.unescape((runs["en"] / REPORT / name).read_text(encoding="utf-8"))
        assert TOC_PAGE_ZH in zh and "gives page" not in zh, name
        assert TOC_PAGE_EN in en, name
        assert "目录标注" not in en, name


def test_the_app_report_page_shows_the_warning_in_the_browser_language(runs):
    with running_server(runs["zh"]) as base:
        zh = html.unescape(httpx.get(f"{base}/reports/{REPORT}", headers={"accept-language": "zh-CN"}, timeout=60).text)
        en = html.unescape(httpx.get(f"{base}/reports/{REPORT}", headers={"accept-language": "en"}, timeout=60).text)
    warnings_zh = zh[zh.index('id="warnings"'):]
    assert TOC_PAGE_ZH in warnings_zh and "gives page" not in warnings_zh
    assert TOC_PAGE_EN in en[en.index('id="warnings"'):]


def test_a_missing_table_is_a_partial_reason_in_the_readers_language():
    issue = said("indicators", "appendix.missing", level="missing", name="服务贡献表", template="2024")
    assert issue.message == "appendix table 服务贡献表 of the 2024 template not found; its indicators are missing"
    manifest = {"status": "partial", "stages": [], "warnings": [issue.as_dict()]}
    assert partial_reasons(manifest, words("zh")) == ["未找到模板2024的附表服务贡献表；其指标缺失"]
    assert partial_reasons(manifest, words("en")) == [issue.message]
    assert partial_reasons(manifest) == [issue.message]  # no reader: as the stage wrote it


def test_a_warning_without_a_known_key_is_shown_as_written():
    from pipeline.words import warning_text

    plain = Issue("tables", "table T1: disagree (camelot 3 rows, pdfplumber 4)", 7)
    assert "key" not in plain.as_dict()
    assert warning_text(plain, words("zh")) == plain.message
    newer = {**plain.as_dict(), "key": "no.such.key", "fields": {}}  # a manifest from a newer catalogue
    assert warning_text(newer, words("zh")) == plain.message


def test_the_cli_says_why_a_report_is_partial_in_chinese_by_default(tmp_path):
    """A page of narrative alone has no headings and no appendix table: the summary says both in Chinese, and in
    English with --lang en."""
    import pdfs

    pdf = pdfs.narrative(tmp_path / "story.pdf", ["2024年，学生在技能大赛中获奖30个，其中金奖5个、银奖4个、铜奖17个。"])
    runner = CliRunner(env={"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C"})
    for lang, first, missing in (("zh", "部分结果：story：未找到章或节的标题; 未找到模板", "其指标缺失"),
                                 ("en", "partial: story: no chapter or section headings found; appendix table ",
                                  "its indicators are missing")):
        out = tmp_path / f"out-{lang}"
        result = runner.invoke(app, ["run", str(pdf), "--out", str(out), "--no-store", "--lang", lang],
                               terminal_width=300)
        assert result.exit_code == 0, result.output
        said = " ".join(result.output.split())
        assert first in said and missing in said, said
        assert ("no chapter" in said) == (lang == "en")


def test_a_report_that_fails_says_why_in_the_readers_language(tmp_path):
    """An empty file and a file that is not a PDF: the CLI says why in Chinese (or English with --lang en), and
    error.json keeps the English message with its key and fields."""
    empty = tmp_path / "in" / "empty.pdf"
    empty.parent.mkdir()
    empty.write_bytes(b"")
    (tmp_path / "in" / "page.pdf").write_bytes(b"<html><body>not a report</body></html>")
    runner = CliRunner(env={"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "C"})
    chinese = runner.invoke(app, ["run", str(tmp_path / "in"), "--out", str(tmp_path / "zh"), "--no-store"],
                            terminal_width=300)
    assert chinese.exit_code == 1
    said = " ".join(chinese.output.split())
    assert "文件为空（0字节）" in said and "不是PDF：这是一个以 .pdf 命名的" in said and "the file is empty" not in said
    error = json.loads((tmp_path / "zh" / "empty" / "error.json").read_text(encoding="utf-8"))
    assert (error["message"], error["key"]) == ("the file is empty (0 bytes)", "error.empty_file")
    english = runner.invoke(app, ["run", str(tmp_path / "in"), "--out", str(tmp_path / "en"), "--no-store", "--lang", "en"],
                            terminal_width=300)
    assert "the file is empty (0 bytes)" in " ".join(english.output.split()) and "文件为空" not in english.output


def test_a_skipped_stage_is_said_in_the_readers_language():
    manifest = {"status": "partial", "warnings": [], "stages": [
        {"name": "tables", "status": "skipped", "message": "needs pages", "key": "stage_status.needs",
         "fields": {"stages": [{"key": "stage.pages"}]}}]}
    assert partial_reasons(manifest, words("zh")) == ["表格阶段已跳过：需要先完成：读取页面"]
    assert partial_reasons(manifest, words("en")) == ["stage tables skipped: needs pages"]
    assert partial_reasons(manifest) == ["stage tables skipped: needs pages"]
