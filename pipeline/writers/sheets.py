"""What each export holds: a report's workbook, a list of findings, every report's indicators wide, a diff.

The sheets are built here from a report folder's files (or frames and rows the caller read) and written by
``workbook`` (XLSX); the CSV exports keep the published CSVs' column names and the CSV guard on notes
(``review.formula_safe``). Sheet names and headers are words of the catalogue (pipeline/words/export.csv) in
the language asked for. A number is written as a number, shown with the digits the report prints.

- ``report_sheets``: about, the appendix tables as printed (a sheet each: the rows and columns of the table
  as read, table_cells.csv, merged cells merged), the findings coloured by verdict with their review, the
  legend, the sections and the cases;
- ``findings_sheets`` / ``findings_csv``: findings of one report or many (the queue), filtered by the caller;
- ``wide_indicators``: a row per (table kind, parent, indicator, unit), a column per report and period;
- ``diff_sheets``: the rows of ``diff.diff_reports`` (passed in: the writers do not import diff/).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .. import template
from ..files import REVIEW_FILE, float_text
from ..template.periods import kind_rank, period_kind, period_label
from ..text import squash
from ..text.numbers import parse_value
from ..words import explanation_text, words
from . import manifest as manifest_file
from .audit import VERDICT_ORDER
from .frames import PUBLISHED, read_published
from .printed import printed_pages
from .review import formula_safe, overlay_review, read_review
from .workbook import Number, Sheet, number_as_printed, printed_number

VERDICT_FILLS = {  # light tints, the app's colours (app.css): red, orange, yellow for what needs a look
    "mismatch": "FFC7CE", "other_year_match": "FFD8A8", "uncertain": "FFF2A8", "unreadable": "E4D4F4",
    "unverifiable": "E7E6E6", "rounding_only": "DDEBF7", "approx_match": "E2F0D9", "match": "C6EFCE",
}
CHANGE_FILLS = {"restated": "FFC7CE", "changed": "FFD8A8", "added": "C6EFCE", "removed": "E7E6E6"}
CHANGES = tuple(CHANGE_FILLS)
FINDING_COLUMNS = ("verdict", "kind", "page", "claim_text", "table", "indicator", "year", "table_value", "claim_value",
                   "expected", "tolerance", "explanation", "table_page", "review_status", "review_note", "finding_id")
WIDE_KEY = ["table_kind", "parent_indicator", "indicator", "unit", "occurrence"]
WIDE_NEEDS = ("table_title", "indicator", "year", "value_raw", "row_seq")  # what a wide row is made of
SEP = " "  # between a report id and a period in a wide column's name: "pudong-2024 2023"


# ---------------------------------------------------------------- one report


def report_sheets(folder: Path, lang: str) -> list[Sheet]:
    """A report folder's workbook: about, the six appendix tables as printed, findings, legend, sections, cases."""
    t = words(lang)
    manifest = manifest_file.load(folder) if (folder / manifest_file.MANIFEST).is_file() else {}
    printed = printed_pages(folder)
    indicators = _read(folder / "indicators.csv")
    about = Sheet(t("export.sheet.about"), [
        [t("export.about.report"), folder.name], [t("export.about.source"), str(manifest.get("input") or "")],
        [t("export.about.status"), str(manifest.get("status") or "")], [t("export.about.pages"), manifest.get("pages")],
        [t("export.about.note"), t("export.about.appendix_note")], ["", t("export.about.findings_note")]], header_rows=0)
    findings = reviewed_findings(folder)
    return [about, *appendix_sheets(indicators, _read(folder / "tables.csv"), _read(folder / "table_cells.csv"), t),
            *findings_sheets(findings, lang, printed), sections_sheet(folder, t, printed), cases_sheet(folder, t, printed)]


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        return pd.DataFrame()
    try:
        return read_published(path)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def reviewed_findings(folder: Path) -> pd.DataFrame:
    """findings.csv with the statuses and notes (as typed) review.csv holds now."""
    findings = _read(folder / "findings.csv")
    if findings.empty:
        return findings
    return overlay_review(findings, read_review(folder / REVIEW_FILE)[0])


# ---------------------------------------------------------------- the appendix tables as printed


def appendix_sheets(indicators: pd.DataFrame, tables: pd.DataFrame, cells: pd.DataFrame, t) -> list[Sheet]:
    """A sheet per appendix table, in the order the report prints them: the table's grid as read (table_cells.csv),
    else, when its grid is not among the files, its indicators in the printed layout (序号, 指标, 单位, periods)."""
    if indicators.empty:
        return []
    indicators = indicators.assign(table_kind=[_kind(r) for r in indicators.to_dict("records")])
    sheets = []
    for (number, kind), rows in indicators.groupby(["table_no", "table_kind"], sort=False, dropna=False):
        title = str(rows["table_title"].iloc[0] or kind)
        name = t("export.sheet.appendix", number=int(number), title=title) if not _missing(number) else title
        table = _printed_table(rows, tables, cells, number)
        if table is not None:
            sheets.append(_grid_sheet(name, cells[cells["table_id"] == table["table_id"]], _int(table.get("header_rows")) or 1))
        else:
            sheets.append(_layout_sheet(name, rows, t))
    return sheets


def _kind(row: dict) -> str:
    kind = row.get("table_kind")
    return kind.strip() if isinstance(kind, str) and kind.strip() else str(row["table_title"]).strip()


def _printed_table(rows: pd.DataFrame, tables: pd.DataFrame, cells: pd.DataFrame, number) -> dict | None:
    """The table of table_cells.csv an appendix table's indicators were read from: the one on their pages whose
    cells name most of them (附表N first on a tie)."""
    if cells.empty or tables.empty or "table_id" not in cells:
        return None
    names = {squash(str(n)) for n in rows["indicator"]}
    pages = {str(int(p)) for p in rows["page"] if not _missing(p)}
    best, best_score = None, (0, False)
    for table in tables.to_dict("records"):
        if not pages & set(str(table.get("pages") or "").split(";")):
            continue
        texts = {squash(str(x)).removeprefix("其中：").removeprefix("其中:")
                 for x in cells.loc[cells["table_id"] == table["table_id"], "text"]}
        score = (len(names & texts), not _missing(number) and table["table_id"] == f"附表{int(number)}")
        if score[0] and score > best_score:
            best, best_score = table, score
    return best


def _grid_sheet(name: str, cells: pd.DataFrame, header_rows: int) -> Sheet:
    n_rows = int((cells["row"] + cells["rowspan"]).max())
    n_cols = int((cells["col"] + cells["colspan"]).max())
    grid: list[list] = [[None] * n_cols for _ in range(n_rows)]
    merges = []
    for cell in cells.to_dict("records"):
        row, col = int(cell["row"]), int(cell["col"])
        text = str(cell["text"])
        grid[row][col] = printed_number(text) or (text if text else None)
        merges.append((row, col, int(cell["rowspan"]), int(cell["colspan"])))
    return Sheet(name, grid, header_rows=header_rows, merges=merges)


def _layout_sheet(name: str, rows: pd.DataFrame, t) -> Sheet:
    rows = rows.assign(period_kind=[period_kind(k) for k in rows.get("period_kind", pd.Series("", index=rows.index))])
    periods = sorted({(k, int(y)) for k, y in zip(rows["period_kind"], rows["year"]) if not _missing(y)},
                     key=lambda p: (kind_rank(p[0]), p[1]))
    header = [t("export.col.serial"), t("export.col.indicator"), t("export.col.unit"), *(period_label(y, k) for k, y in periods)]
    body = []
    for _, cells in rows.groupby("row_seq", sort=True):
        first = cells.iloc[0]
        by_period = {(c["period_kind"], int(c["year"])): number_as_printed(c["value"], c["value_raw"])
                     for c in cells.to_dict("records") if not _missing(c["year"])}
        body.append([first["serial"] or None, first["indicator"], first["unit"] or None, *(by_period.get(p) for p in periods)])
    return Sheet(name, [header, *body])


# ---------------------------------------------------------------- findings


def findings_sheets(findings: pd.DataFrame, lang: str, printed: dict | None = None) -> list[Sheet]:
    """The findings, a row each coloured by its verdict, with their review; and the legend of the colours.
    ``printed``: physical page -> printed page of one report; when the findings have a report_id column (the
    findings of several reports), {report_id: {page: printed page}}."""
    t = words(lang)
    several = "report_id" in findings
    columns = (["report_id"] if several else []) + list(FINDING_COLUMNS)
    rows, fills = [[t(f"export.col.{c}") for c in columns]], {}
    for finding in _in_verdict_order(findings).to_dict("records"):
        pages = (printed or {}).get(finding.get("report_id"), {}) if several else (printed or {})
        fills[len(rows)] = VERDICT_FILLS.get(finding.get("verdict"), "FFFFFF")
        rows.append([_finding_cell(finding, c, t, pages) for c in columns])
    sheet = Sheet(t("export.sheet.findings"), rows, fills={r: c for r, c in fills.items() if c != "FFFFFF"}, filters=True)
    counts = findings["verdict"].value_counts().to_dict() if "verdict" in findings else {}
    return [sheet, legend_sheet(t, "verdict", _verdicts(counts), VERDICT_FILLS, counts)]


def _in_verdict_order(findings: pd.DataFrame) -> pd.DataFrame:
    if findings.empty or "verdict" not in findings:
        return findings
    rank = {v: n for n, v in enumerate(VERDICT_ORDER)}
    order = [rank.get(v, len(rank)) for v in findings["verdict"]]
    return findings.assign(_order=order).sort_values("_order", kind="stable").drop(columns="_order")


def _verdicts(counts: dict) -> list[str]:
    return [*VERDICT_ORDER, *(v for v in VERDICT_FILLS if v not in VERDICT_ORDER),
            *sorted(v for v in counts if v not in VERDICT_FILLS and v not in VERDICT_ORDER)]


def _finding_cell(finding: dict, column: str, t, pages: dict):
    value = finding.get(column)
    if column == "verdict":
        return t.verdict(str(value or ""))
    if column == "kind":
        return t.kind(str(value or ""))
    if column in ("page", "table_page"):
        return "" if _missing(value) else t.page(int(value), pages.get(int(value)))
    if column == "table":
        number, kind = finding.get("table_no"), finding.get("table_kind")
        return f"附表{int(number)}" if not _missing(number) else ("" if _missing(kind) else kind)
    if column == "review_status":
        return t(f"review.{value}") if value in ("confirmed", "dismissed") else t("review.open")
    if column in ("table_value", "claim_value", "expected"):
        return None if _missing(value) or value == "" else (printed_number(value) or str(value))
    if column == "year":
        return None if _missing(value) else int(value)
    if column == "explanation":
        return explanation_text(finding, t)
    return None if _missing(value) else value


def legend_sheet(t, prefix: str, codes: Iterable[str], fills: dict[str, str], counts: dict) -> Sheet:
    """What each colour means: code, word, explanation, count; the row filled with the colour."""
    rows = [[t("export.col.code"), t("export.col.word"), t("export.col.help"), t("export.col.count")]]
    fill_rows = {}
    for code in codes:
        key = f"{prefix}.{code}"
        word = t.get(key, code)
        if code in fills:
            fill_rows[len(rows)] = fills[code]
        rows.append([code, word, t.get(f"{key}.help", ""), int(counts.get(code, 0))])
    return Sheet(t("export.sheet.legend"), rows, fills=fill_rows)


def findings_csv(findings: pd.DataFrame) -> bytes:
    """Findings as findings.csv writes them (its columns, report_id first for several reports; the note guarded
    as findings.csv guards it)."""
    columns = list(PUBLISHED["findings"].columns)
    if "report_id" in findings and "report_id" not in columns:
        columns = ["report_id", *columns]
    frame = findings.reindex(columns=columns)
    if len(frame):
        frame = frame.assign(review_note=frame["review_note"].map(lambda n: "" if _missing(n) else formula_safe(str(n))))
    return frame.to_csv(index=False, lineterminator="\n", float_format=float_text).encode("utf-8")


# ---------------------------------------------------------------- sections and cases


def sections_sheet(folder: Path, t, printed: dict) -> Sheet:
    return _listing(t("export.sheet.sections"), _read(folder / "sections.csv"),
                    ["level", "number", "title", "page_start", "page_end"], t, printed)


def cases_sheet(folder: Path, t, printed: dict) -> Sheet:
    return _listing(t("export.sheet.cases"), _read(folder / "cases.csv"),
                    ["case_no", "title", "chapter", "section", "page_start", "page_end", "schools"], t, printed)


def _listing(name: str, frame: pd.DataFrame, columns: list[str], t, printed: dict) -> Sheet:
    rows = [[t(f"export.col.{c}") for c in columns]]
    for record in frame.to_dict("records"):
        rows.append([_listing_cell(record.get(c), c, t, printed) for c in columns])
    return Sheet(name, rows, filters=True)


def _listing_cell(value, column: str, t, printed: dict):
    if _missing(value) or value == "":
        return None
    if column.startswith("page_"):
        return t.page(int(value), printed.get(int(value)))
    if column in ("level", "case_no"):
        return int(value)
    return value


# ---------------------------------------------------------------- indicators of many reports, wide


def wide_indicators(reports: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """A row per (table kind, parent, indicator, unit, occurrence), a column per report and period ("<report_id>
    2023", "<report_id> 2021届"), each cell the report's value as printed (a Number, or the printed text)."""
    columns: dict[tuple, str] = {}
    rows: dict[tuple, dict] = {}
    first_seen: dict[tuple, tuple] = {}
    order = {t.kind: n for n, t in enumerate(template.appendix_tables())}
    for report_id in sorted(reports):
        frame = reports[report_id]
        if frame.empty:
            continue
        seen: dict[tuple, int] = {}
        cells = sorted(frame.to_dict("records"), key=lambda c: (_int(c.get("row_seq")), _int(c.get("year"))))
        for cell in sorted(cells, key=lambda c: (order.get(_kind(c), len(order)), _int(c.get("table_no")))):
            kind, period = _kind(cell), period_kind(cell.get("period_kind"))
            if _missing(cell.get("year")):
                continue
            year = int(cell["year"])
            identity = (kind, _text(cell.get("parent_indicator")), _text(cell.get("indicator")), _text(cell.get("unit")))
            seen[(*identity, period, year)] = occurrence = seen.get((*identity, period, year), 0) + 1
            key = (*identity, occurrence)
            column = (report_id, kind_rank(period), year, period)
            columns.setdefault(column, f"{report_id}{SEP}{period_label(year, period)}")
            first_seen.setdefault(key, (order.get(kind, len(order)), report_id, _int(cell.get("row_seq"))))
            rows.setdefault(key, {})[columns[column]] = number_as_printed(_number(cell.get("value")), cell.get("value_raw"))
    names = [columns[c] for c in sorted(columns)]
    body = [{**dict(zip(WIDE_KEY, key)), **rows[key]} for key in sorted(rows, key=lambda k: (first_seen[k], k))]
    return pd.DataFrame(body, columns=[*WIDE_KEY, *names])


def folders_indicators(folders: Iterable[Path]) -> dict[str, pd.DataFrame]:
    """report id (its folder's name) -> its indicators.csv, for ``wide_indicators``; ValueError naming the file
    when one has not the columns `vetreport run` writes."""
    frames = {}
    for folder in map(Path, folders):
        frame = _read(folder / "indicators.csv")
        missing = [c for c in WIDE_NEEDS if c not in frame] if len(frame.columns) else []
        if missing:
            raise ValueError(f"{folder.name}/indicators.csv has no {', '.join(missing)} column")
        frames[folder.resolve().name] = frame
    return frames


def wide_csv(wide: pd.DataFrame) -> bytes:
    """The wide indicators as CSV: a number as a number, a printed text (a dash, words) guarded as review.csv's
    notes are (a spreadsheet never runs it)."""
    def text(value):
        if isinstance(value, Number):
            return float_text(value.value) if isinstance(value.value, float) else str(value.value)
        return "" if value is None or _missing(value) else formula_safe(str(value))

    return wide.map(text).to_csv(index=False, lineterminator="\n").encode("utf-8")


def wide_sheets(wide: pd.DataFrame, lang: str) -> list[Sheet]:
    """The wide indicators in two header rows (the report over its periods), and an about sheet."""
    t = words(lang)
    key = WIDE_KEY if (wide["occurrence"] > 1).any() else WIDE_KEY[:-1]
    values = [c for c in wide.columns if c not in WIDE_KEY]
    reports = [c.split(SEP, 1)[0] for c in values]
    top = [t(f"export.col.{c}") for c in key] + reports
    second = [None] * len(key) + [c.split(SEP, 1)[1] for c in values]
    merges = [(0, c, 2, 1) for c in range(len(key))]
    start = 0
    for n in range(1, len(reports) + 1):
        if n == len(reports) or reports[n] != reports[start]:
            merges.append((0, len(key) + start, 1, n - start))
            start = n
    body = [[None if _missing(v) else v for v in row] for row in wide[key + values].itertuples(index=False, name=None)]
    about = Sheet(t("export.sheet.about"), [[t("export.about.reports"), len(dict.fromkeys(reports))],
                                            [t("export.about.note"), t("export.about.wide_note")]], header_rows=0)
    return [Sheet(t("export.sheet.indicators"), [top, second, *body], header_rows=2, merges=merges,
                  frozen_columns=len(key), filters=True), about]


# ---------------------------------------------------------------- a diff


DIFF_SHOWN = ("change", "table", "indicator", "parent_indicator", "unit", "period", "field", "value_raw_a", "value_raw_b",
              "delta", "page_a", "page_b")


def diff_sheets(rows: list[dict], a_id: str, b_id: str, lang: str) -> list[Sheet]:
    """The rows of diff.diff_reports, a row each coloured by its kind (restated, changed, added, removed)."""
    t = words(lang)
    out, fills = [[t(f"export.col.{c}") for c in DIFF_SHOWN]], {}
    for row in rows:
        fills[len(out)] = CHANGE_FILLS.get(row["kind"], "FFFFFF")
        out.append([_diff_cell(row, c, t) for c in DIFF_SHOWN])
    counts = {kind: sum(r["kind"] == kind for r in rows) for kind in CHANGES}
    about = Sheet(t("export.sheet.about"), [[t("export.about.a"), a_id], [t("export.about.b"), b_id],
                                            [t("export.about.note"), t("export.about.diff_note")]], header_rows=0)
    return [Sheet(t("export.sheet.diff"), out, fills={r: c for r, c in fills.items() if c != "FFFFFF"}, filters=True),
            legend_sheet(t, "export.diff", CHANGES, CHANGE_FILLS, counts), about]


def _diff_cell(row: dict, column: str, t):
    if column == "change":
        return t.get(f"export.diff.{row['kind']}", row["kind"])
    if column == "table":
        number = row.get("table_no")
        return (f"附表{int(number)} " if not _missing(number) else "") + str(row.get("table_title") or row["table_kind"])
    if column == "period":
        return "" if row.get("year") is None else period_label(int(row["year"]), row.get("period_kind") or "year")
    if column == "field":
        return t.get(f"export.field.{row.get('field') or 'value'}", row.get("field") or "")
    if column in ("value_raw_a", "value_raw_b"):
        raw = row.get(column) or ""
        return printed_number(raw) or (raw or None)
    if column == "delta":
        delta = row.get("delta")
        if _missing(delta):
            return None
        decimals = max(_decimals(row.get("value_raw_a")), _decimals(row.get("value_raw_b")))
        return Number(delta, "0" + ("." + "0" * decimals if decimals else ""))
    value = row.get(column)
    return None if _missing(value) or value == "" else value


def _decimals(raw) -> int:
    return parse_value(raw or "").decimals or 0


# ---------------------------------------------------------------- small helpers


def _missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return pd.api.types.is_scalar(value) and bool(pd.isna(value))


def _int(value) -> int:
    return 0 if _missing(value) or value == "" else int(float(value))


def _text(value) -> str:
    return "" if _missing(value) else str(value)


def _number(value) -> float | None:
    if _missing(value) or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
