"""The audit on another district's report (tests/district.py: 江南市滨江区, 六所, ％, 案例一, 服务贡献表 as
附表5), with verdicts worked out by hand from the numbers drawn on its pages."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def district_findings(tmp_path_factory):
    import district

    from pipeline.process import process_report

    folder = tmp_path_factory.mktemp("district")
    result = process_report(district.district_report(folder / "district.pdf"), folder / "out")
    findings = result.frames["findings"]
    return findings.assign(claim_value=findings.claim_value.fillna(""), indicator=findings.indicator.fillna(""))


def _verdicts(findings, kind, value):
    rows = findings[(findings.kind == kind) & (findings.claim_value == value)]
    return sorted(rows.verdict)


def test_school_counts_in_chinese_numerals_against_the_school_table(district_findings):
    counts = district_findings[district_findings.kind == "count"]
    six = counts[counts.claim_value == "六所"]
    assert len(six) == 7 and set(six.verdict) == {"match"} and set(six.expected) == {"6"}  # 六所: seven times
    assert _verdicts(district_findings, "count", "1所") == ["match"]  # 高等职业学校1所: one 高职 row
    listed = counts[counts.claim_value == "三所"].iloc[0]  # 三所为国家级重点中职学校: 国重点 in three 中职 rows
    assert listed.verdict == "match" and listed.indicator == "中职且标为国重点的学校数"
    whole = counts[counts.claim_value == "7所"].iloc[0]  # 全区共有7所中职学校: stated as the whole, the table has 6
    assert whole.verdict == "mismatch" and whole.expected == "6"
    part = counts[counts.claim_value == "3所"].iloc[0]  # 区属六所中职学校中，3所…: a part of the six, not a contradiction
    assert part.verdict == "uncertain" and "a part of them" in part.explanation


def test_per_school_averages_divide_by_the_schools_the_text_states(district_findings):
    average = district_findings[district_findings.kind == "per_school_average"].set_index("indicator")
    assert average.loc["班主任人数"].verdict == "match" and "360 ÷ 6 schools = 60" in average.loc["班主任人数"].explanation
    pe = average.loc["体育课专任教师数"]  # 58 ÷ 6 = 9.67 → 10, and 2023's 70 ÷ 6 = 11.67 → 12: not 11 either
    assert pe.verdict == "mismatch" and "58 ÷ 6 schools = 9.67 → 10" in pe.explanation
    arts = average.loc["美育课专任教师数"]  # its sentence names no count: the 六所 the report states
    assert arts.verdict == "match" and "54 ÷ 6 schools = 9" in arts.explanation and "stated" in arts.explanation


def test_counts_of_a_body_table_and_of_one_schools_rows(district_findings):
    rows = district_findings[district_findings.indicator.str.startswith("图表5")]
    got = sorted(zip(rows.claim_value, rows.indicator, rows.verdict, rows.expected))
    assert got == [
        ("5个", "图表5的行数", "match", "5"),
        ("两个", "图表5中江南市群星职业技术学校的行数", "uncertain", "1"),  # one row: a part, or another list?
        ("两个", "图表5中江南市航空服务学校的行数", "match", "2"),
        ("两个", "图表5中江南市航空服务学校的行数", "match", "2"),  # in 案例一, the case's school
    ]
    assert set(rows.table_id) == {"图表5"} and rows.table_page.notna().all()
    from pipeline.words import explanation_text, words

    part = rows[rows.verdict == "uncertain"].iloc[0]
    assert explanation_text(part, words("zh")).startswith("两个，对照图表5（")
    assert explanation_text(part, words("zh")).endswith("；2 ≠ 1：是其中一部分，还是另一份名单？")
    assert explanation_text(part, words("en")) == part.explanation and part.explanation.endswith("a part of them, or another list?")


def test_listed_items(district_findings):
    listed = district_findings[district_findings.indicator == "列举的项数"]
    got = sorted(zip(listed.page, listed.claim_value, listed.verdict, listed.expected))
    assert got == [
        (2, "两个", "match", "2"),  # 航空服务、飞机设备维修两个
        (3, "2本", "mismatch", "3"),  # three titles, "2本"
        (3, "3个", "match", "3"),  # 智能制造、数字商贸、现代服务3个专业群
        (3, "四大", "match", "4"),  # 匠心、启航、筑梦和致远四大
        (4, "两个", "match", "2"),
    ]


def test_rates_shares_and_sums_with_fullwidth_percent(district_findings):
    ratio = district_findings[district_findings.kind == "ratio"].set_index("claim_value")
    for value in ("98.00％", "78.00％", "20.00％", "70.5％", "20.5％", "9.0％"):
        assert ratio.loc[value].verdict == "match", value
    local = ratio.loc["88.17％"]  # 留在本省就业: 185 ÷ (980 − 780) = 92.5%
    assert local.verdict == "mismatch" and "185 ÷ (980 − 780) × 100 = 92.5" in local.explanation
    sums = district_findings[district_findings.kind == "sum"].set_index("claim_value")
    assert sums.loc["98.00％"].verdict == "match"  # 78.00 + 20.00
    assert sums.loc["70.5％"].verdict == "match" and "70.5％ + 20.5％ + 9.0％ = 100%" in sums.loc["70.5％"].explanation
    prizes = sums.loc["20项"]  # 包括 5 + 8 + 9 = 22 prizes of 20
    assert prizes.verdict == "mismatch" and "5项 + 8项 + 9项 = 22" in prizes.explanation


def test_qualified_figures_against_their_tolerance(district_findings):
    direct = district_findings[district_findings.kind == "direct"].set_index("claim_value")
    assert direct.loc["1.2万人左右"].verdict == "approx_match"  # 11876, within 左右's ±10% of 12000
    hours = direct.loc["45000学时"]  # 近45000 vs 38000: 15.6% short, 近 allows 10% (20% at most)
    assert hours.verdict == "uncertain" and "38000 is 15.6% below 45000" in hours.explanation
    assert hours.tolerance.startswith("近: 40500 ≤ x ≤ 45000")
    assert direct.loc["41个"].verdict == "match" and direct.loc["41个"].table_no == 5  # 服务贡献表 printed as 附表5


def test_the_same_quantity_in_two_tables(district_findings):
    cross = district_findings[district_findings.kind == "cross_table"]
    broken = sorted(zip(cross.year, cross.verdict, cross.table_value, cross.expected))
    # 2023 all agree (220); in 2024 附表1 counts 200 (= 980 − 780) and 附表5 198
    assert [b for b in broken if b[1] != "match"] == [(2024, "mismatch", "200", "198"), (2024, "uncertain", "198", "200")]
    mismatch = cross[cross.verdict == "mismatch"].iloc[0]
    assert (mismatch.table_no, mismatch.other_table_no, mismatch.other_table_kind) == (1, 5, "服务贡献表")
    assert mismatch.table_page == 5 and mismatch.other_page == 6 and "2023: 220 = 220" in mismatch.explanation


def test_a_rate_the_tables_reproduce_in_one_year_only(district_findings):
    found = district_findings[district_findings.kind == "year_broken"]
    assert len(found) == 1
    row = found.iloc[0]  # 2024: 980 ÷ 1000 = 98.00 exactly; 2023: 920 ÷ 950 = 96.84, printed 95.20
    assert (row.indicator, row.year, row.verdict, row.table_value) == ("毕业生本省去向落实率", 2023, "uncertain", "95.20")
    assert "920 ÷ 950 = 96.842%" in row.explanation and "980 ÷ 1000" in row.explanation


def test_without_a_stated_count_an_average_divides_by_the_reports_level(tmp_path):
    import district
    from conftest import extract_all

    from pipeline.claims import extract_claims
    from pipeline.reconcile import reconcile

    got = extract_all(district.school_level_report(tmp_path / "level.pdf"))
    claims = extract_claims(got.doc, got.sections, got.tables, got.cases)
    assert (claims.report_level, claims.n_schools) == ("中职", 3)  # three 中职 rows; four rows in all
    [average] = [f for f in reconcile(claims, got.indicators, got.tables).findings if f.kind == "per_school_average"]
    assert average.verdict == "match" and "60 ÷ 3 schools = 20" in average.explanation
