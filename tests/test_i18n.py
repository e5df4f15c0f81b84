"""Chinese by default, English when asked: audit.html/md, diff.html/md, the app's pages and the command's
messages; verdicts and kinds in words with their legend; pages as the report prints them; no <NA> or nan
where a cell is empty; datapackage.json's Chinese titles.

Page numbers are read off the reference PDF by hand (rendered, looked at): PDF page 13 prints 8 at its
foot (the sentence 课均学生137人), PDF page 51 prints 46 (附表3 with 在线精品课程课均学生数 817), PDF page
49 prints 44 (附表1) and PDF page 50 prints 45 (附表2).
"""

import csv
import json
import re
import shutil

import httpx
import pytest
from conftest import REFERENCE
from serving import copy_output, running_server
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import Settings
from pipeline.process import process_report
from pipeline.writers.publish import publish_report

REPORT = "pudong-2024"
COURSE_SENTENCE = "课均学生137人"
NO_LOCALE = {"LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""}  # so that LANG alone decides


def visible(html: str) -> str:
    """A page's text without its embedded images and markup (base64 holds 'nan' and 'NA' by chance)."""
    html = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def assert_no_missing_marks(text: str, where: str) -> None:
    for mark in ("<NA>", "&lt;NA&gt;", "nan", "NaN", "None", "NaT"):
        assert not re.search(rf"(?<![A-Za-z]){re.escape(mark)}(?![A-Za-z])", text), f"{where}: {mark!r} shown"


def finding_block(html: str, text: str) -> str:
    blocks = html.split("<div class='finding ")[1:]
    return next(b for b in blocks if text in b)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The reference run twice: in the default language (zh) and with lang=en."""
    zh = process_report(REFERENCE, tmp_path_factory.mktemp("zh"))
    en = process_report(REFERENCE, tmp_path_factory.mktemp("en"), Settings(lang="en"))
    return zh, en


def test_audit_in_chinese_names_verdicts_and_kinds_in_words_with_a_legend(runs):
    zh, _ = runs
    html = (zh.out_dir / "audit.html").read_text(encoding="utf-8")
    md = (zh.out_dir / "audit.md").read_text(encoding="utf-8")
    assert "<html lang='zh'>" in html
    for word in ("不一致", "与其他年份数值一致", "待核实", "无法核对", "仅舍入差异", "近似一致", "一致", "校均", "表内勾稽", "跨表核对"):
        assert word in visible(html), word
    assert "核对结论的含义" in html and "核对类型的含义" in html
    assert "<dt class='mismatch'>不一致</dt><dd>两个数值不一致" in html
    assert "<dt class='per_school_average'>校均</dt>" in html
    for code in ("other_year_match", "rounding_only", "per_school_average", "table_internal", "year_broken"):
        assert code not in visible(html).replace("class=", ""), code  # no code name a person reads
    assert "**不一致**" in md and "## 需要核查（21）" in md


def test_audit_in_english_when_asked(runs):
    _, en = runs
    html = (en.out_dir / "audit.html").read_text(encoding="utf-8")
    assert "<html lang='en'>" in html and "What the verdicts mean" in html
    block = finding_block(html, COURSE_SENTENCE)
    assert "<span class='verdict'>mismatch</span> · direct" in block
    assert "text p.8 (PDF p.13), 附表3 p.46 (PDF p.51)" in block
    assert "text 137人 vs 附表3 在线精品课程课均学生数 (人/门) 2024 = 817" in block  # the explanation in English
    assert "不一致" not in visible(html) and "对照" not in visible(html)
    assert json.loads((en.out_dir / "manifest.json").read_text(encoding="utf-8"))["options"]["lang"] == "en"


def test_each_explanation_in_the_readers_language(runs):
    """p.8's 课均学生137人 against 附表3's 817 (p.46); p.46's 在线精品课程 of 1726 学时 that the text gives as 近2000学时."""
    zh, en = runs
    html = (zh.out_dir / "audit.html").read_text(encoding="utf-8")
    assert "正文 137人，对照 附表3 在线精品课程课均学生数 (人/门) 2024 = 817" in finding_block(html, COURSE_SENTENCE)
    near = "正文 2000学时，对照 附表3 在线精品课程数 (学时) 2024 = 1726；1726比2000低13.7%（近: 1800 ≤ x ≤ 2000（低至1600为待核实））"
    assert near in html
    assert not re.search(r" vs | schools|is \d+(\.\d+)?% (above|below)|its parent", visible(html))
    english = (en.out_dir / "audit.html").read_text(encoding="utf-8")
    assert "text 2000学时 vs 附表3 在线精品课程数 (学时) 2024 = 1726; 1726 is 13.7% below 2000 (近: 1800 ≤ x ≤ 2000 " \
           "(uncertain down to 1600))" in english
    with (zh.out_dir / "findings.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert all(row["explanation_words"] for row in rows)  # every explanation has its words
    assert not any("对照" in row["explanation"] for row in rows)  # the CSV keeps the run's English for other tools


def test_help_in_chinese_by_default_and_in_english_when_asked():
    chinese = CliRunner().invoke(app, ["run", "--help"], prog_name="vetreport", env={**NO_LOCALE, "LANG": "zh_CN.UTF-8"})
    assert "用法：vetreport run [OPTIONS] [PDF|DIR]..." in chinese.output
    assert "从每份报告中提取章节、表格、附表指标和案例。" in chinese.output and "输出文件夹；每份报告写入" in chinese.output
    assert "显示此帮助后退出。" in chinese.output and "[默认：output]" in chinese.output and "Extract" not in chinese.output
    top = CliRunner().invoke(app, ["--help"], prog_name="vetreport", env={**NO_LOCALE, "LANG": "C"}).output
    assert "命令:" in top and "比较两份报告的附表指标" in top and "Compare" not in top
    english = CliRunner().invoke(app, ["diff", "--help", "--lang", "en"], prog_name="vetreport",
                                 env={**NO_LOCALE, "LANG": "zh_CN.UTF-8"}).output
    assert "Usage: vetreport diff [OPTIONS] A [B]" in english and "Compare two reports' appendix indicators" in english
    assert "Show this message and exit." in english and "比较" not in english
    by_locale = CliRunner().invoke(app, ["export", "report", "--help"], prog_name="vetreport",
                                   env={**NO_LOCALE, "LANG": "en_US.UTF-8"}).output
    assert "One report's workbook" in by_locale and "[default: output]" in by_locale


def test_pages_as_the_report_prints_them(runs):
    zh, _ = runs
    html = (zh.out_dir / "audit.html").read_text(encoding="utf-8")
    block = finding_block(html, COURSE_SENTENCE)
    assert "正文第8页（PDF第13页），附表3 第46页（PDF第51页）" in block
    # a check inside the tables has no sentence: its table's page, never a "text" page
    findings = zh.frames["findings"]
    internal = findings[(findings.kind == "table_internal") & (findings.verdict == "mismatch") & (findings.table_no == 3)]
    assert len(internal)
    block = html[html.index(f"id='{internal.iloc[0].finding_id}'"):].split("</div>\n<div class='finding", 1)[0]
    where = block.split("</code> · ", 1)[1].split("</div>", 1)[0]
    assert where == "附表3 第46页（PDF第51页）"
    md = (zh.out_dir / "audit.md").read_text(encoding="utf-8")
    assert "text p." not in md and "正文第44页" not in md


def test_no_empty_cell_shows_na_nan_or_none(runs):
    for run in runs:
        html = (run.out_dir / "audit.html").read_text(encoding="utf-8")
        assert_no_missing_marks(visible(html), f"{run.out_dir.name}/audit.html")
        assert_no_missing_marks((run.out_dir / "audit.md").read_text(encoding="utf-8"), "audit.md")


def test_datapackage_has_chinese_titles_and_keeps_the_column_names(runs):
    zh, _ = runs
    publish_report(zh.out_dir)  # as `vetreport run` does after the report's files are written
    package = json.loads((zh.out_dir / "datapackage.json").read_text(encoding="utf-8"))
    han = re.compile(r"[\u4e00-\u9fff]")
    for resource in package["resources"]:
        assert han.search(resource["title"]), resource["name"]
        with (zh.out_dir / resource["path"]).open(encoding="utf-8") as fh:
            header = next(csv.reader(fh))
        assert [f["name"] for f in resource["schema"]["fields"]] == header  # the CSV's columns as they are
        for field in resource["schema"]["fields"]:
            assert han.search(field["title"]), (resource["name"], field["name"])
    findings = next(r for r in package["resources"] if r["name"] == "findings")
    assert findings["title"] == "核对结果"
    assert {f["name"]: f["title"] for f in findings["schema"]["fields"]}["verdict"] == "核对结论"


# ---------------------------------------------------------------- the command


def _run(tmp_path, *args, env):
    return CliRunner().invoke(app, ["run", str(REFERENCE), "--out", str(tmp_path), "--no-store", *args], env=env)


def test_the_command_follows_the_locale_and_lang(tmp_path):
    chinese = _run(tmp_path / "zh", env={**NO_LOCALE, "LANG": "zh_CN.UTF-8"})
    assert chinese.exit_code == 0, chinese.output
    assert "下一步：在浏览器中打开" in chinese.output and "页数" in chinese.output and "完成" in chinese.output
    assert "next:" not in chinese.output
    html = (tmp_path / "zh" / REFERENCE.stem / "audit.html").read_text(encoding="utf-8")
    assert "核对结论的含义" in html

    english = _run(tmp_path / "en", "--lang", "en", env={**NO_LOCALE, "LANG": "zh_CN.UTF-8"})
    assert english.exit_code == 0, english.output
    assert "next: open" in english.output and "1 ok" in english.output and "下一步" not in english.output
    html = (tmp_path / "en" / REFERENCE.stem / "audit.html").read_text(encoding="utf-8")
    assert "What the verdicts mean" in html

    by_locale = _run(tmp_path / "en", env={**NO_LOCALE, "LANG": "en_US.UTF-8"})
    assert "next: open" in by_locale.output and "ok (unchanged)" in by_locale.output  # same options: not run again
    posix = CliRunner().invoke(app, ["audit", str(tmp_path / "zh" / REFERENCE.stem)], env={**NO_LOCALE, "LANG": "C"})
    assert posix.exit_code == 0 and "已写出" in posix.output


def test_a_report_run_in_another_language_is_run_again(tmp_path):
    first = _run(tmp_path, env={**NO_LOCALE, "LANG": "zh_CN.UTF-8"})
    assert first.exit_code == 0, first.output
    again = _run(tmp_path, "--lang", "en", env={**NO_LOCALE, "LANG": "zh_CN.UTF-8"})
    assert "(unchanged)" not in again.output
    assert "What the verdicts mean" in (tmp_path / REFERENCE.stem / "audit.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- diff.html and diff.md


def test_diff_in_words_with_printed_pages(runs, tmp_path):
    """B restates one cell of 附表3 (page 51, printed 46): the diff names it in words and by its printed page."""
    zh, _ = runs
    a, b = tmp_path / "a-2024", tmp_path / "b-2024"
    shutil.copytree(zh.out_dir, a)
    shutil.copytree(zh.out_dir, b)
    path = b / "indicators.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    row = next(r for r in rows if r["indicator"] == "在线精品课程课均学生数" and r["year"] == "2024")
    row["value_raw"], row["value"] = "820", "820"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for lang, expected in (("zh", "第46页（PDF第51页）"), ("en", "p.46 (PDF p.51)")):
        to = tmp_path / f"diff-{lang}"
        result = CliRunner().invoke(app, ["diff", str(a), str(b), "--to", str(to), "--lang", lang])
        assert result.exit_code == 0, result.output
        html, md = (to / "diff.html").read_text(encoding="utf-8"), (to / "diff.md").read_text(encoding="utf-8")
        line = next(line for line in md.splitlines() if "在线精品课程课均学生数" in line)
        assert line.count(expected) == 2 and "| 817 | 820 | 3 |" in line
        assert expected in html
        assert_no_missing_marks(visible(html), "diff.html")
        assert_no_missing_marks(md, "diff.md")
        assert ("数值变化" in md) == (lang == "zh") and ("Changed values" in md) == (lang == "en")
    assert "1 变化" not in result.output and "1 changed" in result.output


# ---------------------------------------------------------------- the app


@pytest.fixture(scope="module")
def site(serve_output, tmp_path_factory):
    out = copy_output(serve_output, tmp_path_factory.mktemp("i18n-site"))
    with running_server(out) as base:
        yield out, base


APP_PAGES = ("/", f"/reports/{REPORT}", "/compare?a=district-2024&b=district-2025",
             "/indicators?pick=落实政策表||年实习专项经费", "/reports/nope")


@pytest.mark.parametrize("path", APP_PAGES)
def test_every_app_page_in_chinese_and_in_english_without_na(site, path):
    _, base = site
    zh = httpx.get(base + path, headers={"accept-language": "zh-CN,zh;q=0.9"}, timeout=60)
    en = httpx.get(base + path, headers={"accept-language": "en-US,en;q=0.9"}, timeout=60)
    assert zh.status_code == en.status_code == (404 if path == "/reports/nope" else 200)
    assert '<html lang="zh">' in zh.text and '<html lang="en">' in en.text
    assert ">报告</a>" in zh.text and ">Reports</a>" in en.text
    assert 'hreflang="en"' in zh.text and 'hreflang="zh"' in en.text  # the switch to the other language
    for response in (zh, en):
        assert_no_missing_marks(visible(response.text), f"{path} ({response.request.headers['accept-language']})")


def test_the_report_page_in_words_with_its_legend_and_printed_pages(site):
    _, base = site
    zh = httpx.get(f"{base}/reports/{REPORT}", headers={"accept-language": "zh-CN"}, timeout=60).text
    block = zh[zh.index(COURSE_SENTENCE) - 3000:zh.index(COURSE_SENTENCE)]
    assert 'data-verdict="mismatch">不一致</span>' in block and 'data-kind="direct">直接核对</span>' in block
    assert "正文第8页（PDF第13页），附表3 第46页（PDF第51页）" in block
    assert "核对结论的含义" in zh and '<dt data-code="other_year_match">与其他年份数值一致</dt>' in zh
    assert ">未审核</span>" in zh and ">排除</button>" in zh
    en = httpx.get(f"{base}/reports/{REPORT}", headers={"accept-language": "en"}, timeout=60).text
    assert "text p.8 (PDF p.13), 附表3 p.46 (PDF p.51)" in en and ">Dismiss</button>" in en
    assert "正文 137人，对照 附表3 在线精品课程课均学生数 (人/门) 2024 = 817" in zh
    assert "text 137人 vs 附表3 在线精品课程课均学生数 (人/门) 2024 = 817" in en
    # the appendix tables: 附表2's rows are on PDF page 50, printed 45
    table = zh[zh.index("满意度调查表"):]
    assert "第45页（PDF第50页）" in table.split("</table>", 1)[0]


def test_lang_in_the_address_sticks_and_the_serve_default_applies_when_the_browser_says_nothing(serve_output, tmp_path):
    out = copy_output(serve_output, tmp_path)
    with running_server(out, lang="en") as base, httpx.Client(base_url=base, timeout=60) as browser:
        assert '<html lang="en">' in browser.get("/", headers={"accept-language": "fr-FR"}).text  # serve --lang en
        assert '<html lang="zh">' in browser.get("/", headers={"accept-language": "zh-CN"}).text
        picked = browser.get("/compare?lang=zh", headers={"accept-language": "en-US"})
        assert '<html lang="zh">' in picked.text and "vetreport_lang=zh" in picked.headers["set-cookie"]
        later = browser.get("/indicators", headers={"accept-language": "en-US"})  # the cookie, not the header
        assert '<html lang="zh">' in later.text
        switch = re.search(r'<a href="([^"]+)" hreflang="en"', later.text).group(1)
        assert switch == "/indicators?lang=en"
        assert '<html lang="en">' in browser.get(switch).text
        assert '<html lang="en">' in browser.get("/", headers={"accept-language": "zh-CN"}).text  # now en sticks
