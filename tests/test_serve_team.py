"""`vetreport serve` as a team uses it: runs loading the store while the app is read, damaged stores and report
folders, hostile requests on every route, loopback addresses.

Every server here is the real app under uvicorn on a free loopback port over a copy of the session's
serve_output. "Never a 500" is asserted on every answer; "never a stall" by a client timeout far below
what a retried request took (10 s each).
"""

from __future__ import annotations

import csv
import json
import shutil
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from serving import TOKEN, copy_output, running_server
from test_serve import course_finding, raw_get, review_rows

from pipeline.words import words

REPORT = "pudong-2024"
HEADERS = {"x-vetreport-token": TOKEN}
QUICK = 5.0  # seconds: a client timeout no answer comes near unless the app waits on something
PAGES = ["/", "/api/reports", "/indicators", f"/indicators?kind={quote('计分卡')}&indicator={quote('月收入')}&parent=",
         "/compare", f"/compare?a={REPORT}&b=district-2024", f"/reports/{REPORT}", f"/api/reports/{REPORT}/findings",
         "/static/app.css"]


# ---------------------------------------------------------------- a run while the app is read


def test_a_run_into_the_served_folder_under_concurrent_reads_is_listed(serve_output, tmp_path):
    """20 clients read the app while `vetreport run` adds a report to its folder: the run loads the store (exit 0,
    nothing waited out) and the new report is listed; no reader ever got a 5xx."""
    out = copy_output(serve_output, tmp_path)
    new = tmp_path / "in" / "newcomer-2024.pdf"
    new.parent.mkdir()
    shutil.copy(serve_output.inputs / "district-2024.pdf", new)
    stop, statuses = threading.Event(), []

    def reader(base: str, path: str) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while not stop.is_set():
                statuses.append(client.get(path).status_code)

    with running_server(out) as base:
        readers = [threading.Thread(target=reader, args=(base, ("/", "/api/reports", PAGES[3])[k % 3])) for k in range(20)]
        for thread in readers:
            thread.start()
        try:
            run = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", str(new), "--out", str(out), "--lang", "en"],
                                 capture_output=True, text=True, timeout=600)
        finally:
            stop.set()
            for thread in readers:
                thread.join(timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr
        assert "(1 reports loaded, 0 unchanged since loaded)" in run.stdout + run.stderr
        listed = {r["report_id"]: r for r in httpx.get(f"{base}/api/reports").json()}
        assert listed["newcomer-2024"]["status"] == "partial" and REPORT in listed  # one 附表 of six: partial
        assert 'href="/reports/newcomer-2024"' in httpx.get(f"{base}/").text
    assert len(statuses) > 20 and set(statuses) == {200}, sorted(set(statuses))
    assert not list(out.glob(".vetreport.duckdb.*.tmp*")), "the run's copy of the store is renamed, never left behind"


def test_a_run_waits_for_another_run_and_gives_up_with_a_clear_message(serve_output, tmp_path):
    """Another run holding the store's turn: the run's store step waits, then says so; the reports are written."""
    import fcntl

    from pipeline.runtime.store import StoreBusy, load_reports

    out = copy_output(serve_output, tmp_path)
    waited = []
    with open(out / ".vetreport.duckdb.lock", "a") as other:
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(StoreBusy, match="another `vetreport run` kept .* locked"):
            load_reports(out / "vetreport.duckdb", [out / REPORT], wait=0.5, waiting=waited.append)
    said = [(words("en").said(w), words("zh").said(w)) for w in waited]
    assert said == [(f"{out / 'vetreport.duckdb'}: another `vetreport run` is loading the store; waiting for it",
                     f"{out / 'vetreport.duckdb'}：另一个 `vetreport run` 正在载入数据库；等待它完成")]


# ---------------------------------------------------------------- damaged stores and report folders


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _garbage(path: Path) -> None:
    path.write_bytes(bytes((n * 131 + 7) % 256 for n in range(path.stat().st_size)))


def _bad_checksum(path: Path) -> None:
    data = bytearray(path.read_bytes())
    first_block = 3 * 4096  # after DuckDB's file header and its two database headers
    data[first_block + 100] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def damaged_site(serve_output, tmp_path_factory):
    """One output folder with its store damaged three ways in turn (``damage(kind)``), and report folders
    damaged one way each beside the reference's."""
    out = copy_output(serve_output, tmp_path_factory.mktemp("damaged-site"))
    store = out / "vetreport.duckdb"
    good = store.read_bytes()
    folders = {
        "manifest-empty-object": ("manifest.json", b"{}"), "manifest-list": ("manifest.json", b"[]"),
        "manifest-invalid": ("manifest.json", b'{"status": "ok", '), "error-list": ("error.json", b"[]"),
        "error-invalid": ("error.json", b"\xff\xfe{"), "findings-ragged": ("findings.csv", b"finding_id,verdict\nF1,match,x,y\n\"F2\nF3"),
        "findings-binary": ("findings.csv", bytes(range(256)) * 4), "findings-other-columns": ("findings.csv", b"a,b\n1,2\n"),
        "indicators-other-columns": ("indicators.csv", b"name,number\nx,1\ny,2\n"),
        "indicators-binary": ("indicators.csv", b"\x00\x01\x02" * 300),
    }
    for name, (file, content) in folders.items():
        shutil.copytree(out / REPORT, out / name)
        (out / name / file).write_bytes(content)
    with running_server(out) as base:
        def damage(kind):
            store.write_bytes(good)
            {"truncated": _truncated, "garbage": _garbage, "checksum": _bad_checksum}[kind](store)
        yield base, damage, folders, out


@pytest.mark.parametrize("kind", ["truncated", "garbage", "checksum"])
def test_a_damaged_store_is_a_clear_503_at_once_and_stalls_nothing(damaged_site, kind):
    base, damage, _, _ = damaged_site
    damage(kind)
    with httpx.Client(base_url=base, timeout=QUICK) as client:
        api = client.get("/api/reports")
        assert api.status_code == 503 and "cannot be read (is it damaged?" in api.json()["error"]
        home = client.get("/")
        assert home.status_code == 200 and "cannot be read (is it damaged?" in home.text
        for path in PAGES:
            status = client.get(path).status_code
            assert status < 500 or (status == 503 and path.startswith("/api/")), (path, status)
        assert client.get(f"/reports/{REPORT}").status_code == 200, "a report's own files still show"
    # 40 at once (the app's worker threads), then a static file: nothing holds the threads
    with httpx.Client(base_url=base, timeout=30, limits=httpx.Limits(max_connections=41)) as client, \
            ThreadPoolExecutor(max_workers=41) as pool:
        answers = [pool.submit(lambda: client.get("/api/reports").status_code) for _ in range(40)]
        static = pool.submit(lambda: client.get("/static/app.css").status_code)
        assert [a.result() for a in answers] == [503] * 40 and static.result() == 200


def test_a_damaged_report_folder_is_a_clear_page_never_a_500(damaged_site):
    base, damage, folders, out = damaged_site
    damage("checksum")
    shown = {}
    for name, (file, _) in folders.items():
        page = httpx.get(f"{base}/reports/{name}", timeout=QUICK)
        api = httpx.get(f"{base}/api/reports/{name}/findings", timeout=QUICK)
        compare = httpx.get(f"{base}/compare", params={"a": REPORT, "b": name}, timeout=QUICK)
        shown[name] = page.status_code
        assert page.status_code in (200, 503) and api.status_code in (200, 503) and compare.status_code == 200, name
        if page.status_code == 503:  # says which file of which report cannot be read
            assert f"{name}/{file}" in page.text, (name, page.text)
        if name.startswith("findings"):
            assert api.status_code == 503 and name in api.json()["error"], name
            before = (out / name / "review.csv").read_bytes()
            edit = httpx.post(f"{base}/api/reports/{name}/review", headers=HEADERS, timeout=QUICK,
                              json={"finding_id": "F1", "status": "dismissed", "note": ""})
            assert edit.status_code in (404, 503) and (out / name / "review.csv").read_bytes() == before
        if name == "indicators-other-columns":
            assert "的 indicators.csv 无法比较" in compare.text, name  # said in the app's default language
    assert shown == {**dict.fromkeys(folders, 503), "manifest-empty-object": 200}, shown


# ---------------------------------------------------------------- hostile requests on every route


@pytest.fixture(scope="module")
def hostile_site(serve_output, tmp_path_factory):
    out = copy_output(serve_output, tmp_path_factory.mktemp("hostile-site"))
    shutil.copytree(out / REPORT, out / "back\\slash")
    from pipeline.runtime.store import load_reports

    load_reports(out / "vetreport.duckdb", [out / "back\\slash"])
    with running_server(out) as base:
        yield out, base


LONG = "a" * 300
HOSTILE_GETS = [
    f"/reports/{LONG}", f"/reports/{quote('报' * 90)}", "/reports/%00", "/reports/%ED%A0%80", "/reports/%FF%FE",
    f"/reports/{REPORT}/images/{LONG}.png", f"/reports/{REPORT}/images/{quote('图' * 90)}.png", f"/reports/{REPORT}/images/%00.png",
    f"/reports/{REPORT}/images/.png", f"/api/reports/{LONG}/findings", "/api/reports/%00/findings",
    "/indicators?year=%C2%B2", "/indicators?year=%E2%91%A0", f"/indicators?year={'9' * 5000}", "/indicators?year=-1",
    f"/indicators?kind={quote('计分卡')}&indicator={quote('月收入')}&parent=&year=%C2%B2",
    f"/indicators?kind={quote('计分卡')}&indicator={quote('月收入')}&parent=&year={'9' * 5000}&view=%3Cscript%3E",
    "/indicators?pick=%00%7C%00%7C%00", f"/indicators?pick={'|' * 5000}", f"/indicators?kind={LONG * 20}&indicator=x",
    f"/compare?a={LONG}&b={LONG}", "/compare?a=%00&b=%00", f"/compare?a={REPORT}", "/compare?a=%ED%A0%80&b=x",
    "/static/%00", f"/static/{LONG}", "/?token=%00", "/%FF",
]


@pytest.mark.parametrize("path", HOSTILE_GETS)
def test_hostile_values_on_every_page_are_never_a_500(hostile_site, path):
    status, _ = raw_get(hostile_site[1], path)
    assert status < 500


def test_odd_years_are_ignored_and_the_chart_drawn(hostile_site):
    base = hostile_site[1]
    for year in ("²", "①", "9" * 5000, "٢٠٢٤"):
        page = httpx.get(f"{base}/indicators", params={"kind": "计分卡", "indicator": "月收入", "parent": "", "year": year})
        assert page.status_code == 200 and "data-report='pudong-2024' data-year='2024' data-value='4174.00'" in page.text


def test_an_image_name_over_255_bytes_is_404(hostile_site):
    base = hostile_site[1]
    assert httpx.get(f"{base}/reports/{REPORT}/images/{'a' * 300}.png").status_code == 404


def _review(base, body, **kwargs):
    return httpx.post(f"{base}/api/reports/{REPORT}/review", headers={**HEADERS, **kwargs.pop("headers", {})},
                      timeout=60, **({"json": body} if body is not None else {}), **kwargs)


@pytest.mark.parametrize("content, status, message", [
    ('{"finding_id": "\\ud800", "status": "dismissed"}', 422, "valid Unicode"),
    ('{"finding_id": "FID", "status": "dismissed", "note": "a\\udfff"}', 422, "valid Unicode"),
    ('{"finding_id": "FID", "status": "dis\\ud800missed"}', 422, "valid Unicode"),
    ("[" * 100_000 + "]" * 100_000, 413, "over 65536 bytes"),
    ("[" * 30_000 + "]" * 30_000, 400, "nested"),
    ('{"finding_id": "FID", "status": "dismissed", "note": ' + "[" * 30 + "]" * 30 + "}", 400, "nested"),
    ('{"finding_id": "FID", "status": "dismissed", "note": {"a": 1}}', 422, "the note must be text"),
    ('{"finding_id": "' + "F" * 5000 + '", "status": "dismissed"}', 404, "no finding"),
    (b'{"finding_id": "\xff\xfe", "status": "dismissed"}', 400, "must be JSON"),
])
def test_hostile_review_bodies_are_a_clear_4xx_and_write_nothing(hostile_site, content, status, message):
    out, base = hostile_site
    fid = course_finding(base)["finding_id"]
    content = content.replace("FID", fid) if isinstance(content, str) else content
    before = (out / REPORT / "review.csv").read_bytes()
    answer = _review(base, None, content=content, headers={"content-type": "application/json"})
    assert answer.status_code == status and message in answer.json()["error"], answer.text
    assert (out / REPORT / "review.csv").read_bytes() == before


def test_a_huge_body_is_refused_without_being_read(hostile_site):
    """100 MB announced and streamed: 413 at once (the app reads at most 64 KiB of a body)."""
    out, base = hostile_site

    def stream():
        for _ in range(100):
            yield b" " * 2**20

    answer = _review(base, None, content=stream(), headers={"content-type": "application/json"})
    assert answer.status_code == 413
    chunked = httpx.post(f"{base}/api/reports/{REPORT}/review", headers={**HEADERS, "content-type": "application/json"},
                         content=(b" " * 2**16 for _ in range(1600)), timeout=60)  # no Content-Length
    assert chunked.status_code == 413


@pytest.mark.parametrize("note, stored, shown", [
    (0, "0", "0"), (False, "false", "false"), ("0", "0", "0"), (2.5, "2.5", "2.5"), (None, "", ""),
    ("=HYPERLINK(\"http://x.example\",\"a\")", "'=HYPERLINK(\"http://x.example\",\"a\")", "=HYPERLINK(\"http://x.example\",\"a\")"),
    ("+1+1", "'+1+1", "+1+1"), ("-1", "'-1", "-1"), ("@SUM(A1)", "'@SUM(A1)", "@SUM(A1)"), ("'=x", "''=x", "'=x"),
    ("'引用", "'引用", "'引用"), ("''=x", "'''=x", "''=x"), ("已核实 =1", "已核实 =1", "已核实 =1"),
])
def test_notes_are_kept_as_typed_and_never_run_as_formulas(hostile_site, note, stored, shown):
    """review.csv holds what a spreadsheet shows as text (an apostrophe before =, +, -, @); the app answers and
    shows the note as typed, and findings.csv of the next run keeps the guard."""
    out, base = hostile_site
    fid = course_finding(base)["finding_id"]
    answer = _review(base, {"finding_id": fid, "status": "dismissed", "note": note})
    assert answer.status_code == 200 and answer.json()["review_note"] == shown
    assert review_rows(out)[fid]["note"] == stored
    listed = next(f for f in httpx.get(f"{base}/api/reports/{REPORT}/findings").json() if f["finding_id"] == fid)
    assert listed["review_note"] == shown


def test_findings_csv_keeps_the_formula_guard(reference_run, tmp_path):
    """A run carries review.csv's notes into findings.csv with the guard (and the audit shows them as typed)."""
    from pipeline.writers.review import record_review

    folder = tmp_path / "report"
    shutil.copytree(reference_run.out_dir, folder)
    fid = next(csv.DictReader((folder / "findings.csv").open(encoding="utf-8")))["finding_id"]
    record_review(folder, fid, "confirmed", "=1+1")
    from pipeline.writers.frames import read_published
    from pipeline.writers.review import apply_review

    findings = read_published(folder / "findings.csv")
    reviewed = apply_review(findings, folder).findings
    assert reviewed.set_index("finding_id").loc[fid, "review_note"] == "=1+1"
    from types import SimpleNamespace

    from pipeline.writers.report import write_tables

    write_tables(SimpleNamespace(out_dir=folder, fatal=False, frames={"findings": reviewed}, csv_texts={}))
    row = next(r for r in csv.DictReader((folder / "findings.csv").open(encoding="utf-8")) if r["finding_id"] == fid)
    assert row["review_note"] == "'=1+1"


def test_a_report_id_with_a_backslash_is_listed_and_opens(hostile_site):
    out, base = hostile_site
    listed = {r["report_id"]: r for r in httpx.get(f"{base}/api/reports").json()}
    assert listed["back\\slash"]["folder"] is True
    home = httpx.get(f"{base}/").text
    assert 'href="/reports/back%5Cslash"' in home and "(folder missing)" not in home
    assert httpx.get(f"{base}/reports/back%5Cslash").status_code == 200


# ---------------------------------------------------------------- loopback addresses and --host


@pytest.mark.parametrize("host", ["127.0.0.2", "127.1.2.3", "[::1]", "localhost", "LOCALHOST"])
def test_every_loopback_name_works_without_a_token(hostile_site, host):
    base = hostile_site[1]
    port = base.rsplit(":", 1)[1]
    status, body = raw_get(base, "/api/reports", headers={"Host": f"{host}:{port}"})
    assert status == 200 and json.loads(body)


def test_a_loopback_host_needs_no_token_and_prints_no_warning(tmp_path, monkeypatch):
    import uvicorn

    from pipeline.serve import app as serve_app

    said, started = [], {}
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, log_level: started.update(host=host, guard=app))
    monkeypatch.setattr(serve_app, "listening_socket", lambda host, port: socket.socket())  # 8765 may be in use here
    serve_app.serve(tmp_path, "127.0.0.2", 8765, None, said.append, lang="en")
    assert started["guard"].require_token is False
    serve_app.serve(tmp_path, "0.0.0.0", 8765, None, said.append, lang="en")
    first, second = said[:2], said[2:]
    assert first[0].startswith("vetreport serve: ") and first[0].endswith("at http://127.0.0.2:8765/")
    assert not any("warning" in line for line in first)
    assert second[0].startswith("warning: 0.0.0.0 is not a loopback address: the app serves plain HTTP")
    assert "every request needs the token" in second[0] and "?token=" in second[1]
    assert started["guard"].require_token is True
