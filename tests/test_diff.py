"""Indicator diffs: exactly the changed cells and restatements, matched on identity, and the year-over-year view."""

import csv
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pdfs
import pytest
from conftest import BATCH_COPIES, run_cli

from pipeline.diff import diff_reports, load_indicators, write_diff, year_over_year

CELL = ["kind", "table_no", "indicator", "parent_indicator", "unit", "occurrence", "year", "value_raw_a", "value_raw_b"]


@pytest.fixture
def report_a(batch_run, tmp_path):
    """The reference report's folder (its 2023 and 2024 columns)."""
    folder = tmp_path / "a"
    shutil.copytree(batch_run.out / BATCH_COPIES[0], folder)
    return folder


def indicators(folder):
    return pd.read_csv(folder / "indicators.csv", dtype=str, keep_default_na=False)


def edit(frame, indicator, year, value_raw, parent=""):
    hit = (frame.indicator == indicator) & (frame.year == year) & (frame.parent_indicator == parent)
    assert hit.sum() == 1, (indicator, year)
    frame.loc[hit, ["value_raw", "value"]] = [value_raw, value_raw.replace(",", "")]


def write_report(folder, frame):
    folder.mkdir(exist_ok=True)
    frame.to_csv(folder / "indicators.csv", index=False)
    return folder


def cells(diff: list[dict]) -> set[tuple]:
    return {tuple(str(row[name]) for name in CELL) for row in diff}


def of_kind(diff: list[dict], kind: str) -> list[dict]:
    return [row for row in diff if row["kind"] == kind]


def first(rows: list[dict], **match) -> dict:
    return next(row for row in rows if all(row[k] == v for k, v in match.items()))


def read_rows(path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_same_year_edition_lists_exactly_the_edited_cells(report_a, tmp_path):
    b = indicators(report_a)
    edit(b, "月收入", "2024", "4200.00")
    edit(b, "毕业生人数", "2023", "3900")
    edit(b, "升入本科人数", "2024", "-", parent="升学人数")
    diff = diff_reports(load_indicators(report_a), load_indicators(write_report(tmp_path / "b", b)))
    assert cells(diff) == {
        ("changed", "1", "月收入", "", "元", "1", "2024", "4174.00", "4200.00"),
        ("changed", "1", "毕业生人数", "", "人", "1", "2023", "3913", "3900"),
        ("changed", "1", "升入本科人数", "升学人数", "人", "1", "2024", "383", "-"),
    }
    row = first(diff, indicator="月收入")
    assert (row["value_a"], row["value_b"], row["delta"], row["page_a"], row["page_b"]) == (4174, 4200, 26, 49, 49)


def test_next_year_report_restatements_added_and_removed(report_a, tmp_path):
    """B is next year's report: its 2024 column re-reports A's current year, and it adds a 2025 column."""
    a = indicators(report_a)
    previous = a[a.year == "2024"].copy()
    current = previous.copy()
    current["year"] = "2025"
    b = pd.concat([previous, current]).sort_values(["table_no", "row_seq", "year"], key=lambda s: s.astype(int))
    edit(b, "月收入", "2024", "4180.00")  # restated
    edit(b, "专任教师总数", "2024", "990", parent="教职工总数")  # restated
    edit(b, "月收入", "2025", "4500.00")  # a new year's value: not a difference
    b = b[b.indicator != "自主创业率"]  # removed
    new = b[(b.indicator == "月收入")].assign(indicator="月收入（新口径）")  # added
    b = pd.concat([b, new])
    diff = diff_reports(load_indicators(report_a), load_indicators(write_report(tmp_path / "b", b)))

    assert cells(of_kind(diff, "restated")) == {
        ("restated", "1", "月收入", "", "元", "1", "2024", "4174.00", "4180.00"),
        ("restated", "6", "专任教师总数", "教职工总数", "人", "1", "2024", a.query(
            "indicator == '专任教师总数' and year == '2024'").value_raw.iloc[0], "990"),
    }
    assert of_kind(diff, "changed") == []
    removed = a[a.indicator == "自主创业率"]
    assert cells(of_kind(diff, "removed")) == {
        ("removed", r.table_no, r.indicator, r.parent_indicator, r.unit, "1", r.year, r.value_raw, "")
        for r in removed.itertuples()}
    assert {(r["indicator"], r["year"]) for r in of_kind(diff, "added")} == {
        ("月收入（新口径）", 2024), ("月收入（新口径）", 2025)}
    assert list(dict.fromkeys(r["kind"] for r in diff)) == ["restated", "added", "removed"]


def test_rows_are_matched_on_identity_not_position(report_a, tmp_path):
    """Other pages, serials and row numbers, tables in another order: the same indicators, no difference."""
    b = indicators(report_a)
    b = b.sort_values("table_no", ascending=False, kind="stable")
    b["row_seq"] = range(1, len(b) + 1)
    b["serial"] = ""
    b["page"] = "1"
    diff = diff_reports(load_indicators(report_a), load_indicators(write_report(tmp_path / "b", b)))
    assert diff == []


def test_repeated_identities_are_told_apart_by_occurrence(report_a, tmp_path):
    """接入国家智慧教育平台数 under 省级数量 appears for 专业教学资源库 (serial 6) and 虚拟仿真实训基地 (serial 8)."""
    b = indicators(report_a)
    repeated = (b.indicator == "接入国家智慧教育平台数") & (b.parent_indicator == "省级数量") & (b.unit == "个") & (b.year == "2024")
    second = b[repeated].index[1]
    b.loc[second, ["value_raw", "value"]] = ["3", "3"]
    diff = diff_reports(load_indicators(report_a), load_indicators(write_report(tmp_path / "b", b)))
    assert cells(diff) == {("changed", "3", "接入国家智慧教育平台数", "省级数量", "个", "2", "2024", "0", "3")}


def test_year_over_year_inside_one_report(report_a):
    yoy = year_over_year(load_indicators(report_a))
    assert len(yoy) == 123  # one row per indicator: 2023 → 2024
    row = first(yoy, indicator="毕业生人数")
    assert (row["year_from"], row["year_to"], row["value_from"], row["value_to"], row["change"]) == (2023, 2024, 3913, 3552, -361)
    assert row["change_pct"] == pytest.approx(-9.2257, abs=1e-4)
    no_value = first(yoy, indicator="网络教学课程数", unit="门")
    assert no_value["value_from"] == 422 and math.isnan(no_value["value_to"]) and math.isnan(no_value["change"])


def test_diff_command_on_two_rendered_reports(tmp_path):
    """End to end: two editions of 附表6 drawn as PDFs, run, then diffed by report id."""
    header = ["序号", "指标", "计量单位", "2024", "2025"]
    rows = [(s, name, unit, v2024, v2024) for s, name, unit, _, v2024 in pdfs.APPENDIX6_ROWS]
    rows[0] = (*rows[0][:3], "12,010", "12,300")  # 全日制在校生人数: 2024 restated (12,001 before)
    rows[10] = (*rows[10][:3], rows[10][3], "10,500")  # a new 2025 value: no difference
    inputs = tmp_path / "in"
    inputs.mkdir()
    pdfs.split_appendix_table(inputs / "district-2024.pdf")
    pdfs.split_appendix_table(inputs / "district-2025.pdf", rows=rows, header=header)
    out = tmp_path / "out"
    run_cli("run", str(inputs), "--out", str(out))
    result = run_cli("diff", "district-2024", "district-2025", "--out", str(out))
    assert result.exit_code == 0, result.output
    folder = out / "diffs" / "district-2024--district-2025"
    diff = read_rows(folder / "diff.csv")
    assert cells(diff) == {("restated", "6", "全日制在校生人数", "", "人", "1", "2024", "12,001", "12,010")}
    assert "1 restated, 0 changed, 0 added, 0 removed" in result.output
    md = (folder / "diff.md").read_text(encoding="utf-8")
    assert "## Restatements" in md and "| 6 | 全日制在校生人数 |  | 人 | 2024 | 12,001 | 12,010 | 9 |" in md
    assert "## Year over year in district-2025" in md
    assert {r["report_id"] for r in read_rows(folder / "yoy.csv")} == {"district-2024", "district-2025"}
    html = (folder / "diff.html").read_text(encoding="utf-8")
    assert not re.search(r"<link|<script|src=|https?://", html)  # one self-contained file
    restated = html[html.index("<section id=\"restated\""):html.index("<section id=\"changed\"")]
    assert "(1)</h2>" in restated and "全日制在校生人数" in restated and "12,001" in restated and "12,010" in restated


def test_diff_command_imports_no_dataframe_library(report_a, tmp_path):
    """`vetreport diff` starts at once: the csv module reads the reports, never pandas (0.3 s to import),
    numpy, pyarrow, the store's duckdb or the app's web stack."""
    b = indicators(report_a)
    edit(b, "月收入", "2024", "4200.00")
    command = [sys.executable, "-X", "importtime", "-m", "pipeline.cli", "diff", str(report_a),
               str(write_report(tmp_path / "b", b)), "--to", str(tmp_path / "diff"), "--lang", "en"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in result.stderr.splitlines()
                if line.startswith("import time:")}
    assert {"pipeline", "jinja2"} <= imported  # the import log is there
    heavy = {"pandas", "numpy", "pyarrow", "duckdb", "fastapi", "starlette", "uvicorn"}
    assert imported.isdisjoint(heavy), sorted(imported & heavy)
    assert sorted(p.name for p in (tmp_path / "diff").iterdir()) == ["diff.csv", "diff.html", "diff.md", "yoy.csv"]
    assert "0 restated, 1 changed, 0 added, 0 removed" in result.stderr  # the console writes to stderr
    assert cells(read_rows(tmp_path / "diff" / "diff.csv")) == {
        ("changed", "1", "月收入", "", "元", "1", "2024", "4174.00", "4200.00")}


def test_diff_of_one_report_is_its_year_over_year_view(report_a, tmp_path):
    result = run_cli("diff", str(report_a), "--to", str(tmp_path / "yoy"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "yoy").iterdir()) == ["diff.html", "diff.md", "yoy.csv"]
    yoy_md = (tmp_path / "yoy" / "diff.md").read_text(encoding="utf-8")
    assert "| 1 | 毕业生人数 |  | 人 | 2023 | 2024 | 3913 | 3552 | -361 | -9.2 |" in yoy_md


def test_diff_of_an_unknown_report_is_a_usage_error(tmp_path):
    result = run_cli("diff", "nope-2023", "nope-2024", "--out", str(tmp_path))
    assert result.exit_code == 2 and "no indicators.csv for 'nope-2023'" in result.output


def test_survey_counts_and_methods_are_compared(report_a, tmp_path):
    """表2 (page 50) prints 调查人次 3993 for 在校生满意度 and 调查方式 网络问卷、随访 for 家长满意度, once per row."""
    b = indicators(report_a)
    b.loc[b.indicator == "在校生满意度", "survey_count"] = "4100"
    b.loc[b.indicator == "家长满意度", "survey_method"] = "电话随访"
    folder = write_report(tmp_path / "b", b)
    diff = diff_reports(load_indicators(report_a), load_indicators(folder))
    surveys = ["kind", "indicator", "field", "value_raw_a", "value_raw_b", "page_a", "page_b"]
    assert {tuple(str(r[name]) for name in surveys) for r in diff} == {
        ("changed", "家长满意度", "survey_method", "网络问卷、随访", "电话随访", "50", "50"),
        ("changed", "在校生满意度", "survey_count", "3993", "4100", "50", "50"),
    }
    assert all(r["year"] is None for r in diff)  # a row's survey is not a year column
    assert [r["delta"] for r in diff if r["field"] == "survey_count"] == [107]
    written = write_diff(report_a, folder, tmp_path / "diff")
    md = written["diff.md"].read_text(encoding="utf-8")
    assert "| 2 | 在校生满意度 · 调查人次 |  | % |  | 3993 | 4100 | 107 |" in md
    html = written["diff.html"].read_text(encoding="utf-8")
    assert "在校生满意度 · <b>调查人次</b>" in html and "网络问卷、随访" in html and "电话随访" in html


def test_tables_are_matched_by_kind_not_by_number(report_a, tmp_path):
    """Reports number their appendix tables differently: B prints 落实政策表 as its 附表7 and
    carries a column A does not have; nothing differs."""
    b = indicators(report_a)
    b.loc[b.table_kind == "落实政策表", "table_no"] = "7"
    b["remark"] = "extra"
    diff = diff_reports(load_indicators(report_a), load_indicators(write_report(tmp_path / "b", b)))
    assert diff == []
    b.loc[(b.indicator == "年实习专项经费") & (b.year == "2024"), ["value_raw", "value"]] = ["113.00", "113"]
    diff = diff_reports(load_indicators(report_a), load_indicators(write_report(tmp_path / "b", b)))
    assert cells(diff) == {("changed", "7", "年实习专项经费", "", "万元", "1", "2024", "112.90", "113.00")}


# ---------------------------------------------------------------- period kinds (issue 21): 届, 学年 and 年 columns

FAMILY = Path(__file__).parent / "fixtures" / "family"
GAOZHI_TABLE_NOS = {"计分卡": "1", "教学资源表": "2", "国际影响表": "3", "服务贡献表": "4", "落实政策表": "5"}
PERIOD_COLUMNS = ["report_id", "table_kind", "table_no", "table_title", "page", "row_seq", "serial", "indicator",
                  "parent_indicator", "unit", "year", "period_raw", "period_kind", "value_raw", "value"]


def gaozhi_rows(*kinds: str) -> list[dict]:
    """The hand-keyed cells of the 高职 2021年度 fixture (tests/fixtures/family/gaozhi-2021.csv: 计分卡 in
    2020届/2021届, 资源表 and 国际影响表 in 学年, 服务贡献表 in 年, 落实政策表 in 年度), of some table kinds."""
    rows = read_rows(FAMILY / "gaozhi-2021.csv")
    return [{**r, "table_no": GAOZHI_TABLE_NOS[r["table_kind"]], "page": str(int(GAOZHI_TABLE_NOS[r["table_kind"]]) + 1),
             "value": r["value_raw"]} for r in rows if not kinds or r["table_kind"] in kinds]


def write_period_report(folder, rows: list[dict], columns=PERIOD_COLUMNS):
    """An indicators.csv of ``rows`` with ``columns`` (a report written before period_kind leaves it out)."""
    folder.mkdir()
    with (folder / "indicators.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({**r, "report_id": folder.name} for r in rows)
    return folder


def cell(rows: list[dict], indicator: str, period_raw: str) -> dict:
    return next(r for r in rows if r["indicator"] == indicator and r["period_raw"] == period_raw)


def test_a_changed_cohort_value_is_a_cohort_cell_in_every_diff_file(tmp_path):
    """B is A (the 高职 fixture) with 计分卡's 就业率 for 2021届 typed 93.60 instead of 93.40."""
    a = write_period_report(tmp_path / "a", gaozhi_rows())
    b_rows = gaozhi_rows()
    cell(b_rows, "就业率", "2021届").update(value_raw="93.60", value="93.60")
    b = write_period_report(tmp_path / "b", b_rows)
    diff = diff_reports(load_indicators(a), load_indicators(b))
    assert cells(diff) == {("changed", "1", "就业率", "", "%", "1", "2021", "93.40", "93.60")}
    written = write_diff(a, b, tmp_path / "diff")
    [row] = read_rows(written["diff.csv"])
    assert (row["year"], row["period_kind"], row["period_raw"]) == ("2021", "cohort", "2021届")
    assert "| 1 | 就业率 |  | % | 2021届 | 93.40 | 93.60 |" in written["diff.md"].read_text(encoding="utf-8")
    assert "<td class=\"num\">2021届</td>" in written["diff.html"].read_text(encoding="utf-8")
    yoy = {(r["report_id"], r["indicator"], r["period_kind"], r["period_from"], r["period_to"], r["value_to"])
           for r in read_rows(written["yoy.csv"]) if r["indicator"] in ("就业率", "生师比")}
    assert yoy == {("a", "就业率", "cohort", "2020届", "2021届", "93.4"), ("b", "就业率", "cohort", "2020届", "2021届", "93.6"),
                   ("a", "生师比", "school_year", "2019-2020学年", "2020-2021学年", "16.8"),
                   ("b", "生师比", "school_year", "2019-2020学年", "2020-2021学年", "16.8")}


def test_a_cohort_and_a_calendar_year_of_one_indicator_are_never_one_cell(tmp_path):
    """A prints 就业率 for 2020届 and 2021届 (92.15, 93.40); B, a later report, prints it for 2021年 and 2022年
    (90.00, 91.00). 2021届 and 2021年 are not one cell: A's cohort cells are removed, B's year cells added."""
    a = write_period_report(tmp_path / "a", [r for r in gaozhi_rows("计分卡") if r["indicator"] == "就业率"])
    b_rows = [{**r, "year": str(int(r["year"]) + 1), "period_raw": f"{int(r['year']) + 1}年", "period_kind": "year",
               "value_raw": value, "value": value}
              for r, value in zip(read_rows(a / "indicators.csv"), ("90.00", "91.00"))]
    b = write_period_report(tmp_path / "b", b_rows)
    diff = diff_reports(load_indicators(a), load_indicators(b))
    assert {(r["kind"], r["year"], r["period_kind"], r["period_raw"], r["value_raw_a"], r["value_raw_b"]) for r in diff} == {
        ("removed", 2020, "cohort", "2020届", "92.15", ""), ("removed", 2021, "cohort", "2021届", "93.40", ""),
        ("added", 2021, "year", "2021年", "", "90.00"), ("added", 2022, "year", "2022年", "", "91.00")}


def test_restatements_are_judged_within_one_period_kind(tmp_path):
    """A prints cohorts up to 2021届 and calendar years up to 2022; B re-reports 2021届's 月收入 (4350 → 4400):
    a restatement of A's latest cohort, though A's latest column overall is 2022."""
    later_years = [{**r, "year": str(int(r["year"]) + 1), "period_raw": f"{int(r['year']) + 1}年"}
                   for r in gaozhi_rows("服务贡献表")]
    a = write_period_report(tmp_path / "a", gaozhi_rows("计分卡") + later_years)
    b_rows = [r for r in gaozhi_rows("计分卡") if r["year"] == "2021"]
    b_rows += [{**r, "year": "2022", "period_raw": "2022届"} for r in b_rows]
    cell(b_rows, "月收入", "2021届").update(value_raw="4400", value="4400")
    diff = diff_reports(load_indicators(a), load_indicators(write_period_report(tmp_path / "b", b_rows)))
    assert [(r["kind"], r["indicator"], r["period_raw"]) for r in diff if r["kind"] in ("restated", "changed")] == [
        ("restated", "月收入", "2021届")]


def test_year_over_year_steps_stay_within_one_period_kind(tmp_path):
    """就业率 printed for 2020届, 2021届 and (another table's row of the same name) 2022年: one step, 2020届 → 2021届."""
    rows = [r for r in gaozhi_rows("计分卡") if r["indicator"] == "就业率"]
    rows.append({**rows[-1], "year": "2022", "period_raw": "2022年", "period_kind": "year", "value_raw": "80.00",
                 "value": "80.00"})
    yoy = year_over_year(load_indicators(write_period_report(tmp_path / "a", rows)))
    assert [(r["period_kind"], r["period_from"], r["period_to"], r["value_from"], r["value_to"]) for r in yoy] == [
        ("cohort", "2020届", "2021届", 92.15, 93.40)]
    assert yoy[0]["change"] == pytest.approx(1.25)


def test_a_report_written_before_period_kinds_reads_as_calendar_years(tmp_path):
    """A's indicators.csv has no period_raw or period_kind (an older run); B's 服务贡献表 (年 columns) has both,
    and types 全日制在校生人数 for 2021 as 10300 instead of 10230: that one cell differs, nothing else."""
    old_columns = [c for c in PERIOD_COLUMNS if c not in ("period_raw", "period_kind")]
    a = write_period_report(tmp_path / "a", gaozhi_rows("服务贡献表"), old_columns)
    b_rows = gaozhi_rows("服务贡献表")
    cell(b_rows, "全日制在校生人数", "2021年").update(value_raw="10300", value="10300")
    b = write_period_report(tmp_path / "b", b_rows)
    diff = diff_reports(load_indicators(a), load_indicators(b))
    assert [(r["kind"], r["indicator"], r["year"], r["period_kind"], r["period_raw"], r["value_raw_a"], r["value_raw_b"])
            for r in diff] == [("changed", "全日制在校生人数", 2021, "year", "2021年", "10230", "10300")]
    back = diff_reports(load_indicators(b), load_indicators(a))  # and the other way round
    assert [(r["kind"], r["year"], r["period_kind"], r["value_raw_a"], r["value_raw_b"]) for r in back] == [
        ("changed", 2021, "year", "10300", "10230")]
    assert diff_reports(load_indicators(a), load_indicators(write_period_report(tmp_path / "c", gaozhi_rows("服务贡献表")))) == []


def test_survey_counts_of_two_years_are_not_changed(report_a, tmp_path):
    """The next year's edition surveys other people: 表2's 调查人次 3993 (在校生满意度) and 网络问卷、随访 (家长满意度)
    against 4100 and 电话随访 a year later are no row of the diff; its columns 2024 and 2025 are."""
    b = indicators(report_a)
    b["year"] = (b.year.astype(int) + 1).astype(str)
    b["period_raw"] = b.year + "年"
    b.loc[b.indicator == "在校生满意度", "survey_count"] = "4100"
    b.loc[b.indicator == "家长满意度", "survey_method"] = "电话随访"
    diff = diff_reports(load_indicators(report_a), load_indicators(write_report(tmp_path / "b", b)))
    assert [r for r in diff if r["field"] != "value"] == []
    assert {r["kind"] for r in diff} <= {"restated"}  # A's 2024 column against B's 2024 (its earlier year)


def test_deltas_are_rounded_to_the_printed_precision(report_a, tmp_path):
    """附表2 prints 毕业生满意度 96.71 (2024); typed as 97.01 the difference is 0.3, not 0.30000000000001137; 附表3's
    生师比 2024 printed 13.10, typed 13.2: 0.1, not 0.09999999999999964."""
    b = indicators(report_a)
    edit(b, "毕业生满意度", "2024", "97.01")
    edit(b, "生师比", "2024", "13.2")
    written = write_diff(report_a, write_report(tmp_path / "b", b), tmp_path / "diff")
    rows = read_rows(written["diff.csv"])
    assert {r["indicator"]: r["delta"] for r in rows} == {"毕业生满意度": "0.3", "生师比": "0.1"}
    md = written["diff.md"].read_text(encoding="utf-8")
    assert "| 96.71 | 97.01 | 0.3 |" in md and "| 13.10 | 13.2 | 0.1 |" in md
    html = written["diff.html"].read_text(encoding="utf-8")
    assert '<td class="num">0.3</td>' in html and "0.3000" not in html and "0.0999" not in html
