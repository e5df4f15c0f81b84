"""`vetreport serve` over plain HTTP: the JSON API, the refusals that keep it safe, concurrent review writes.

The server is the real app under uvicorn on a free loopback port, over output that `vetreport run`
wrote (the session fixture serve_output). Expected values are read off the reference PDF: page 13
says 课均学生 137 人, 附表3 on page 51 prints 在线精品课程课均学生数 817 for 2024.
"""

import csv
import http.client
import io
import json
import multiprocessing
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from conftest import run_cli
from serving import TOKEN, copy_output, free_port, running_server

from pipeline.serve import chart
from pipeline.serve.app import _indicator_chart
from pipeline.serve.data import Output

REPORT = "pudong-2024"
HEADERS = {"x-vetreport-token": TOKEN}
ENGLISH = {"accept-language": "en-US,en;q=0.9"}  # the pages in English (Chinese without it)


@pytest.fixture(scope="module")
def site(serve_output, tmp_path_factory):
    out = copy_output(serve_output, tmp_path_factory.mktemp("site"))
    with running_server(out) as base:
        yield out, base


def review_rows(out, report=REPORT) -> dict[str, dict]:
    with (out / report / "review.csv").open(encoding="utf-8") as fh:
        return {row["finding_id"]: row for row in csv.DictReader(fh)}


def course_finding(base) -> dict:
    """The mismatch of 课均学生137人 (page 13) against 附表3's 817."""
    findings = httpx.get(f"{base}/api/reports/{REPORT}/findings").json()
    return next(f for f in findings if "课均学生137人" in (f["claim_text"] or "") and f["indicator"] == "在线精品课程课均学生数")


def raw_get(base, path: str, headers: dict | None = None) -> tuple[int, str]:
    """A GET with the path sent exactly as written (httpx and browsers would resolve ../ first)."""
    parts = urlsplit(base)
    con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        con.request("GET", path, headers=headers or {})
        response = con.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        con.close()


# ---------------------------------------------------------------- the API


def test_api_lists_the_reports_and_a_reports_findings(site):
    out, base = site
    reports = {r["report_id"]: r for r in httpx.get(f"{base}/api/reports").json()}
    assert set(reports) == {"pudong-2024", "district-2024", "district-2025", "script-report", "corrupt"}
    assert reports[REPORT]["pages"] == 55 and reports[REPORT]["status"] == "ok"
    assert reports["corrupt"]["status"] == "error" and reports["corrupt"]["unreviewed"] == 0
    finding = course_finding(base)
    assert (finding["verdict"], finding["page"], finding["table_page"], finding["table_value"], finding["year"]) == (
        "mismatch", 13, 51, "817", 2024)
    assert finding["review_status"] == "open"


def test_api_review_answers_the_updated_finding_and_writes_review_csv(site):
    out, base = site
    finding = course_finding(base)
    before = httpx.get(f"{base}/api/reports").json()
    unreviewed = next(r["unreviewed"] for r in before if r["report_id"] == REPORT)
    answer = httpx.post(f"{base}/api/reports/{REPORT}/review", headers=HEADERS,
                        json={"finding_id": finding["finding_id"], "status": "confirmed", "note": "学校已更正"})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["finding_id"], answer.json()["review_status"], answer.json()["review_note"]) == (
        finding["finding_id"], "confirmed", "学校已更正")
    row = review_rows(out)[finding["finding_id"]]
    assert (row["status"], row["note"]) == ("confirmed", "学校已更正")
    after = httpx.get(f"{base}/api/reports").json()
    assert next(r["unreviewed"] for r in after if r["report_id"] == REPORT) == unreviewed - 1
    reopened = httpx.post(f"{base}/api/reports/{REPORT}/review", headers=HEADERS,
                          json={"finding_id": finding["finding_id"], "status": "open", "note": ""})
    assert reopened.json()["review_status"] == "open" and review_rows(out)[finding["finding_id"]]["status"] == ""


def test_a_report_that_could_not_be_read_shows_why(site):
    page = httpx.get(f"{site[1]}/reports/corrupt", headers=ENGLISH)
    assert page.status_code == 200 and "This PDF could not be read: stage pages" in page.text
    assert httpx.get(f"{site[1]}/api/reports/corrupt/findings").json() == []


def test_without_a_store_the_pages_say_so(serve_output, tmp_path):
    out = copy_output(serve_output, tmp_path)
    (out / "vetreport.duckdb").unlink()
    with running_server(out) as base:
        assert "no store at" in httpx.get(f"{base}/").text
        assert httpx.get(f"{base}/api/reports").status_code == 503
        assert httpx.get(f"{base}/reports/{REPORT}").status_code == 200  # a report's own files still show


def test_serve_needs_an_output_folder(tmp_path):
    result = run_cli("serve", "--out", str(tmp_path / "missing"))
    assert result.exit_code == 2 and "is not a folder" in result.output


def test_indicators_are_picked_by_table_kind_when_the_store_has_it(serve_output, tmp_path):
    """The store's indicators carry table_kind: 附表1 (page 49, 月收入 4174.00 in 2024) is picked as 计分卡,
    not by its title."""
    out = copy_output(serve_output, tmp_path)
    with running_server(out) as base:
        page = httpx.get(f"{base}/indicators", params={"kind": "计分卡", "indicator": "月收入", "parent": ""}).text
        assert '<optgroup label="计分卡">' in page
        assert "data-report='pudong-2024' data-year='2024' data-value='4174.00'" in page
        old = httpx.get(f"{base}/indicators", params={"kind": "人才培养质量计分卡", "indicator": "月收入", "parent": ""},
                        headers=ENGLISH).text
        assert "No values to draw." in old


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize("path", [
    "/reports/..", "/reports/%2e%2e", "/reports/..%2F..%2Fetc%2Fpasswd", "/reports/%2Fetc%2Fpasswd",
    "/reports/../../etc/passwd", f"/reports/{REPORT}/images/..%2Fmanifest.json", f"/reports/{REPORT}/images/%2Fetc%2Fpasswd",
    f"/reports/{REPORT}/images/..%2F..%2F{REPORT}%2Faudit_images%2Fx.png", "/api/reports/..%2Fout/findings",
    "/api/reports/%2Ftmp/findings", "/static/..%2Fapp.py", "/static/../app.py",
    f"/compare?a=..&b={REPORT}", f"/compare?a=%2Fetc&b={REPORT}", f"/compare?a={REPORT}&b=..%2F{REPORT}",
])
def test_paths_out_of_the_output_folder_are_404(site, path):
    assert raw_get(site[1], path)[0] == 404


def test_an_evidence_image_of_the_report_is_served(site):
    out, base = site
    finding = course_finding(base)
    image = httpx.get(f"{base}/reports/{REPORT}/images/{finding['finding_id']}-table.png")
    assert image.status_code == 200 and image.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_text_from_the_pdf_is_escaped(site):
    out, base = site
    page = httpx.get(f"{base}/reports/script-report")
    assert page.status_code == 200
    assert '&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;' in page.text
    assert "<script>alert" not in page.text
    assert re.findall(r"<script[^>]*>", page.text) == ['<script src="/static/app.js" defer>']
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_a_foreign_host_name_is_refused_on_loopback(site):
    status, body = raw_get(site[1], "/api/reports", headers={"Host": "attacker.example"})
    assert status == 421 and "localhost" in body


def test_changes_without_the_token_or_from_another_origin_are_refused(site):
    out, base = site
    finding = course_finding(base)
    body = {"finding_id": finding["finding_id"], "status": "dismissed", "note": "forged"}
    before = (out / REPORT / "review.csv").read_bytes()
    url = f"{base}/api/reports/{REPORT}/review"
    no_token = httpx.post(url, json=body)
    wrong_token = httpx.post(url, json=body, headers={"x-vetreport-token": "guess"})
    other_origin = httpx.post(url, json=body, headers={**HEADERS, "Origin": "http://attacker.example"})
    form = httpx.post(url, data=body, headers={"Origin": base})  # what a cross-site form could send
    for response in (no_token, wrong_token, form):
        assert response.status_code == 403 and "x-vetreport-token" in response.json()["error"]
    assert other_origin.status_code == 403 and "another origin" in other_origin.json()["error"]
    assert (out / REPORT / "review.csv").read_bytes() == before


@pytest.mark.parametrize("body, status, message", [
    ({"finding_id": "F000nope", "status": "dismissed", "note": ""}, 404, "no finding 'F000nope'"),
    ({"finding_id": "FROM_PAGE", "status": "rejected", "note": ""}, 422, "status 'rejected' is not one of confirmed, dismissed, open"),
    ({"finding_id": "FROM_PAGE", "status": "dismissed", "note": "x" * 2001}, 422, "at most 2000 characters"),
    ({"finding_id": "FROM_PAGE"}, 422, "finding_id and status"),
    (["FROM_PAGE", "dismissed"], 422, "JSON object"),
])
def test_invalid_edits_are_a_clear_4xx_and_write_nothing(site, body, status, message):
    out, base = site
    fid = course_finding(base)["finding_id"]
    body = json.loads(json.dumps(body).replace("FROM_PAGE", fid))
    before = (out / REPORT / "review.csv").read_bytes()
    response = httpx.post(f"{base}/api/reports/{REPORT}/review", headers=HEADERS, json=body)
    assert response.status_code == status and message in response.json()["error"], response.text
    assert (out / REPORT / "review.csv").read_bytes() == before


def test_a_body_that_is_not_json_is_400(site):
    out, base = site
    response = httpx.post(f"{base}/api/reports/{REPORT}/review", headers={**HEADERS, "content-type": "application/json"},
                          content=b"finding_id=F1")
    assert response.status_code == 400


def test_on_another_host_every_request_needs_the_printed_token(serve_output):
    """`vetreport serve --host 0.0.0.0` prints a token; requests (sent to 127.0.0.1) without it are 401."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve", "--out", str(serve_output.out),
                               "--host", "0.0.0.0", "--port", str(port), "--lang", "en"], stderr=subprocess.PIPE, text=True)
    try:
        token = None
        while token is None:
            line = server.stderr.readline()
            assert line, "vetreport serve ended before printing its token"
            match = re.search(r"token: (\S+)", line)
            token = match.group(1) if match else None
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                first = httpx.get(f"{base}/api/reports")
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert first.status_code == 401 and "token" in first.json()["error"]
        assert httpx.get(f"{base}/").status_code == 401
        assert httpx.get(f"{base}/reports/{REPORT}").status_code == 401
        assert httpx.get(f"{base}/api/reports", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert httpx.get(f"{base}/api/reports", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        with httpx.Client(base_url=base, follow_redirects=True) as browser:  # the printed address: ?token= once
            page = browser.get(f"/?token={token}")
            assert page.status_code == 200 and REPORT in page.text and "token=" not in str(page.url)
            assert browser.get(f"/reports/{REPORT}").status_code == 200  # the cookie carries it from then on
    finally:
        server.terminate()
        server.wait(timeout=30)


# ---------------------------------------------------------------- concurrent writes


def _post_many(base: str, decisions: list[tuple[str, str, str]]) -> list[int]:
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(lambda d: httpx.post(
            f"{base}/api/reports/{REPORT}/review", headers=HEADERS, timeout=60,
            json={"finding_id": d[0], "status": d[1], "note": d[2]}).status_code, decisions))


def test_concurrent_posts_lose_no_decision(serve_output, tmp_path):
    out = copy_output(serve_output, tmp_path)
    with running_server(out) as base:
        ids = [f["finding_id"] for f in httpx.get(f"{base}/api/reports/{REPORT}/findings").json()][:40]
        decisions = [(fid, ("confirmed", "dismissed")[n % 2], f"note {n}，第{n}条") for n, fid in enumerate(ids)]
        assert _post_many(base, decisions) == [200] * len(decisions)
        stored = review_rows(out)
        assert {fid: (stored[fid]["status"], stored[fid]["note"]) for fid in ids} == {d[0]: d[1:] for d in decisions}
        served = {f["finding_id"]: f["review_status"] for f in httpx.get(f"{base}/api/reports/{REPORT}/findings").json()}
        assert all(served[fid] == status for fid, status, _ in decisions)


def _record_in_process(folder, decisions, barrier):
    from pipeline.writers.review import record_review

    barrier.wait(timeout=120)  # every process imported the pipeline: now all write at once
    for fid, status, note in decisions:
        record_review(folder, fid, status, note)


def test_writers_in_several_processes_lose_no_decision(serve_output, tmp_path):
    """Two servers, or the app and a script, writing one review.csv at once."""
    out = copy_output(serve_output, tmp_path)
    folder = out / REPORT
    ids = [row["finding_id"] for row in csv.DictReader(io.StringIO((folder / "findings.csv").read_text(encoding="utf-8")))][:60]
    decisions = [(fid, "dismissed", f"process {n % 2}") for n, fid in enumerate(ids)]
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    writers = [context.Process(target=_record_in_process, args=(folder, decisions[k::2], barrier)) for k in range(2)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=180)
        assert writer.exitcode == 0
    stored = review_rows(out)
    assert {fid: (stored[fid]["status"], stored[fid]["note"]) for fid in ids} == {d[0]: d[1:] for d in decisions}


# ---------------------------------------------------------------- period kinds (issue 21): 届, 学年 and 年 series

FAMILY = Path(__file__).parent / "fixtures" / "family"


def family_cells(*kinds: str) -> list[dict]:
    """Hand-keyed cells of the 高职 2021年度 fixture (tests/fixtures/family/gaozhi-2021.csv)."""
    with (FAMILY / "gaozhi-2021.csv").open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["table_kind"] in kinds]


def indicator_store(out: Path, cells: list[tuple], with_period_kind: bool = True) -> Output:
    """A store holding only what the indicators page reads: (report_id, period_kind, year, value_raw) of
    计分卡 就业率 (%); a store from before period_kind has no such column."""
    import duckdb

    out.mkdir()
    period = ", period_kind VARCHAR" if with_period_kind else ""
    with duckdb.connect(str(out / "vetreport.duckdb")) as con:
        con.execute("CREATE TABLE reports (report_id VARCHAR, status VARCHAR)")
        con.execute(f"CREATE TABLE indicators (report_id VARCHAR, table_kind VARCHAR, table_no INTEGER, table_title VARCHAR, "
                    f"indicator VARCHAR, parent_indicator VARCHAR, unit VARCHAR, year INTEGER, value DOUBLE, value_raw VARCHAR, "
                    f"page INTEGER, row_seq INTEGER{period})")
        for report in sorted({c[0] for c in cells}):
            con.execute("INSERT INTO reports VALUES (?, 'ok')", [report])
        for report, kind, year, raw in cells:
            row = [report, "计分卡", 1, "计分卡", "就业率", "", "%", year, float(raw), raw, 2, 1]
            con.execute(f"INSERT INTO indicators VALUES ({', '.join('?' * len(row))}{', ?' if with_period_kind else ''})",
                        row + ([kind] if with_period_kind else []))
    return Output(out)


# 就业率 as the 高职 fixture prints it (2020届 92.15, 2021届 93.40), and as two other reports print it by
# calendar year: a cohort and a year of 2021 are two columns, never one line.
COHORTS_AND_YEARS = [("donghai-2021", "cohort", 2020, "92.15"), ("donghai-2021", "cohort", 2021, "93.40"),
                     ("xihai-2022", None, 2021, "90.00"), ("xihai-2022", "", 2022, "91.00"),
                     ("nanhai-2022", "year", 2021, "91.00"), ("nanhai-2022", "year", 2022, "91.50")]


def test_the_indicator_chart_draws_a_line_per_report_and_period_kind(tmp_path):
    output = indicator_store(tmp_path / "out", COHORTS_AND_YEARS)
    values = output.indicator_values("计分卡", "就业率", "")
    assert sorted(zip(values.report_id, values.period_kind, values.year)) == [
        ("donghai-2021", "cohort", 2020), ("donghai-2021", "cohort", 2021), ("nanhai-2022", "year", 2021),
        ("nanhai-2022", "year", 2022), ("xihai-2022", "year", 2021), ("xihai-2022", "year", 2022)]  # no kind: year
    shown = _indicator_chart(output, "计分卡", "就业率", "", {"view": "lines"})
    lines = re.findall(r"<polyline [^>]*data-report='([^']+)' data-kind='([^']+)' points='([^']+)'", shown["svg"])
    assert sorted((report, kind, len(points.split())) for report, kind, points in lines) == [
        ("donghai-2021", "cohort", 2), ("nanhai-2022", "year", 2), ("xihai-2022", "year", 2)]
    ticks = re.findall(r"<text x='[\d.]+' y='\d+' text-anchor='middle'>([^<]+)</text>", shown["svg"])
    assert ticks == ["2021", "2022", "2020届", "2021届"]  # 2021 and 2021届: two slots of the axis
    assert "<text class='axis-title' x='860' y='386' text-anchor='end'>年 / 届</text>" in shown["svg"]
    assert [(s["report_id"], s["word"]) for s in shown["legend"]] == [
        ("donghai-2021", "届"), ("nanhai-2022", "年"), ("xihai-2022", "年")]
    assert [c["label"] for c in shown["columns"]] == ["2021", "2022", "2020届", "2021届"]
    donghai = next(r for r in shown["rows"] if r["report_id"] == "donghai-2021")["cells"]
    assert {key: cell["raw"] for key, cell in donghai.items()} == {("cohort", 2020): "92.15", ("cohort", 2021): "93.40"}


def test_bars_and_far_values_are_of_one_column(tmp_path):
    """Three reports print 2021年 90.00, 91.00, 90.50; one prints 2021届 60.00 (typed for the test). The 届 value
    is no outlier among the 年 values: it is alone in its column. The bars of 2021届 show it alone."""
    cells = [("a-2021", "year", 2021, "90.00"), ("b-2021", "year", 2021, "91.00"), ("c-2021", "year", 2021, "90.50"),
             ("d-2021", "cohort", 2021, "60.00")]
    output = indicator_store(tmp_path / "out", cells)
    values = output.indicator_values("计分卡", "就业率", "")
    assert chart.outliers(values) == set()
    bars = _indicator_chart(output, "计分卡", "就业率", "", {"view": "bars", "period": "cohort:2021"})
    assert bars["column"] == "cohort:2021"
    assert re.findall(r"<rect class='bar' [^>]*data-report='([^']+)' data-year='(\d+)' data-value='([^']+)' "
                      r"data-kind='(\w+)'", bars["svg"]) == [("d-2021", "2021", "60.00", "cohort")]
    assert "text-anchor='end'>2021届</text>" in bars["svg"]
    by_year = _indicator_chart(output, "计分卡", "就业率", "", {"view": "bars", "year": "2021"})
    assert by_year["column"] == "year:2021" and by_year["svg"].count("<rect class='bar'") == 3


def test_a_store_from_before_period_kinds_charts_calendar_years(tmp_path):
    output = indicator_store(tmp_path / "out", [(r, None, y, v) for r, _, y, v in COHORTS_AND_YEARS[2:]],
                             with_period_kind=False)
    shown = _indicator_chart(output, "计分卡", "就业率", "", {})
    assert [c["label"] for c in shown["columns"]] == ["2021", "2022"]
    assert [(s["report_id"], s["kind"]) for s in shown["legend"]] == [("nanhai-2022", "year"), ("xihai-2022", "year")]


def test_a_reports_tables_show_the_periods_each_prints(tmp_path):
    """The report page of the 高职 fixture: 计分卡 in 届, 资源表 in 学年, 服务贡献表 in 年 (headers as printed)."""
    folder = tmp_path / "donghai-2021"
    folder.mkdir()
    rows = family_cells("计分卡", "教学资源表", "服务贡献表")
    with (folder / "indicators.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, [*rows[0], "table_no", "page"])
        writer.writeheader()
        writer.writerows({**r, "table_no": n, "page": n + 1} for r in rows
                         for n in [{"计分卡": 1, "教学资源表": 2, "服务贡献表": 4}[r["table_kind"]]])
    tables = Output(tmp_path).indicator_tables(folder)
    assert [(t["title"], t["years"]) for t in tables] == [
        ("计分卡", ["2020届", "2021届"]), ("资源表", ["2019-2020学年", "2020-2021学年"]), ("服务贡献表", ["2020", "2021"])]
    assert tables[0]["rows"][0]["cells"] == ["92.15", "93.40"]  # 就业率


# ---------------------------------------------------------------- issue 19: what the pages show


def test_an_indicator_listed_in_two_units_is_two_series_and_two_table_rows(site):
    """附表3 (page 51) lists 教学计划内课程总数 twice: 3077 and 2531 门, 282633 and 265677 学时 (2023, 2024)."""
    page = httpx.get(f"{site[1]}/indicators", params={"pick": "教学资源表||教学计划内课程总数", "view": "lines"}).text
    assert page.count("<svg class='chart'") == 2  # a chart per unit, each with its own axis
    lines = re.findall(r"<polyline [^>]*data-report='pudong-2024' [^>]*data-unit='([^']+)'", page)
    assert sorted(lines) == ["学时", "门"]
    rows = re.findall(r'<tr data-report="pudong-2024" data-unit="([^"]+)">(.*?)</tr>', page, re.S)
    shown = {unit: re.findall(r'<td class="num"[^>]*>([^<]*)</td>', cells) for unit, cells in rows}
    assert shown == {"门": ["3077", "2531"], "学时": ["282633", "265677"]}


def attention_card(page: str, text: str) -> str:
    """The block of the report page's finding whose text holds ``text``."""
    start = page.rindex('<div class="finding ', 0, page.index(text))
    return page[start:page.index('<div class="review">', start)]


def test_a_cross_table_card_shows_both_cells_images_and_a_ratio_card_its_cells_value(site):
    """附表1 (page 49) prints 毕业生面向三次产业就业人数 1277 and 附表4 (page 53) 毕业生初次就业人数 596: two pictures.
    Page 25's 88.17% 留在上海就业 is checked against 附表4's A类：留在当地就业人数 568 (2024)."""
    page = httpx.get(f"{site[1]}/reports/{REPORT}", headers=ENGLISH).text
    cross = attention_card(page, "直接就业人数（计分卡与服务贡献表）")
    assert re.findall(r'<figcaption>([^<]+)</figcaption>', cross) == ["the table cell", "the other cell"]
    ratio = attention_card(page, "88.17%留在上海就业")
    assert "Table: 附表4 A类：留在当地就业人数 (2024) = 568</p>" in ratio


def test_a_partial_report_says_why_and_shows_its_warnings(site):
    """district-2024 prints only 附表6: partial, and its page says which tables are missing."""
    listed = {r["report_id"]: r for r in httpx.get(f"{site[1]}/api/reports").json()}
    assert listed["district-2024"]["status"] == "partial" and listed["district-2024"]["warnings"] >= 1
    page = httpx.get(f"{site[1]}/reports/district-2024", headers=ENGLISH).text
    reasons = re.search(r'<p class="warning">Partial results: ([^<]+)</p>', page)
    assert reasons and "计分卡" in reasons.group(1)
    assert f'<summary>Warnings ({listed["district-2024"]["warnings"]})</summary>' in page
    assert "Partial results" not in httpx.get(f"{site[1]}/reports/{REPORT}", headers=ENGLISH).text  # ok: nothing to explain


def test_compare_warns_as_the_cli_does_and_does_not_default_to_one_report_twice(site):
    base = site[1]
    same = httpx.get(f"{base}/compare", params={"a": REPORT, "b": REPORT}, headers=ENGLISH).text
    assert "warning: A and B are one report (pudong-2024, pudong-2024" in same
    swapped = httpx.get(f"{base}/compare", params={"a": "district-2025", "b": "district-2024"}, headers=ENGLISH).text
    assert "warning: A (district-2025, latest year 2025) is later than B (district-2024, latest year 2024)" in swapped
    in_order = httpx.get(f"{base}/compare", params={"a": "district-2024", "b": "district-2025"}, headers=ENGLISH).text
    assert "warning:" not in in_order
    blank = httpx.get(f"{base}/compare").text
    picked = re.findall(r'<option value="([^"]+)" selected>', blank)
    assert len(picked) == 2 and picked[0] != picked[1]


def test_compare_prints_deltas_to_the_printed_precision(site):
    """附表2 (page 50) prints 毕业生满意度 96.71 for 2024; an edition typed with 97.01 differs by 0.3 (97.01 − 96.71
    is 0.30000000000001137 in floating point)."""
    import shutil

    out, base = site
    edited = out / "pudong-edited"
    shutil.copytree(out / REPORT, edited)
    text = (edited / "indicators.csv").read_text(encoding="utf-8")
    assert text.count(",毕业生满意度,,%,%,2024,2024年,year,96.71,96.71,") == 1
    (edited / "indicators.csv").write_text(text.replace(",毕业生满意度,,%,%,2024,2024年,year,96.71,96.71,",
                                                        ",毕业生满意度,,%,%,2024,2024年,year,97.01,97.01,"), encoding="utf-8")
    page = httpx.get(f"{base}/compare", params={"a": REPORT, "b": "pudong-edited"}).text
    row = page[page.index("<td>毕业生满意度"):].split("</tr>", 1)[0]
    assert '<td class="num">0.3</td>' in row and "0.3000" not in page
