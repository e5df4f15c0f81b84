"""Stage 7: narrative figures against the appendix, and the appendix against itself."""

import pytest


@pytest.fixture(scope="module")
def findings(reference_run):
    return reference_run.frames["findings"]


def _one(findings, **where):
    rows = findings
    for key, value in where.items():
        rows = rows[rows[key] == value]
    assert len(rows) == 1, rows[["kind", "verdict", "claim_value", "explanation"]].to_string()
    return rows.iloc[0]


def test_required_mismatches_with_their_arithmetic(findings):
    pe = _one(findings, kind="per_school_average", indicator="体育课专任教师数")
    assert pe.verdict == "mismatch" and "61 ÷ 6 schools = 10.17" in pe.explanation
    head = _one(findings, kind="per_school_average", indicator="班主任人数")
    assert head.verdict == "other_year_match"
    assert "368 ÷ 6 schools = 61.33" in head.explanation and "374 ÷ 6 = 62.33" in head.explanation
    sat = _one(findings, kind="direct", indicator="应届毕业生满意度", claim_value="96.71%")
    assert sat.verdict == "mismatch" and sat.table_value == "96.8" and sat.table_no == 2
    per_course = _one(findings, kind="direct", indicator="在线精品课程课均学生数")
    assert per_course.verdict == "mismatch" and per_course.table_value == "817"
    library = _one(findings, kind="table_internal", indicator="专业教学资源库数", year=2024, verdict="mismatch")
    assert "45 ≠ 国家级数量 + 省级数量 + 校级数量 = 0 + 13 + 26 = 39" in library.explanation


def test_required_matches(findings):
    ratio = _one(findings, kind="ratio", claim_value="13.1")
    assert ratio.verdict == "match" and "12001人 ÷ 917人 = 13.087" in ratio.explanation
    double = _one(findings, kind="ratio", claim_value="80.9%")
    assert double.verdict == "match" and "334 人 ÷ 413 人 = 80.872%" in double.explanation
    senior = _one(findings, kind="ratio", claim_value="15.5%")
    assert senior.verdict == "match" and "142人 ÷ 917名 = 15.485%" in senior.explanation
    budget = _one(findings, kind="sum", claim_value="60842.29 万元")
    assert budget.verdict == "match" and "39272.06万元 + 10419.26 万元 + 11150.97 万元 = 60842.29" in budget.explanation


def test_every_mismatch_in_the_reference(findings):
    mismatches = findings[findings.verdict == "mismatch"]
    got = sorted(zip(mismatches.kind, mismatches.indicator, mismatches.claim_value.fillna("")))
    assert got == sorted([
        ("per_school_average", "体育课专任教师数", "11人"),
        ("direct", "应届毕业生满意度", "96.71%"),
        ("direct", "在线精品课程课均学生数", "137人"),
        ("ratio", "A类：留在当地就业人数", "88.17%"),
        ("table_internal", "专业教学资源库数", ""),
        ("table_internal", "在线精品课程数", ""),
        ("table_internal", "毕业生满意度", ""),  # 96.71 outside its parts' 96.80 and 97.07
        ("cross_table", "毕业生面向三次产业就业人数", ""),  # 附表1 1277 vs 附表4 596
        ("cross_table", "毕业生面向三次产业就业人数", ""),  # 附表1 1277 vs 3478 − 2878 = 600
    ])


def test_rounding_aware_verdicts(findings):
    half_up = _one(findings, kind="per_school_average", indicator="课证融通课程数", unit="门")
    assert half_up.verdict == "match" and "45 ÷ 6 schools = 7.5 → 8" in half_up.explanation
    padded = _one(findings, kind="table_internal", indicator="生师比", year=2024)
    assert padded.verdict == "rounding_only"
    parts = _one(findings, kind="sum", claim_value="97.92%")
    assert parts.verdict == "rounding_only"  # 81.02 + 16.89 = 97.91, within the parts' rounding
    nearly = _one(findings, kind="direct", indicator="在线精品课程数", unit="学时")
    assert nearly.verdict == "uncertain" and nearly.table_value == "1726"  # 近 2000 allows 1800–2000
    assert "1726 is 13.7% below 2000" in nearly.explanation and nearly.tolerance.startswith("近: 1800 ≤ x ≤ 2000")
    close = _one(findings, kind="direct", indicator="非学历培训学时")
    assert close.verdict == "approx_match" and close.table_value == "38052"  # 近 40000: 4.9% short


def test_school_figures_are_not_judged_against_district_tables(findings):
    school = findings[(findings.verdict == "unverifiable") & findings.explanation.str.contains("a figure about")]
    assert len(school) == 2


def test_year_over_year_flags_are_not_failures(findings):
    flags = findings[findings.kind == "year_over_year"]
    assert set(flags.verdict) == {"uncertain"}
    assert "互联网出口带宽" in set(flags.indicator)


def test_finding_ids_are_stable_across_runs(findings, tmp_path):
    from conftest import REFERENCE

    from pipeline.process import process_report

    again = process_report(REFERENCE, tmp_path).frames["findings"]
    assert list(again.finding_id) == list(findings.finding_id)
    assert findings.finding_id.is_unique


def test_share_without_a_count_needs_a_whole_number(tmp_path):
    import pdfs
    from conftest import extract_all

    from pipeline.claims import extract_claims
    from pipeline.reconcile import reconcile

    got = extract_all(pdfs.narrative(tmp_path / "share.pdf", [
        "2024年，专业教师共 7 人，其中“双师型”教师占比 50.0%。",
        "2024年，班主任共 8 人，其中女教师占比 62.5%。",
    ]))
    claims = extract_claims(got.doc, got.sections, got.tables, got.cases)
    findings = {f.claim_value: f for f in reconcile(claims, got.indicators).findings if f.kind == "ratio"}
    assert findings["50.0%"].verdict == "mismatch" and "no whole count" in findings["50.0%"].explanation
    assert findings["62.5%"].verdict == "unverifiable" and findings["62.5%"].expected == "5"


def test_table_checks_follow_the_kind_not_the_number(tmp_path):
    """国际影响表 printed as 附表4: its 标准数量 check runs on it (4 ≠ 1 + 2 in 2024, as drawn), and the
    服务贡献表's firm-size check on the table printed as 附表5."""
    import pdfs
    from conftest import extract_all

    from pipeline.claims import Claims
    from pipeline.reconcile import reconcile

    got = extract_all(pdfs.renumbered_appendix_tables(tmp_path / "renumbered.pdf"))
    found = reconcile(Claims([], None, None, ""), got.indicators).findings
    standards = {f.year: f for f in found if f.kind == "table_internal" and f.claim_text.startswith("标准数量 = 专业标准数量")}
    assert (standards[2023].verdict, standards[2024].verdict) == ("match", "mismatch")
    assert standards[2024].table_no == 4 and standards[2024].table_kind == "国际影响表"
    assert "附表4 标准数量 (个) 4 ≠ 专业标准数量 + 课程标准数量 = 1 + 2 = 3" in standards[2024].explanation
    firms = [f for f in found if f.claim_text.startswith("毕业生初次就业人数 ≥ C类") and f.year == 2024]
    assert [(f.verdict, f.table_no, f.explanation.split(" = ")[-1]) for f in firms] == [("match", 5, "570")]


def test_every_contradiction_between_the_scorecard_and_the_service_table(findings):
    """附表1 p.49 and 附表4 p.53 as printed: 2023 674 / 674 / 3822 − 3148 = 674 agree; 2024 1277 / 596 /
    3478 − 2878 = 600 do not."""
    cross = findings[findings.kind == "cross_table"]
    got = sorted((r.year, r.table_kind, r.other_table_kind, r.table_value, r.expected, r.verdict)
                 for r in cross.itertuples() if "服务贡献表" in (r.table_kind, r.other_table_kind) or "三次产业" in r.indicator)
    assert got == [
        (2023, "服务贡献表", "计分卡", "674", "674", "match"),
        (2023, "计分卡", "服务贡献表", "674", "674", "match"),
        (2023, "计分卡", "计分卡", "674", "674", "match"),
        (2024, "服务贡献表", "计分卡", "596", "600", "uncertain"),  # ≤ holds, = does not
        (2024, "计分卡", "服务贡献表", "1277", "596", "mismatch"),
        (2024, "计分卡", "计分卡", "1277", "600", "mismatch"),  # more in work than placed and not studying
    ]
    both = cross[(cross.verdict == "mismatch") & (cross.other_table_kind == "服务贡献表")].iloc[0]
    assert (both.table_no, both.table_page, both.other_table_no, both.other_page) == (1, 49, 4, 53)
    assert both.table_x0 < both.table_x1 and both.other_x0 < both.other_x1


def test_a_pooled_rate_outside_its_parts_and_a_rate_computed_one_way_in_one_year_only(findings):
    pooled = _one(findings, kind="table_internal", indicator="毕业生满意度", year=2024, verdict="mismatch")
    assert "(96.80 × 832 + 97.07 × 1218) ÷ 2050 = 96.96, not 96.71" in pooled.explanation  # 附表2 p.50
    broken = _one(findings, kind="year_broken")  # 附表1 p.49: 3478 ÷ 3552 = 97.92 in 2024; 3822 ÷ 3913 = 97.67 ≠ 89.30
    assert (broken.indicator, broken.year, broken.verdict, broken.table_value) == ("毕业生本省去向落实率", 2023, "uncertain", "89.30")
    assert "3822 ÷ 3913 = 97.674%" in broken.explanation


def test_the_audit_report_shows_the_new_kinds_with_their_evidence(reference_run):
    html = (reference_run.out_dir / "audit.html").read_text(encoding="utf-8")
    findings = reference_run.frames["findings"]
    for kind, images in (("cross_table", 2), ("year_broken", 2), ("count", 2)):
        rows = findings[(findings.kind == kind) & findings.verdict.isin(["mismatch", "uncertain"]) & findings.table_page.notna()]
        assert not rows.empty, kind
        block = html[html.index(f"id='{rows.iloc[0].finding_id}'"):].split("</div>\n<div class='finding", 1)[0]
        assert block.count("src='data:image/png;base64,") == images, kind
    assert "另一单元格" in html and "图表2" in html  # the second cell's picture, in zh (the default)
