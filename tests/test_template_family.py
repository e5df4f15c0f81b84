"""Reports of other templates of the family (issue 21), printed from hand-keyed models (tests/renders.py,
tests/fixtures/family/): a 高职 college's 2021年度 report on the older five-table template (届 and 学年
columns, a parent label row), a new 中职 school's 2024年度 report with its graduate rows empty, and a 中职
school's 2022年度 report with one 中等职业教育指标 table. Each is checked against keys typed from its model."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import renders
from conftest import extract_all
from typer.testing import CliRunner

from pipeline.indicators import extract_indicators, parse_period

FAMILY = Path(__file__).parent / "fixtures" / "family"
REFERENCE_KEY = Path(__file__).parent / "fixtures" / "reference" / "appendix.csv"
FIELDS = ("table_kind", "row_seq", "serial", "indicator", "parent_indicator", "unit", "year", "value_raw")


@pytest.fixture(scope="module")
def family(request):
    if not renders.producer_available("weasyprint"):
        pytest.skip("weasyprint is not installed")
    cache = Path(request.config.cache.mkdir("family"))
    made = {}

    def get(name: str):
        if name not in made:
            made[name] = extract_all(renders.cached_family(name, cache))
        return made[name]

    return get


def _key(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _compare(frame, key: list[dict], fields: tuple[str, ...]) -> tuple[int, list[str]]:
    """(cells right, what is wrong): each key cell looked up by kind, row and year; every field and the value."""
    frame = frame.astype({"year": int, "row_seq": int})
    right, wrong = 0, []
    for cell in key:
        rows = frame[(frame.table_kind == cell["table_kind"]) & (frame.row_seq == int(cell["row_seq"]))
                     & (frame.year == int(cell["year"]))]
        where = f"{cell['table_kind']} row {cell['row_seq']} {cell['indicator']} {cell['year']}"
        if len(rows) != 1:
            wrong.append(f"{where}: {len(rows)} cells")
            continue
        got = rows.iloc[0]
        bad = [f"{k} {got[k]!r} != {cell[k]!r}" for k in fields if str(got[k] if got[k] == got[k] else "") != cell[k]]
        bad += renders.value_errors(got["value"], cell["value_raw"])
        if bad:
            wrong.append(f"{where}: " + "; ".join(bad))
        else:
            right += 1
    return right, wrong


def _missing(indicators) -> list[str]:
    return [i.message for i in indicators.issues if i.level == "missing"]


@pytest.mark.parametrize("text, year, kind", [
    ("2023", 2023, "year"), ("2023年", 2023, "year"), ("2023 年度", 2023, "year"), ("2020自然年", 2020, "year"),
    ("2021届", 2021, "cohort"), ("2019-2020学年", 2020, "school_year"), ("2019—2020 学年", 2020, "school_year"),
    ("2020学年", 2021, "school_year"),
])
def test_every_form_of_year_column(text, year, kind):
    period = parse_period(text)
    assert (period.raw, period.year, period.kind) == (" ".join(text.split()), year, kind)
    assert parse_period("2019-2023") is None and parse_period("调查人次") is None


def test_older_gaozhi_template_reads_every_printed_cell(family):
    """86 cells printed in five tables (7 + 7 + 8 + 14 + 7 rows with values, two columns each): every one read
    with its 届 / 学年 / 年 / 年度 column, the printed titles (资源表), the label row as the parent of A–D."""
    got = family("gaozhi-2021")
    frame = got.indicators.frame
    key = _key(FAMILY / "gaozhi-2021.csv")
    right, wrong = _compare(frame, key, (*FIELDS, "table_title", "period_raw", "period_kind"))
    assert (right, wrong) == (86, [])
    assert len(frame) == 86  # nothing else: the label row 毕业生就业去向： is no row of its own
    assert got.indicators.template == "gaozhi-school-2019"
    # the one indicator of the template it does not print, and nothing about the 2024 template's indicators
    assert _missing(got.indicators) == [
        "国际影响表 (附表3, p.4): the template's indicator '国（境）外办学点数量' (个) is not in the table"]


def test_a_school_without_graduates_has_no_warning_for_its_empty_graduate_rows(family):
    """The reference's six tables (hand-keyed in reference/appendix.csv) as a new school's: the rows of its
    graduates (every 计分卡 row, the three graduate surveys, first employment by destination) printed empty."""
    got = family("school-2024")
    empty = {("计分卡", "*"), ("满意度调查表", "毕业生满意度"), ("满意度调查表", "应届毕业生满意度"),
             ("满意度调查表", "毕业三年内毕业生满意度"), ("服务贡献表", "毕业生初次就业人数"),
             ("服务贡献表", "A类：留在当地就业人数"), ("服务贡献表", "B类：到西部和东北地区就业人数"),
             ("服务贡献表", "C类：到中小微企业就业人数"), ("服务贡献表", "D类：到大型企业就业人数")}
    key = _key(REFERENCE_KEY)
    for cell in key:
        if (cell["table_kind"], "*") in empty or (cell["table_kind"], cell["indicator"]) in empty:
            cell["value_raw"] = ""
    assert sum(not c["value_raw"] for c in key) == 40
    right, wrong = _compare(got.indicators.frame, key, FIELDS)
    assert (right, wrong) == (246, [])
    assert got.indicators.template == "2024"
    assert _missing(got.indicators) == []
    assert not [i.message for i in got.indicators.issues if "no value" in i.message]


def test_a_report_with_one_indicator_table(family, tmp_path):
    got = family("zhongzhi-2022")
    right, wrong = _compare(got.indicators.frame, _key(FAMILY / "zhongzhi-2022.csv"),
                            (*FIELDS, "table_title", "period_raw", "period_kind"))
    assert (right, wrong) == (12, [])
    assert got.indicators.template == "zhongzhi-school-2022" and _missing(got.indicators) == []
    # read against a template named by the caller: its six tables are missing, the 指标表 is still read
    forced = extract_indicators(got.doc.report_id, got.tables, got.doc, "2024")
    assert forced.template == "2024" and len(forced.frame) == 12
    assert sum("not found" in m for m in _missing(forced)) == 6


def test_template_is_written_to_the_manifest_and_named_with_the_cli(family, request, tmp_path):
    import json

    from pipeline.cli import app

    pdf = renders.cached_family("zhongzhi-2022", Path(request.config.cache.mkdir("family")))
    runner = CliRunner()
    done = runner.invoke(app, ["run", str(pdf), "--out", str(tmp_path), "--no-store", "--template", "gaozhi-school-2019"])
    assert done.exit_code == 0, done.output
    manifest = json.loads((tmp_path / pdf.stem / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["template"]["id"] == "gaozhi-school-2019" and manifest["options"]["template"] == "gaozhi-school-2019"
    assert runner.invoke(app, ["run", str(pdf), "--out", str(tmp_path), "--template", "nope"]).exit_code == 2
