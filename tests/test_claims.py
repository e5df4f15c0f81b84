"""Stage 6: the number tokenizer and claims in the narrative."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.text.numbers import consistent, find_numbers, integer_count_exists, round_half_up


def _quantities(text):
    return [(t.raw.strip(), t.value, t.unit, t.qualifier) for t in find_numbers(text) if t.kind == "quantity"]


def test_tokenizer_units_qualifiers_and_multipliers():
    assert _quantities("在校生保持在 1.2 万人左右，共计 12,001 人") == [
        ("1.2 万人左右", 12000.0, "人", "左右"), ("12,001 人", 12001.0, "人", "")]
    assert _quantities("近2000学时，校均课时总数 40000 余学时，97.92%，1.5 个百分点") == [
        ("2000学时", 2000.0, "学时", "近"), ("40000 余学时", 40000.0, "学时", "余"), ("97.92%", 97.92, "%", ""),
        ("1.5 个百分点", 1.5, "个百分点", "")]
    assert _quantities("两批共 18 位教师，连续十三期") == [("两批", 2.0, "批", ""), ("18 位", 18.0, "人", ""), ("十三期", 13.0, "期", "")]


@pytest.mark.parametrize("text", [
    "形成了1+6（1所新型高职+6所中职）", "对接浦东“3+6+5”产业", "（2023-2025）建设方案", "2023-2024年度",
    "（浦教德〔2024〕20 号）", "第二十一届", "2024 年 9 月", "3D 打印", "0-3 岁", "一带一路",
])
def test_not_quantities(text):
    assert [t for t in find_numbers(text) if t.kind == "quantity" and t.raw.strip() not in ("1所", "6所")] == []


def test_rounding_half_up_and_intervals():
    assert str(round_half_up(7.5, 0)) == "8" and str(round_half_up(2.675, 2)) == "2.68"
    assert consistent(13.1, 1, 12001 / 917) and not consistent(62, 0, 368 / 6) and consistent(62, 0, 374 / 6)
    assert integer_count_exists(73.3, 1, 596) == 437
    assert integer_count_exists(50.0, 1, 3) is None  # 1/3, 2/3: no count of 3 gives 50.0%


@given(st.text(max_size=80))
def test_tokenizer_never_raises(text):
    for token in find_numbers(text):
        assert 0 <= token.start < token.end <= len(text)
        assert token.kind in {"quantity", "year", "date", "range", "label", "ordinal", "docno", "period"}
        assert token.kind != "quantity" or token.value is not None


@given(st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False),
       st.sampled_from(["人", "%", "万元", "个"]))
def test_printed_numbers_round_trip_with_their_decimals(number, unit):
    printed = f"{number:f}"
    [token] = [t for t in find_numbers(f"共计{printed}{unit}，") if t.kind == "quantity"]
    assert token.decimals == (len(printed.split(".")[1]) if "." in printed else 0)
    assert abs(token.value - float(number)) < 1e-6 * max(1, float(number))
    assert consistent(token.value, token.decimals, float(number))


# ------------------------------------------------------------------ claims in the reference report

@pytest.fixture(scope="module")
def claims(reference):
    from pipeline.claims import extract_claims

    return extract_claims(reference.doc, reference.sections, reference.tables, reference.cases)


def _claim(claims, raw, subject=None):
    found = [c for c in claims.claims if c.value_raw == raw and (subject is None or c.subject == subject)]
    assert found, raw
    return found[0]


def test_report_year_and_school_count(claims):
    assert claims.report_year == 2024
    assert claims.n_schools == 6


def test_per_school_claims_with_subjects_and_scope(claims):
    pe = _claim(claims, "11人", "体育课专任教师")
    assert (pe.page, pe.scope_average, pe.scope_year, pe.unit, pe.section) == (8, "校均", 2024, "人", "1.2 立德树人")
    assert pe.sentence.startswith("2024年，6所中职学校校均体育课专任教师数11人")
    x0, top, x1, bottom = pe.bbox
    assert x1 - x0 < 20 and bottom - top < 15  # the number itself, not its line


def test_survey_counts_and_composed_subjects(claims):
    surveyed = _claim(claims, "832名")
    assert (surveyed.subject, surveyed.field) == ("应届毕业生满意度", "survey_count")
    rate = _claim(claims, "96.71%")
    assert (rate.subject, rate.field, rate.scope_average) == ("应届毕业生满意度", "value", "校均")
    assert _claim(claims, "80.9%").subject == "“双师型”教师比例"


def test_continuation_and_qualifiers(claims):
    hours = _claim(claims, "2000学时")
    assert (hours.subject, hours.qualifier) == ("在线精品课程", "近")
    assert _claim(claims, "137人").subject == "课均学生"


def test_case_claims_are_scoped_to_their_school(claims):
    case_claims = [c for c in claims.claims if c.case_no == 10]
    assert case_claims and all(c.scope_school == "上海市航空服务学校" for c in case_claims[:1])
    assert any(c.value_raw.startswith("99%") and c.qualifier == "以上" for c in case_claims)


def test_claim_ids_are_stable_and_unique(claims, reference):
    from pipeline.claims import extract_claims

    again = extract_claims(reference.doc, reference.sections, reference.tables, reference.cases)
    assert [c.claim_id for c in again.claims] == [c.claim_id for c in claims.claims]
    assert len({c.claim_id for c in claims.claims}) == len(claims.claims)


def test_a_huge_digit_string_is_not_a_quantity():
    tokens = find_numbers("编号" + "9" * 400 + "人")
    assert [t.kind for t in tokens] == ["label"]
