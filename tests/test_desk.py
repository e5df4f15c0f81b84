"""The auditor's desk in `vetreport serve`: the page behind every number, one queue over every report, and
what the reports list says of each report (issue 19, items 2 and 3).

Values read off the reference PDF by hand: page 51 prints 46 and its 附表3 row 在线精品课程课均学生数 holds
817 in the 2024 column; page 13 (printed 8) says 课均学生137人; page 50 prints 45; the cover (page 1) reads
浦东新区中等职业教育 / 质量年度报告 / (2024 年度), published by 上海市浦东新区教育局. Its audit.html (read by
eye) counts findings: mismatch 9, other_year_match 1, uncertain 11, unverifiable 2, rounding_only 3,
approx_match 5, match 210 (241 in all).
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import numpy as np
import pytest
from serving import TOKEN, copy_output, running_server

REPORT = "pudong-2024"
RED = (220, 30, 30)
AUDIT_VERDICTS = {"mismatch": 9, "other_year_match": 1, "uncertain": 11, "unverifiable": 2, "rounding_only": 3,
                  "approx_match": 5, "match": 210}
ZH = {"accept-language": "zh-CN,zh;q=0.9"}


@pytest.fixture(scope="module")
def site(serve_output, tmp_path_factory):
    out = copy_output(serve_output, tmp_path_factory.mktemp("desk"))
    with running_server(out) as base:
        yield out, base


def cell_box(out: Path, table_id: str, page: int, text: str) -> tuple[float, float, float, float]:
    """The box table_cells.csv gives the cell of ``table_id`` on ``page`` that reads ``text``."""
    with (out / REPORT / "table_cells.csv").open(encoding="utf-8-sig") as fh:
        rows = [r for r in csv.DictReader(fh) if r["table_id"] == table_id and r["page"] == str(page) and r["text"] == text]
    assert len(rows) == 1, rows
    return tuple(float(rows[0][k]) for k in ("x0", "top", "x1", "bottom"))


def png(content: bytes):
    from PIL import Image

    return Image.open(io.BytesIO(content)).convert("RGB")


def is_red(pixel) -> bool:
    return pixel[0] > 180 and pixel[1] < 90 and pixel[2] < 90


def read_digits(image) -> str:
    """What Tesseract reads in ``image`` (one line of digits)."""
    if not shutil.which("tesseract"):
        pytest.skip("tesseract is not installed")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    done = subprocess.run(["tesseract", "stdin", "stdout", "--psm", "7", "-c", "tessedit_char_whitelist=0123456789"],
                          input=buffer.getvalue(), capture_output=True, check=True)
    return done.stdout.decode().strip()


# ---------------------------------------------------------------- the page behind every number


def test_the_page_image_draws_the_box_where_the_cell_is(site):
    """附表3 on page 51 prints 817 for 在线精品课程课均学生数 in 2024: the box table_cells.csv gives that cell is
    drawn red around it, and inside it Tesseract reads 817."""
    out, base = site
    x0, top, x1, bottom = cell_box(out, "附表3", 51, "817")
    answer = httpx.get(f"{base}/reports/{REPORT}/pages/51.png", params={"box": f"{x0},{top},{x1},{bottom}"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    image = png(answer.content)
    scale = 2.0  # the default: 144 dpi
    assert image.size == (round(595.3 * scale), round(841.9 * scale))  # pages.csv: 595.3 x 841.9 points
    left, right, upper, lower = x0 * scale, x1 * scale, top * scale, bottom * scale
    middle_x, middle_y = int((left + right) / 2), int((upper + lower) / 2)
    outline = [(middle_x, int(upper) - 4), (middle_x, int(lower) + 3), (int(left) - 4, middle_y), (int(right) + 3, middle_y)]
    assert all(is_red(image.getpixel(p)) for p in outline), [image.getpixel(p) for p in outline]
    inside = image.crop((int(left) + 2, int(upper) + 2, int(right) - 2, int(lower) - 2))
    pixels = np.asarray(inside).reshape(-1, 3).astype(int)
    assert not any(is_red(p) for p in pixels)  # the outline surrounds the cell, it does not cross it
    assert int((pixels.sum(axis=1) < 300).sum()) > 30  # the digits are there, dark
    assert read_digits(inside.resize((inside.width * 2, inside.height * 2))) == "817"
    plain = png(httpx.get(f"{base}/reports/{REPORT}/pages/51.png").content)
    assert not any(is_red(plain.getpixel(p)) for p in outline)  # without ?box= nothing is drawn


def test_a_page_is_rendered_once_into_the_cache(site):
    out, base = site
    assert httpx.get(f"{base}/reports/{REPORT}/pages/3.png").status_code == 200
    manifest = json.loads((out / REPORT / "manifest.json").read_text(encoding="utf-8"))
    cached = out / ".vetreport-cache" / "pages" / f"{manifest['sha256']}-p3-s2.png"
    assert cached.is_file()
    again = httpx.get(f"{base}/reports/{REPORT}/pages/3.png")
    assert again.content == cached.read_bytes()


def test_a_page_out_of_range_or_not_a_page_is_a_4xx(site):
    out, base = site
    beyond = httpx.get(f"{base}/reports/{REPORT}/pages/56.png", headers=ZH)
    assert beyond.status_code == 404 and "共 55 页，没有第 56 页" in beyond.text
    assert httpx.get(f"{base}/reports/{REPORT}/pages/56", headers=ZH).status_code == 404
    for path in ("0.png", "-1.png", "1e3.png", "%C2%B2.png", "abc", "99999999"):
        assert httpx.get(f"{base}/reports/{REPORT}/pages/{path}").status_code == 404, path
    for query in ({"box": "1,2,3"}, {"box": "a,b,c,d"}, {"box": "nan,1,2,3"}, {"box": ["1,2,3,4"] * 30}, {"scale": "7"}):
        assert httpx.get(f"{base}/reports/{REPORT}/pages/5.png", params=query).status_code == 400, query
    assert httpx.get(f"{base}/reports/no-such-report/pages/1.png").status_code == 404
    unreadable = httpx.get(f"{base}/reports/corrupt/pages/1")
    assert unreadable.status_code == 503 and "cannot be opened" in unreadable.text  # said, never a 500


def test_the_page_view_labels_the_page_as_printed_and_shows_the_boxed_image(site):
    out, base = site
    view = httpx.get(f"{base}/reports/{REPORT}/pages/51", params={"box": "445.9,538.4,505.3,554"}, headers=ZH)
    assert view.status_code == 200
    assert "第46页（PDF第51页）" in view.text
    image = re.search(r'<img class="pdf-page" src="([^"]+)"', view.text).group(1)
    assert image.replace("&amp;", "&") == "/reports/pudong-2024/pages/51.png?box=445.9%2C538.4%2C505.3%2C554"
    assert "script-src 'self'" in view.headers["content-security-policy"]
    english = httpx.get(f"{base}/reports/{REPORT}/pages/51", headers={"accept-language": "en-US,en;q=0.9"})
    assert "p.46 (PDF p.51)" in english.text


def test_a_missing_pdf_is_named(serve_output, tmp_path):
    out = copy_output(serve_output, tmp_path)
    manifest_path = out / REPORT / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    gone = str(tmp_path / "moved-away" / "pudong-2024.pdf")
    manifest_path.write_text(json.dumps({**manifest, "input": gone}, ensure_ascii=False), encoding="utf-8")
    with running_server(out) as base:
        view = httpx.get(f"{base}/reports/{REPORT}/pages/51", headers=ZH)
        assert view.status_code == 404 and "找不到原始 PDF 文件" in view.text and gone in view.text
        image = httpx.get(f"{base}/reports/{REPORT}/pages/51.png", headers=ZH)
        assert image.status_code == 404 and gone in image.text


def test_a_pdf_changed_since_the_run_is_a_409(serve_output, tmp_path):
    out = copy_output(serve_output, tmp_path)
    manifest_path = out / REPORT / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest_path.write_text(json.dumps({**manifest, "sha256": "0" * 64}), encoding="utf-8")
    with running_server(out) as base:
        answer = httpx.get(f"{base}/reports/{REPORT}/pages/51.png")
        assert answer.status_code == 409 and "sha256 differs" in answer.text


def test_findings_rows_cases_and_diff_rows_link_to_their_pages(site):
    """The mismatch of 课均学生137人 (page 13, printed 8) against 附表3's 817 (page 51, printed 46) links to
    both pages, the sentence and the cell boxed; an appendix row and a case link to theirs."""
    out, base = site
    report = httpx.get(f"{base}/reports/{REPORT}", headers=ZH).text
    blocks = [b for b in report.split('<div class="finding ')[1:] if "课均学生137人" in b and "在线精品课程课均学生数" in b]
    assert len(blocks) == 1
    block = blocks[0].split('<p class="claim">')[0]
    links = {label: href.replace("&amp;", "&") for href, label in
                 re.findall(r'<a class="page-link" href="([^"]+)">([^<]+)</a>', block)}
    assert set(links) == {"第8页（PDF第13页）", "第46页（PDF第51页）"}
    x0, top, x1, bottom = cell_box(out, "附表3", 51, "817")
    assert links["第46页（PDF第51页）"] == f"/reports/{REPORT}/pages/51?box={x0:g},{top:g},{x1:g},{bottom:g}"
    assert links["第8页（PDF第13页）"].startswith(f"/reports/{REPORT}/pages/13?box=")
    assert links["第8页（PDF第13页）"].count("box=") == 2  # the sentence and the number in it
    assert '<a class="page-link" href="/reports/pudong-2024/pages/50">第45页（PDF第50页）</a>' in report  # 附表2's rows
    # case 1 runs over pages 10-11, which print 5 and 6; its link opens its first page with its box
    assert re.search(r'<a class="page-link" href="/reports/pudong-2024/pages/10\?box=[^"]+">第5–6页（PDF第10–11页）</a>', report)
    compare = httpx.get(f"{base}/compare", params={"a": "district-2024", "b": "district-2025"}, headers=ZH).text
    assert '<a class="page-link" href="/reports/district-2025/pages/2">PDF第2页</a>' in compare


# ---------------------------------------------------------------- one queue over every report


def queue_rows(html: str) -> list[dict]:
    return [{"report": report, "finding": finding, "status": status}
            for finding, report, status in re.findall(
                r'<tr class="finding-row [^"]*" data-finding="([^"]+)" data-report="([^"]+)" data-status="([^"]+)">', html)]


def facet(html: str, name: str) -> dict[str, int]:
    box = re.search(rf'<details class="facet" data-facet="{name}".*?</details>', html, re.S).group(0)
    return {value: int(n) for value, n in re.findall(r'data-value="([^"]*)"[^>]*>[^<]*</a> <span class="n">(\d+)</span>', box)}


def test_the_queue_filters_by_verdict_with_the_counts_of_the_audit(site):
    out, base = site
    page = httpx.get(f"{base}/findings", params={"report": REPORT}, headers=ZH)
    assert page.status_code == 200
    assert facet(page.text, "verdict") == AUDIT_VERDICTS
    assert "已审核 0 / 241" in page.text
    mismatches = httpx.get(f"{base}/findings", params={"report": REPORT, "verdict": "mismatch"}, headers=ZH).text
    rows = queue_rows(mismatches)
    assert len(rows) == 9 and {r["report"] for r in rows} == {REPORT}
    assert mismatches.count('<td class="verdict-word" title="mismatch">不一致</td>') == 9
    assert "列出 9 条" in mismatches
    everywhere = httpx.get(f"{base}/findings", params={"verdict": "mismatch"}).text
    assert facet(everywhere, "report")[REPORT] == 9
    assert facet(everywhere, "year") == {"2024": 9} and facet(everywhere, "place") == {"浦东新区": 9}


def test_the_queue_speaks_english_when_the_browser_asks(site):
    out, base = site
    page = httpx.get(f"{base}/findings", params={"report": REPORT, "verdict": "mismatch"},
                     headers={"accept-language": "en-GB,en;q=0.9,zh;q=0.5"}).text
    assert "reviewed 0 / 9" in page and "9 listed" in page
    assert page.count('<td class="verdict-word" title="mismatch">mismatch</td>') == 9
    assert "p.8 (PDF p.13)" in page and "p.46 (PDF p.51)" in page


def test_the_queue_searches_sorts_and_pages(site):
    out, base = site
    found = httpx.get(f"{base}/findings", params={"q": "课均学生137人"}).text
    rows = queue_rows(found)
    assert rows and all(r["report"] == REPORT for r in rows)
    sentences = re.findall(r'<td class="claim">([^<]*)</td>', found)
    assert sentences and all("课均学生137人" in s for s in sentences)
    assert queue_rows(httpx.get(f"{base}/findings", params={"q": "没有这样的句子"}).text) == []

    by_page = httpx.get(f"{base}/findings", params={"report": REPORT, "verdict": "mismatch", "sort": "page"}).text
    first_pages = [int(p) for p in re.findall(r'<td class="pages"><a class="page-link" href="/reports/[^/]+/pages/(\d+)', by_page)]
    assert len(first_pages) == 9 and first_pages == sorted(first_pages)
    backwards = httpx.get(f"{base}/findings", params={"report": REPORT, "verdict": "mismatch", "sort": "page", "desc": "1"}).text
    assert [int(p) for p in re.findall(r'<td class="pages"><a class="page-link" href="/reports/[^/]+/pages/(\d+)', backwards)] == \
        sorted(first_pages, reverse=True)

    first = queue_rows(httpx.get(f"{base}/findings", params={"report": REPORT}).text)
    second = queue_rows(httpx.get(f"{base}/findings", params={"report": REPORT, "page": "2"}).text)
    last = httpx.get(f"{base}/findings", params={"report": REPORT, "page": "5"}, headers=ZH).text
    assert len(first) == 50 and len(second) == 50 and not {r["finding"] for r in first} & {r["finding"] for r in second}
    assert len(queue_rows(last)) == 241 - 4 * 50 and "第 5 / 5 页" in last
    for bad in ({"page": "0"}, {"page": "x"}, {"sort": "finding_id; DROP"}, {"q": "字" * 300}, {"sort": "review_note"}):
        assert httpx.get(f"{base}/findings", params=bad).status_code == 400, bad


def test_the_queue_reads_the_csvs_without_a_store_and_shows_reviews_at_once(serve_output, tmp_path):
    out = copy_output(serve_output, tmp_path)
    (out / "vetreport.duckdb").unlink()
    with running_server(out) as base:
        page = httpx.get(f"{base}/findings", params={"report": REPORT}, headers=ZH).text
        assert "数据来自各报告的 findings.csv" in page and facet(page, "verdict") == AUDIT_VERDICTS
        finding = queue_rows(httpx.get(f"{base}/findings", params={"report": REPORT, "verdict": "mismatch"}).text)[0]
        answer = httpx.post(f"{base}/api/reports/{REPORT}/review", headers={"x-vetreport-token": TOKEN},
                            json={"finding_id": finding["finding"], "status": "dismissed", "note": "口径不同"})
        assert answer.status_code == 200
        page = httpx.get(f"{base}/findings", params={"report": REPORT}, headers=ZH).text
        assert facet(page, "review") == {"dismissed": 1, "open": 240} and "已审核 1 / 241" in page
        hidden = queue_rows(httpx.get(f"{base}/findings", params={"report": REPORT, "verdict": "mismatch",
                                                                  "hide_reviewed": "1"}).text)
        assert len(hidden) == 8 and finding["finding"] not in {r["finding"] for r in hidden}


def test_source_and_ocr_confidence_are_facets_when_findings_have_them(serve_output, tmp_path):
    """findings.csv with source and ocr_confidence (as a run that OCRs pages writes them): three findings read by
    OCR at 55, 70 and 90, the rest from the text layer."""
    out = copy_output(serve_output, tmp_path)
    (out / "vetreport.duckdb").unlink()
    path = out / REPORT / "findings.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        rows, columns = list(reader), [*reader.fieldnames, "source", "ocr_confidence"]
    for n, row in enumerate(rows):
        row["source"], row["ocr_confidence"] = ("ocr", str((55, 70, 90)[n])) if n < 3 else ("text", "")
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows(rows)
    with running_server(out) as base:
        page = httpx.get(f"{base}/findings", params={"report": REPORT}, headers=ZH).text
        assert facet(page, "source") == {"text": 238, "ocr": 3}
        assert facet(page, "confidence") == {"low": 1, "middle": 1, "high": 1}
        low = httpx.get(f"{base}/findings", params={"report": REPORT, "confidence": "low"}).text
        assert [r["finding"] for r in queue_rows(low)] == [rows[0]["finding_id"]]


def test_a_damaged_store_is_a_503_on_the_queue(serve_output, tmp_path):
    out = copy_output(serve_output, tmp_path)
    (out / "vetreport.duckdb").write_bytes(b"not a duckdb file" * 100)
    with running_server(out) as base:
        answer = httpx.get(f"{base}/findings")
        assert answer.status_code == 503 and "vetreport.duckdb" in answer.text


LONG = "a" * 300
HOSTILE_GETS = [
    "/findings?q=%00", "/findings?q=%ED%A0%80", "/findings?report=%FF%FE", f"/findings?verdict={'x' * 5000}",
    "/findings?page=99999999999", "/findings?page=%C2%B2", "/findings?sort=%00", "/findings?desc=%00&hide_reviewed=%00",
    "/findings?year=%C2%B2&place=%00", "/findings?page=2&page=3", "/findings?kind=%3Cscript%3E",
    f"/reports/{REPORT}/pages/%00.png", f"/reports/{REPORT}/pages/1.png?box=1e400,0,1,1", f"/reports/{REPORT}/pages/1.png?box=",
    f"/reports/{REPORT}/pages/1.png?scale=nan", f"/reports/{REPORT}/pages/1?box=%ED%A0%80", f"/reports/{LONG}/pages/1.png",
    "/reports/%00/pages/1", f"/reports/{REPORT}/pages/{'9' * 5000}.png", f"/reports/{REPORT}/pages/..%2F..%2F1.png",
    f"/reports/{REPORT}/pages/1.png?box=-5,-5,99999,99999", f"/reports/{REPORT}/pages/%EF%BC%91",
]


@pytest.mark.parametrize("path", HOSTILE_GETS)
def test_hostile_values_on_the_desk_routes_are_never_a_500(site, path):
    parts = urlsplit(site[1])
    con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        con.request("GET", path)  # sent as written (httpx would resolve ../ and encode first)
        status = con.getresponse().status
    finally:
        con.close()
    assert status < 500 or status == 503, (path, status)


# ---------------------------------------------------------------- the reports list


def test_the_reports_list_says_what_each_report_is_and_why_it_is_partial(site):
    out, base = site
    page = httpx.get(f"{base}/", headers=ZH).text
    row = re.search(r'<tr data-report="pudong-2024">(.*?)</tr>', page, re.S).group(1)
    assert '<td class="title">浦东新区中等职业教育质量年度报告(2024年度)</td>' in row
    assert '<td class="place" title="区县">浦东新区</td>' in row
    assert '<td class="num year">2024</td>' in row and "why-partial" not in row
    partial = re.search(r'<tr data-report="script-report">(.*?)</tr>', page, re.S).group(1)
    assert "结果不完整的原因" in partial and "未找到章或节的标题" in partial  # no chapter or section headings found


# ---------------------------------------------------------------- review from the keyboard, in a browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
NOTE = "与学校核实：口径不同"


@pytest.fixture
def browser_page():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/system-packages.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(30_000)
        yield page
        chromium.close()


def findings_csv(out: Path) -> dict[str, dict]:
    with (out / REPORT / "findings.csv").open(encoding="utf-8-sig") as fh:
        return {row["finding_id"]: row for row in csv.DictReader(fh)}


def test_review_from_the_keyboard_reaches_findings_csv(browser_page, serve_output, tmp_path):
    """j/k move, c confirms, d dismisses, Enter opens the note and Enter in it saves; the progress counts each
    decision; findings.csv holds them; hide reviewed leaves the rest."""
    from playwright.sync_api import expect

    out = copy_output(serve_output, tmp_path)
    page = browser_page
    with running_server(out) as base:
        page.goto(f"{base}/findings?report={REPORT}&verdict=mismatch&sort=page")
        rows = page.locator("#queue tbody tr")
        assert rows.count() == 9
        expect(rows.nth(0)).to_have_class(re.compile(r"\bcurrent\b"))
        page.keyboard.press("j")
        expect(rows.nth(1)).to_have_class(re.compile(r"\bcurrent\b"))
        page.keyboard.press("k")
        expect(rows.nth(0)).to_have_class(re.compile(r"\bcurrent\b"))
        ids = [rows.nth(i).get_attribute("data-finding") for i in range(3)]

        page.keyboard.press("c")
        expect(rows.nth(0).locator(".state")).to_have_text("已确认")
        expect(page.locator("#progress")).to_have_text("已审核 1 / 9")
        expect(rows.nth(1)).to_have_class(re.compile(r"\bcurrent\b"))
        page.keyboard.press("d")
        expect(rows.nth(1).locator(".state")).to_have_text("已排除")
        expect(page.locator("#progress")).to_have_text("已审核 2 / 9")
        expect(rows.nth(2)).to_have_class(re.compile(r"\bcurrent\b"))
        page.keyboard.press("Enter")
        expect(rows.nth(2).locator(".note")).to_be_focused()
        page.keyboard.type(NOTE)
        page.keyboard.press("Enter")
        expect(rows.nth(2).locator(".message")).to_have_text("已保存")
        expect(page.locator("#progress")).to_have_text("已审核 2 / 9")  # a note alone is no decision

        saved = findings_csv(out)
        assert (saved[ids[0]]["review_status"], saved[ids[1]]["review_status"]) == ("confirmed", "dismissed")
        assert (saved[ids[2]]["review_status"], saved[ids[2]]["review_note"]) == ("", NOTE)

        page.goto(f"{base}/findings?report={REPORT}&verdict=mismatch&sort=page&hide_reviewed=1")
        left = [rows.nth(i).get_attribute("data-finding") for i in range(rows.count())]
        assert len(left) == 7 and ids[2] in left and not {ids[0], ids[1]} & set(left)
        expect(page.locator("#progress")).to_have_text("已审核 2 / 9")
        expect(rows.nth(0).locator(".note")).to_have_value(NOTE)  # ids[2] now leads the page
        page.keyboard.press("c")  # with hide reviewed, a decided finding leaves the list at once
        expect(page.locator("#queue tbody tr:not([hidden])")).to_have_count(6)
        expect(page.locator("#progress")).to_have_text("已审核 3 / 9")
        expect(page.locator("#shown-count")).to_have_text("列出 6 条")
        expect(page.locator("#queue tbody tr.current")).to_have_attribute("data-finding", left[1])
        assert findings_csv(out)[ids[2]]["review_status"] == "confirmed"


@pytest.mark.parametrize("title, name", [
    ("浦东新区中等职业教育质量年度报告(2024年度)", "浦东新区"),  # the reference's cover, page 1
    ("上海市群星职业技术学校2024年质量年度报告", "上海市群星职业技术学校"),  # a school's (案例2 names this school)
    ("上海市临港科技学校职业教育质量年度报告（2023）", "上海市临港科技学校"),
    ("滨江区职业教育中心质量年度报告", "滨江区职业教育中心"),  # a school whose name holds 职业教育 keeps it
    ("", ""),
])
def test_the_district_or_school_is_the_title_without_year_level_and_report(title, name):
    from pipeline.indicators import title_name

    assert title_name(title) == name



def test_the_queue_exports_what_it_shows(site):
    """The queue's export links carry its filter; the export holds every finding it picks (not one page)."""
    import csv
    import io

    from openpyxl import load_workbook
    out, base = site
    query = {"report": REPORT, "verdict": "mismatch"}
    page = httpx.get(f"{base}/findings", params=query, headers=ZH)
    assert "/findings.csv?report=" in page.text and "verdict=mismatch" in page.text
    rows = list(csv.DictReader(io.StringIO(httpx.get(f"{base}/findings.csv", params=query).text)))
    assert len(rows) == AUDIT_VERDICTS["mismatch"] and {r["verdict"] for r in rows} == {"mismatch"}
    everything = list(csv.DictReader(io.StringIO(httpx.get(f"{base}/findings.csv", params={"report": REPORT}).text)))
    assert len(everything) == sum(AUDIT_VERDICTS.values())  # all 241, though the page shows 50
    book = load_workbook(io.BytesIO(httpx.get(f"{base}/findings.xlsx", params=query).content))
    assert any(ws.max_row >= 1 + AUDIT_VERDICTS["mismatch"] for ws in book.worksheets)
    assert httpx.get(f"{base}/findings.pdf").status_code == 404
