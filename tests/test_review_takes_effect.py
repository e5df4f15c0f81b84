"""A review made in `vetreport serve` takes effect at once: review.csv, findings.csv, the store, and audit.html/md
(drawn again just after the answer; the app's audit.html waits for it), and `vetreport run` does not skip a report
whose review.csv is newer than its findings.

The finding reviewed is the mismatch of page 13's 课均学生137人 against 附表3's 817 (page 51).
"""

import csv
import json
from concurrent.futures import ThreadPoolExecutor

import duckdb
import httpx
from conftest import run_cli
from serving import TOKEN, copy_output, running_server

REPORT = "pudong-2024"
HEADERS = {"x-vetreport-token": TOKEN}


def course_finding(base) -> dict:
    findings = httpx.get(f"{base}/api/reports/{REPORT}/findings").json()
    return next(f for f in findings if "课均学生137人" in (f["claim_text"] or "") and f["indicator"] == "在线精品课程课均学生数")


def findings_csv(out) -> dict[str, dict]:
    with (out / REPORT / "findings.csv").open(encoding="utf-8") as fh:
        return {row["finding_id"]: row for row in csv.DictReader(fh)}


def stored(out, finding_id: str) -> tuple:
    with duckdb.connect(str(out / "vetreport.duckdb"), read_only=True) as con:
        return con.execute("SELECT review_status, review_note FROM findings WHERE report_id = ? AND finding_id = ?",
                           [REPORT, finding_id]).fetchone()


def card(html: str, finding_id: str) -> str:
    """One finding's block of audit.html."""
    return html[html.index(f"id='{finding_id}'"):].split("<div class='finding", 1)[0]


def review(base, finding_id: str, status: str, note: str) -> dict:
    answer = httpx.post(f"{base}/api/reports/{REPORT}/review", headers=HEADERS, timeout=60,
                        json={"finding_id": finding_id, "status": status, "note": note})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_review_reaches_findings_csv_the_store_and_audit_html_at_once(serve_output, tmp_path):
    out = copy_output(serve_output, tmp_path)
    with running_server(out) as base:
        finding = course_finding(base)["finding_id"]
        assert findings_csv(out)[finding]["review_status"] == "" and stored(out, finding) == (None, None)
        answer = review(base, finding, "confirmed", "学校已更正")
        assert (answer["review_status"], answer["store"], answer["audit"]) == ("confirmed", None, None)
        row = findings_csv(out)[finding]
        assert (row["review_status"], row["review_note"]) == ("confirmed", "学校已更正")
        assert stored(out, finding) == ("confirmed", "学校已更正")
        audit = httpx.get(f"{base}/reports/{REPORT}/audit.html", timeout=60)  # right after: waits for the redraw
        assert audit.status_code == 200
        assert "<span class='review'>reviewed: confirmed — 学校已更正</span>" in card(audit.text, finding)
        assert "reviewed: **confirmed** — 学校已更正" in (out / REPORT / "audit.md").read_text(encoding="utf-8")
        assert "style-src 'unsafe-inline'" in audit.headers["content-security-policy"]  # its own <style> applies
        review(base, finding, "open", "")
        reopened = httpx.get(f"{base}/reports/{REPORT}/audit.html", timeout=60).text
        assert "reviewed:" not in card(reopened, finding)
        assert findings_csv(out)[finding]["review_status"] == "" and stored(out, finding) == (None, None)  # empty is NULL in the store
        page = httpx.get(f"{base}/reports/{REPORT}", headers={"accept-language": "en"}).text
        assert '<a href="/reports/pudong-2024/audit.html">audit report</a>' in page


def test_reviews_at_once_all_reach_findings_csv_and_audit_html(serve_output, tmp_path):
    """Six findings that need a look, dismissed from six threads at once: one writer at a time, none lost."""
    out = copy_output(serve_output, tmp_path)
    with running_server(out) as base:
        findings = httpx.get(f"{base}/api/reports/{REPORT}/findings").json()
        picked = [f["finding_id"] for f in findings if f["verdict"] in ("mismatch", "uncertain")][:6]
        assert len(picked) == 6
        with ThreadPoolExecutor(6) as pool:
            list(pool.map(lambda fid: review(base, fid, "dismissed", f"note {fid}"), picked))
        audit = httpx.get(f"{base}/reports/{REPORT}/audit.html", timeout=120).text
        rows = findings_csv(out)
        for fid in picked:
            assert (rows[fid]["review_status"], rows[fid]["review_note"]) == ("dismissed", f"note {fid}")
            assert f"reviewed: dismissed — note {fid}" in card(audit, fid)
            assert stored(out, fid) == ("dismissed", f"note {fid}")


def test_when_the_pdf_has_moved_findings_csv_and_the_store_update_and_the_page_says_the_audit_was_not_redrawn(
        serve_output, tmp_path):
    out = copy_output(serve_output, tmp_path)
    manifest = json.loads((out / REPORT / "manifest.json").read_text(encoding="utf-8"))
    gone = tmp_path / "moved-away.pdf"
    (out / REPORT / "manifest.json").write_text(json.dumps({**manifest, "input": str(gone)}), encoding="utf-8")
    before = (out / REPORT / "audit.html").read_bytes()
    with running_server(out) as base:
        finding = course_finding(base)["finding_id"]
        answer = review(base, finding, "confirmed", "")
        assert answer["review_status"] == "confirmed" and answer["store"] is None
        assert answer["audit"].startswith("audit.html and audit.md could not be redrawn (the source PDF "
                                          f"{gone} named in manifest.json is not there")
        assert findings_csv(out)[finding]["review_status"] == "confirmed"
        assert stored(out, finding) == ("confirmed", None)
        page = httpx.get(f"{base}/reports/{REPORT}").text
        assert f"run `vetreport audit {REPORT} --pdf PATH` to redraw them" in page
        assert httpx.get(f"{base}/reports/{REPORT}/audit.html").status_code == 200
    assert (out / REPORT / "audit.html").read_bytes() == before


def test_run_does_not_skip_a_report_whose_review_csv_is_newer_than_its_findings(serve_output, tmp_path):
    out = copy_output(serve_output, tmp_path)
    pdf = serve_output.inputs / f"{REPORT}.pdf"
    with (out / REPORT / "findings.csv").open(encoding="utf-8") as fh:
        finding = next(r for r in csv.DictReader(fh) if "课均学生137人" in r["claim_text"]
                       and r["indicator"] == "在线精品课程课均学生数")["finding_id"]
    with (out / REPORT / "review.csv").open("a", encoding="utf-8") as fh:
        fh.write(f"{finding},confirmed,edited by hand,,,\n")
    again = run_cli("run", str(pdf), "--out", str(out))
    assert again.exit_code == 0, again.output
    assert "ok (unchanged)" not in again.output and "1 unchanged" not in again.output
    assert findings_csv(out)[finding]["review_status"] == "confirmed"
    assert "reviewed: confirmed — edited by hand" in card((out / REPORT / "audit.html").read_text(encoding="utf-8"), finding)
    third = run_cli("run", str(pdf), "--out", str(out))
    assert third.exit_code == 0 and "1 unchanged" in third.output
