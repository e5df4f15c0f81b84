"""The pure parts of the audit: qualifier tolerances, the template's expressions (a bad name is an error
when the template is read), school counts read from text."""

from __future__ import annotations

import pytest

from pipeline import template
from pipeline.reconcile.judge import judge, qualified
from pipeline.schools import level_of, school_count_before, stated_school_counts
from pipeline.template import TemplateError
from pipeline.template.expressions import ExpressionError, parse_ratio, parse_sum


@pytest.mark.parametrize("qualifier, claimed, actual, verdict", [
    ("近", 2000, 1726, "uncertain"),  # 13.7% short: 近 allows 10%, 20% at most
    ("近", 40000, 38052, "approx_match"),  # 4.9% short
    ("近", 2000, 1500, "mismatch"),  # 25% short
    ("近", 2000, 2100, "mismatch"),  # more than the number it is near
    ("约", 90, 85, "approx_match"),
    ("约", 90, 80, "uncertain"),  # 11.1% off
    ("左右", 12000, 12001, "approx_match"),
    ("超过", 80, 80.9, "approx_match"),
    ("超过", 80, 80, "mismatch"),
    ("以上", 99, 98.7, "mismatch"),
    ("不足", 100, 99, "approx_match"),
    ("余", 40000, 44279.5, "approx_match"),  # 40000 余: 40000 ≤ x < 50000
    ("余", 840, 843, "approx_match"),
    ("余", 600, 700, "uncertain"),  # past the next step (700), within 20% of it
    ("余", 600, 590, "mismatch"),
])
def test_qualifier_tolerances(qualifier, claimed, actual, verdict):
    assert qualified(qualifier, claimed, 0, actual) == verdict


def test_rounding_aware_judgement():
    assert judge(13.1, 1, 12001 / 917) == "match"
    assert judge(96.71, 2, 96.80, exact_decimals=2) == "mismatch"
    assert judge(15.5, 1, 15.50, exact_decimals=2) == "match"
    assert judge(80.9, 1, 80.87, exact_decimals=2) == "rounding_only"  # the text rounds the table's 80.87


def test_expressions_parse_into_operands():
    assert parse_sum("计分卡:毕业去向落实人数 - 计分卡:升学人数").text == "计分卡:毕业去向落实人数 − 计分卡:升学人数"
    assert parse_sum("国家级数量+省级数量+校级数量", "教学资源表").names == ("国家级数量", "省级数量", "校级数量")
    ratio = parse_ratio("落实政策表:全日制在校生人数 / 落实政策表:专任教师总数")
    assert [o.kind for o in ratio.operands] == ["落实政策表", "落实政策表"]
    with pytest.raises(ExpressionError):
        parse_sum("计分卡:毕业生人数 + ")


@pytest.fixture
def template_rows(monkeypatch):
    """Replace one template file's rows; every cached loader is read again, and again after the test."""
    loaders = [template.claim_formulas, template.table_checks, template.table_identities, template.claim_links,
               template.qualifiers, template.count_terms, template.term_patterns]

    def use(name: str, rows: list[dict]):
        real = template.read_rows
        monkeypatch.setattr(template, "read_rows", lambda n: rows if n == name else real(n))
        for loader in loaders:
            loader.cache_clear()

    yield use
    monkeypatch.undo()
    for loader in loaders:
        loader.cache_clear()


@pytest.mark.parametrize("name, row, message", [
    ("claim_formulas.csv", {"subject": "x", "numerator": "计分卡:毕业生总数", "denominator": "计分卡:毕业生人数", "scale": "100"},
     "claim_formulas.csv line 2: '毕业生总数' is not an indicator of the 计分卡"),
    ("claim_formulas.csv", {"subject": "x", "numerator": "学生", "denominator": "计分卡:毕业生人数", "scale": "100"},
     "'学生' is neither kind:indicator nor a subject"),
    ("2024/table_checks.csv", {"table_kind": "教学资源表", "total": "专业教学资源库数", "parts": "国家级数量+市级数量", "rule": "sum"},
     "'市级数量' is not an indicator of the 教学资源表"),
    ("2024/table_identities.csv", {"name": "x", "left": "毕业生人数", "right": "计分卡:毕业生人数", "expect": "eq", "must": ""},
     "every operand needs its table kind"),
    ("claim_qualifiers.csv", {"qualifier": "近", "position": "before", "meaning": "close", "tolerance": "0.1", "outer": ""},
     "unknown meaning 'close'"),
])
def test_a_bad_name_in_a_template_file_is_an_error_at_start(template_rows, name, row, message):
    template_rows(name, [row])
    with pytest.raises(TemplateError, match=message.replace("(", r"\(").replace(")", r"\)")):
        template.validate()


@pytest.mark.parametrize("text, counts", [
    ("2024年六所区属中职学校在校生共计11876人", [(6, "中职")]),
    ("主管高等职业学校 1 所、中等职业学校 6 所。", [(1, "高职"), (6, "中职")]),
    ("全区共有12所职业院校", [(12, "")]),
    ("形成了1+6（1所新型高职+6所中职）", [(1, "高职"), (6, "中职")]),
    ("六所中职学校中，三所为国家级重点中职学校", [(6, "中职"), (3, "中职")]),
    ("第三所学校", []),
    ("共有5个专业", []),
])
def test_school_counts_in_any_form(text, counts):
    assert [(c.value, c.level) for c in stated_school_counts(text)] == counts


def test_the_school_count_before_a_figure_and_levels():
    stated = school_count_before("六所中职学校校均班主任数60人", 10)
    assert (stated.value, stated.level) == (6, "中职")
    assert school_count_before("校均班主任数60人", 5) is None
    assert (level_of("中等职业教育质量年度报告"), level_of("高职院校"), level_of("职业院校")) == ("中职", "高职", "")


def test_sums_of_parts_in_narrative_text(tmp_path):
    import pdfs
    from conftest import extract_all

    from pipeline.claims import extract_claims
    from pipeline.reconcile import reconcile

    got = extract_all(pdfs.narrative(tmp_path / "sums.pdf", [
        "全校共有教师 100 人，其中男教师 60 人、女教师 40 人，其中党员 20 人。",  # 60 + 40; 20 is a part of a part
        "学生获奖 20 项，包括一等奖 5 项、二等奖 8 项、三等奖 9 项。",  # 22 of 20
        "共开设课程 120 门，包括专业课 80 门、文化课 30 门。",  # 110 of 120: the rest not listed
        "答复 3050 件（含上年度结转申请 34 件，另有 103 件顺延到下年度答复）。",  # one part: nothing to add up
    ]))
    claims = extract_claims(got.doc, got.sections, got.tables, got.cases)
    sums = {f.claim_value: f for f in reconcile(claims, got.indicators, got.tables).findings if f.kind == "sum"}
    assert sorted((k, f.verdict) for k, f in sums.items()) == [("100 人", "match"), ("120 门", "uncertain"), ("20 项", "mismatch")]
    assert "after 包括: 5 项 + 8 项 + 9" in sums["20 项"].explanation and "= 22: the parts exceed the total" in sums["20 项"].explanation


def test_a_change_or_a_bare_number_is_no_part_of_a_total(tmp_path):
    """Sentences of real 部门预算 (the shared corpus): a change after 比 and numbers without a unit the claim
    units know are not parts (nothing is a contradiction here)."""
    import pdfs
    from conftest import extract_all

    from pipeline.claims import extract_claims
    from pipeline.reconcile import reconcile

    got = extract_all(pdfs.narrative(tmp_path / "budget.pdf", [
        "2024年收入预算15621.11万元，其中：财政拨款收入15621.11万元，比2023年（上一年度，下同）预算减少876.75万元。",
        "公务用车购置及运行费46.56万元，比2023年预算增加25万元，其中：公务用车购置费20万元，运行费5万元。",
        "规划建筑面积约为13459平方米，其中地上建筑面积为8013平方米（其中计容面积7998平方米，不计容面积105平方米）。",
        "项目总预算2921.00万元，其中支持外贸发展370.00万元，支持总部经济2551.00万元，合计2921.00万元。",
    ]))
    claims = extract_claims(got.doc, got.sections, got.tables, got.cases)
    sums = [(f.claim_value, f.verdict) for f in reconcile(claims, got.indicators, got.tables).findings if f.kind == "sum"]
    assert sums == [("2921.00万元", "match")]
