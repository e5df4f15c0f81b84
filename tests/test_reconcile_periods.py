"""The appendix checked against itself one column at a time (issue 21): a column is a period kind and a year,
so a 2024届 (cohort) cell is never put in arithmetic with a 2024年 cell, nor a jump measured from one to the
other. Cells are the hand-keyed keys of the reference report (tests/fixtures/reference/appendix.csv) and of
the 高职 fixture (tests/fixtures/family/gaozhi-2021.csv), some relabelled into another period kind."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from pipeline.claims import Claims
from pipeline.reconcile import Appendix
from pipeline.reconcile.context import Context
from pipeline.reconcile.identities import Identities
from pipeline.reconcile.internal import Internal
from pipeline.reconcile.yoy import YearOverYear

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE_KEY = FIXTURES / "reference" / "appendix.csv"
GAOZHI_KEY = FIXTURES / "family" / "gaozhi-2021.csv"
IDENTITY_ROWS = {("计分卡", "毕业去向落实人数"), ("计分卡", "升学人数"), ("计分卡", "毕业生面向三次产业就业人数"),
                 ("服务贡献表", "毕业生初次就业人数")}
BY_INDUSTRY = ("毕业生面向三次产业就业人数", "面向第一产业就业人数", "面向第二产业就业人数", "面向第三产业就业人数")
ID_SCORECARD_SERVICE = "直接就业人数（计分卡与服务贡献表）"
ID_SCORECARD_DESTINATION = "直接就业人数（计分卡按产业与按去向）"
ID_SERVICE_DESTINATION = "直接就业人数（服务贡献表与计分卡按去向）"
SUM_RULE = "毕业生面向三次产业就业人数 = 面向第一产业就业人数 + 面向第二产业就业人数 + 面向第三产业就业人数"



def run(check, appendix: Appendix) -> list:
    """One appendix check's findings over ``appendix`` alone (no claims, no body tables)."""
    return check.run(Context.build(Claims([], None, None, ""), appendix, []))

def key_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def appendix(rows: list[dict], template_id: str = "2024") -> Appendix:
    """The indicators frame of some hand-keyed cells (a period kind of ``year`` where the key has none)."""
    frame = pd.DataFrame([{
        "table_kind": r["table_kind"], "table_no": int(r.get("table_no") or 1), "indicator": r["indicator"],
        "parent_indicator": r["parent_indicator"], "unit": r["unit"], "year": int(r["year"]),
        "period_kind": r.get("period_kind", "year"), "value_raw": r["value_raw"], "value": float(r["value_raw"]),
        "page": 1, "row_seq": int(r["row_seq"]), "x0": 0, "top": 0, "x1": 1, "bottom": 1,
    } for r in rows])
    return Appendix(frame, template_id)


def as_cohorts(rows: list[dict], table_kind: str) -> list[dict]:
    return [{**r, "period_kind": "cohort"} if r["table_kind"] == table_kind else r for r in rows]


def cross_table(found) -> set[tuple]:
    return {(f.claim_text, f.year, f.verdict) for f in found if f.kind == "cross_table"}


def test_identities_pair_only_columns_of_one_period_kind():
    """The reference prints 毕业去向落实人数 3822 / 3478, 升学人数 3148 / 2878, 毕业生面向三次产业就业人数 674 / 1277
    (计分卡) and 毕业生初次就业人数 674 / 596 (服务贡献表) for 2023 / 2024."""
    rows = [r for r in key_rows(REFERENCE_KEY) if (r["table_kind"], r["indicator"]) in IDENTITY_ROWS]
    assert cross_table(run(Identities(), appendix(rows))) == {
        (ID_SCORECARD_SERVICE, 2023, "match"), (ID_SCORECARD_SERVICE, 2024, "mismatch"),  # 674 = 674; 1277 ≠ 596
        (ID_SCORECARD_DESTINATION, 2023, "match"), (ID_SCORECARD_DESTINATION, 2024, "mismatch"),  # 1277 > 3478 − 2878
        (ID_SERVICE_DESTINATION, 2023, "match"), (ID_SERVICE_DESTINATION, 2024, "uncertain"),  # 596 ≤ 600, not =
    }
    # 计分卡 printed in 届 columns, 服务贡献表 in 年: only the identity inside 计分卡 is checked
    found = [f for f in run(Identities(), appendix(as_cohorts(rows, "计分卡"))) if f.kind == "cross_table"]
    assert cross_table(found) == {(ID_SCORECARD_DESTINATION, 2023, "match"), (ID_SCORECARD_DESTINATION, 2024, "mismatch")}
    mismatch = next(f for f in found if f.verdict == "mismatch")
    assert mismatch.explanation.startswith("2024届: 附表1 毕业生面向三次产业就业人数 (人) 1277 ≠ 附表1 (毕业去向落实人数 − 升学人数)")


def test_a_table_checks_its_rules_in_each_column_of_its_own():
    """计分卡 rows 7–10 of the reference for 2024 (1277 = 0 + 38 + 1239), printed as a 2024届 column and, beside it,
    a 2024年 column where 面向第三产业就业人数 is typed 1200: the 届 column adds up, the 年 column does not."""
    rows = [r for r in key_rows(REFERENCE_KEY)
            if r["table_kind"] == "计分卡" and r["indicator"] in BY_INDUSTRY and r["year"] == "2024"]
    cohort = [{**r, "period_kind": "cohort"} for r in rows]
    year = [{**r, "value_raw": "1200"} if r["indicator"] == "面向第三产业就业人数" else r for r in rows]
    found = [f for f in run(Internal(), appendix(cohort + year)) if f.claim_text == SUM_RULE]
    assert sorted((f.year, f.verdict, f.expected) for f in found) == [(2024, "match", "1277"), (2024, "mismatch", "1238")]
    assert len({f.key for f in found}) == 2  # two columns, two findings


def test_jumps_are_measured_between_the_last_two_columns_of_each_kind():
    """The 高职 fixture's 国际影响表 (2019-2020学年, 2020-2021学年) prints 非全日制国（境）外人员培训量 340 → 0 and
    专任教师赴国（境）外指导和开展培训时间 45 → 10; its 服务贡献表 is moved on a year (2021年, 2022年) with no jump.
    The last two school years are compared with each other, not the last two years of any kind."""
    rows = [r for r in key_rows(GAOZHI_KEY) if r["table_kind"] in ("国际影响表", "服务贡献表")]
    rows = [{**r, "year": str(int(r["year"]) + 1)} if r["table_kind"] == "服务贡献表" else r for r in rows]
    found = run(YearOverYear(), appendix(rows, "gaozhi-school-2019"))
    assert sorted((f.indicator, f.claim_text.rsplit(") ", 1)[1], f.expected, f.table_value) for f in found) == [
        ("专任教师赴国（境）外指导和开展培训时间", "2019-2020学年 → 2020-2021学年", "45", "10"),
        ("非全日制国（境）外人员培训量", "2019-2020学年 → 2020-2021学年", "340", "0"),
    ]
