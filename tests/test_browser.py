"""`vetreport serve` in a real browser: Playwright from PyPI driving Debian's /usr/bin/chromium (no browser download).

What a person does every morning, on output `vetreport run` wrote (the session fixture serve_output):
open the reports, open the reference report, dismiss a finding with a note, reload, re-run the
pipeline, compare two reports, chart an indicator across reports. Expected texts are read off the
PDFs: the reference's page 13 says 课均学生 137 人 and its 附表3 (page 51) prints 817 for 2024 under
the header 2024年; 附表6 of the reference (page 55) and of district-2024 print 年实习专项经费 464.26 (2023)
and 112.90 (2024); district-2025 (drawn by the test) restates 2024 as 1,129.00.
"""

import csv
import re
import shutil
from pathlib import Path

import pytest
from conftest import SERVE_OUTLIER, run_cli
from serving import copy_output, running_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
REPORT = "pudong-2024"
NOTE = "与学校核实：课均学生数口径不同"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed "
                                "(scripts/system-packages.sh installs it)")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(serve_output, tmp_path_factory):
    out = copy_output(serve_output, tmp_path_factory.mktemp("browser"))
    with running_server(out) as base:
        yield out, base


def new_page(browser, locale: str):
    """A page of a new browser context whose language is ``locale`` (its Accept-Language header)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(30_000)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    return context, page


@pytest.fixture
def page(browser):
    """A browser that asks for English (the texts these tests quote); test_every_page_in_both_languages asks for each."""
    context, page = new_page(browser, "en-US")
    yield page
    context.close()


def course_finding(page):
    """The finding block of the sentence with 课均学生137人 (page 13 of the reference)."""
    return page.locator(".finding", has_text="课均学生137人").filter(has_text="在线精品课程课均学生数")


def test_review_in_the_browser_survives_reload_and_rerun(page, site, serve_output):
    out, base = site
    page.goto(base + "/")
    row = page.locator("#reports tbody tr", has_text=REPORT)
    assert row.locator("td").nth(5).inner_text() == "55"  # pages (after title, district or school, year, status)
    unreviewed = int(row.locator("td.unreviewed").inner_text())
    page.get_by_role("link", name=REPORT).click()
    page.wait_for_url(f"**/reports/{REPORT}")

    finding = course_finding(page)
    assert finding.count() == 1
    assert "text p.8 (PDF p.13), 附表3 p.46 (PDF p.51)" in finding.inner_text()  # pages 13 and 51 print 8 and 46
    assert "在线精品课程课均学生数 (2024) = 817" in finding.locator(".cell").inner_text()
    images = finding.locator(".evidence img")
    assert images.count() == 2
    assert all(images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0") for i in range(2))
    fid = finding.get_attribute("data-finding")

    finding.locator("input.note").fill(NOTE)
    finding.get_by_role("button", name="Dismiss").click()
    finding.locator(".message", has_text="saved").wait_for()
    assert finding.locator(".state").inner_text() == "dismissed"

    page.reload()
    finding = course_finding(page)
    assert finding.locator(".state").inner_text() == "dismissed"
    assert finding.locator("input.note").input_value() == NOTE
    with (out / REPORT / "review.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["finding_id"] == fid]
    assert [(r["status"], r["note"]) for r in rows] == [("dismissed", NOTE)]

    page.goto(base + "/")
    row = page.locator("#reports tbody tr", has_text=REPORT)
    assert int(row.locator("td.unreviewed").inner_text()) == unreviewed - 1

    rerun = run_cli("run", str(serve_output.inputs / f"{REPORT}.pdf"), "--out", str(out), "--force")
    assert rerun.exit_code == 0, rerun.output
    with (out / REPORT / "findings.csv").open(encoding="utf-8") as fh:
        rerun_row = next(r for r in csv.DictReader(fh) if r["finding_id"] == fid)
    assert (rerun_row["review_status"], rerun_row["review_note"]) == ("dismissed", NOTE)
    page.goto(f"{base}/reports/{REPORT}")
    finding = course_finding(page)
    assert finding.locator(".state").inner_text() == "dismissed"
    assert finding.locator("input.note").input_value() == NOTE


def test_report_shows_the_appendix_tables_as_printed(page, site):
    """表2 on page 50: 课堂育人满意度 under 在校生满意度, 90.38 (2023), 91.20 (2024), 调查人次 3993, 全国统一网上调查;
    page 10 opens 案例1 贯彻全面发展理念，培养学生综合素养."""
    out, base = site
    page.goto(f"{base}/reports/{REPORT}")
    table = page.locator("table.indicators", has_text="课堂育人满意度")
    headers = table.locator("tr").first.locator("th").all_inner_texts()
    assert headers == ["序号", "indicator", "unit", "2023", "2024", "调查人次", "调查方式", "page"]
    rows = [r.locator("td").all_inner_texts() for r in table.locator("tr").all()[1:3]]
    page_50 = "p.45 (PDF p.50)"  # page 50 prints 45 at its foot
    assert rows == [["1", "在校生满意度", "%", "88.43", "90.09", "3993", "全国统一网上调查", page_50],
                    ["1", "在校生满意度 › 课堂育人满意度", "%", "90.38", "91.20", "3993", "全国统一网上调查", page_50]]
    assert page.locator("h3", has_text="满意度调查表").inner_text() == "附表2 满意度调查表"
    first_case = page.locator("table.cases tr").nth(1).locator("td").all_inner_texts()
    assert first_case[:2] == ["1", "贯彻全面发展理念，培养学生综合素养"]  # 案例1, page 10
    assert first_case[3].startswith("p.5") and "PDF p.10" in first_case[3]  # page 10 prints 5


def test_reports_page_sorts_and_filters(page, site):
    out, base = site
    page.goto(base + "/")
    names = lambda: page.locator("#reports tbody tr:not([hidden]) td:first-child").all_inner_texts()  # noqa: E731
    page.get_by_role("columnheader", name="pages").click()
    page.get_by_role("columnheader", name="pages").click()  # descending: the 55-page reference first
    assert names()[0] == REPORT
    page.get_by_placeholder("filter reports").fill("district")
    assert sorted(names()) == ["district-2024", "district-2025"]


def test_compare_two_reports(page, site):
    out, base = site
    page.goto(base + "/compare")
    page.locator("select[name=a]").select_option("district-2024")
    page.locator("select[name=b]").select_option("district-2025")
    page.get_by_role("button", name="Compare").click()
    restated = page.locator("section#restated")
    row = restated.locator("tr", has_text="年实习专项经费")
    cells = row.locator("td").all_inner_texts()
    assert cells[0] == "附表6 落实政策表" and cells[4:7] == ["2024", "112.90", SERVE_OUTLIER]
    assert cells[8:10] == ["PDF p.2", "PDF p.2"]  # both on the table's second page, which prints no number
    assert restated.locator("h2").inner_text().endswith("(1)")
    assert page.locator("section#changed p.muted").inner_text() == "No cells."


def test_an_indicator_across_reports_with_the_far_value_marked(page, site):
    out, base = site
    page.goto(base + "/indicators")
    option = page.locator("select[name=pick] option", has_text=re.compile(r"^年实习专项经费 \(万元\)"))
    assert option.count() == 1 and "3 reports" in option.inner_text()
    page.locator("select[name=pick]").select_option(option.get_attribute("value"))
    page.get_by_role("button", name="Show").click()
    chart = page.locator("svg.chart")
    assert chart.get_attribute("data-view") == "lines"
    points = {(p.get_attribute("data-report"), p.get_attribute("data-year")): p.get_attribute("data-value")
              for p in chart.locator("circle.point").all()}
    assert points == {
        ("pudong-2024", "2023"): "464.26", ("pudong-2024", "2024"): "112.90",
        ("district-2024", "2023"): "464.26", ("district-2024", "2024"): "112.90",
        ("district-2025", "2024"): SERVE_OUTLIER, ("district-2025", "2025"): "120.00",
    }
    far = chart.locator("circle.outlier")
    assert far.count() == 1 and (far.get_attribute("data-report"), far.get_attribute("data-year")) == ("district-2025", "2024")
    assert page.locator("table.values td.outlier").all_inner_texts() == [f"{SERVE_OUTLIER} ⚑"]
    assert chart.bounding_box()["height"] > 300

    page.locator("select[name=view]").select_option("bars")
    page.locator("select[name=period]").select_option(label="2024")  # the column of the bars, as the list shows it
    page.get_by_role("button", name="Show").click()
    bars = page.locator("svg.chart rect.bar")
    assert sorted(b.get_attribute("data-report") for b in bars.all()) == ["district-2024", "district-2025", "pudong-2024"]
    assert page.locator("svg.chart rect.bar.outlier").get_attribute("data-report") == "district-2025"


def test_script_in_pdf_text_is_shown_as_text(page, site):
    out, base = site
    page.goto(f"{base}/reports/script-report")
    claim = page.locator(".finding .claim")
    assert claim.inner_text().startswith('<script>alert("x")</script>')
    assert page.dialogs == []


APP_PAGES = ("/", f"/reports/{REPORT}", "/reports/corrupt", "/compare?a=district-2024&b=district-2025",
             "/indicators?pick=落实政策表||年实习专项经费", "/reports/nope")
IN_WORDS = {  # what each language's browser reads: the bar, and the report page's verdicts, review and pages
    "zh-CN": {"nav": ["报告", "比较", "指标", "核查队列"], "switch": "English", "verdict": "不一致",
              "review": {"open": "未审核", "dismissed": "已排除"},
              "where": "正文第8页（PDF第13页），附表3 第46页（PDF第51页）"},
    "en-US": {"nav": ["Reports", "Compare", "Indicators", "Findings"], "switch": "中文", "verdict": "mismatch",
              "review": {"open": "not reviewed", "dismissed": "dismissed"},
              "where": "text p.8 (PDF p.13), 附表3 p.46 (PDF p.51)"},
}


@pytest.mark.parametrize("locale", IN_WORDS)
def test_every_page_in_both_languages(browser, site, locale):
    """Every page of the app in the browser's language (Chinese, English), no <NA> or nan in an empty cell, and
    the switch to the other language, which sticks for the next pages."""
    out, base = site
    expected = IN_WORDS[locale]
    context, page = new_page(browser, locale)
    try:
        for path in APP_PAGES:
            page.goto(base + path)
            assert page.locator("html").get_attribute("lang") == locale[:2], path
            assert page.locator("header.bar > a:not(.brand)").all_inner_texts() == expected["nav"], path
            text = page.locator("main").inner_text()
            for mark in ("<NA>", "nan", "NaN", "None"):
                assert not re.search(rf"(?<![A-Za-z]){mark}(?![A-Za-z])", text), (path, mark)
        page.goto(f"{base}/reports/{REPORT}")
        finding = course_finding(page)
        assert finding.locator(".verdict").inner_text().lower() == expected["verdict"]
        state = finding.locator(".state")  # open, or dismissed by the test above
        assert state.inner_text() == expected["review"][state.get_attribute("data-status")]
        assert finding.locator(".where").inner_text() == expected["where"]
        assert page.locator("details.legend summary").count() == 2
        page.get_by_role("link", name=expected["switch"]).click()
        other = "en" if locale.startswith("zh") else "zh"
        page.wait_for_url(f"**/reports/{REPORT}?lang={other}")
        assert page.locator("html").get_attribute("lang") == other
        page.get_by_role("link", name=IN_WORDS["en-US" if other == "en" else "zh-CN"]["nav"][1]).click()  # Compare
        assert page.locator("html").get_attribute("lang") == other  # the choice sticks (a cookie)
    finally:
        context.close()
