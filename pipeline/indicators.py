"""Stage 4: the appendix indicator tables (计分卡 … 落实政策表, 资源表, 指标表 …) in long form.

Which template of the family is in force (pipeline/template/templates.csv) is chosen from what the report
prints — its level (中等/高等职业教育) and year (2021年度) on the cover, and its appendix captions — or named
by the caller (``--template``). Every appendix table of a kind the family knows is read, whether the
template in force has it or not; `missing` warnings are only for what that template requires of the report.
Year columns may be years (2023, 2023年, 2023年度, 2023自然年), cohorts (2021届) or school years
(2020-2021学年): each cell keeps the printed header (``period_raw``), a year and the period's kind.

A table is an appendix table because of what it prints, not where it is: a
header row with 指标 and year columns, and a caption or title naming its kind
(附表3 教学资源表, 表3 教学资源表, 教学资源表), or else indicator names that are
the template's for one kind. Its number is the one the report prints (reports
number and order the six tables differently); the kind is what the template
and every check use. The layout is read from the header row (序号, 指标, 单位/
计量单位, the year columns, 调查人次/调查方式), so reports that add or drop
columns or rows still parse. Parents come from the template where it names
one and from the "其中：" structure otherwise. Units are canonicalised
(％ → %, the aliases of units.csv); ``unit_raw`` keeps the printed form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import template
from .records import BBox, Document, Indicators, Issue, Table, Tables, said
from .schools import level_of
from .template.fields import columns
from .text import edit_distance, squash
from .text.numbers import chinese_integer, parse_value
from .words import RECORDS, word, words

STAGE = "indicators"
COLUMNS = columns("indicators")  # indicators.csv's, as template/fields.csv declares them
YEAR = re.compile(r"((?:19|20)\d{2})")
SUB_PREFIX = re.compile(r"^其中\s*[:：]\s*")
NUMBERED = re.compile(r"^(?:附\s*)?表\s*(?P<num>\d{1,2}|[一二三四五六七八九十]{1,3})(?!\d)")
# A table without a caption naming its kind is taken for one when this many of its indicator names,
# and this share of them, are the template's names for that kind.
MIN_NAMED_ROWS = 3
MIN_NAMED_SHARE = 0.5
DASH = "-－—–~～/至"
PERIOD_FORMS = (  # a header cell read as a whole (spaces dropped), most specific first
    (re.compile(rf"(?P<a>(?:19|20)\d{{2}})[{DASH}](?P<b>(?:19|20)?\d{{2}})(?:学年度?|学年)?"), "school_year"),
    (re.compile(r"(?P<a>(?:19|20)\d{2})学年度?"), "school_year"),  # 2020学年: the school year that starts in 2020
    (re.compile(r"(?P<a>(?:19|20)\d{2})届(?:毕业生)?"), "cohort"),
    (re.compile(r"(?P<a>(?:19|20)\d{2})(?:年度|自然年|年)?"), "year"),
)
COVER_YEAR = (re.compile(r"((?:19|20)\d{2})\s*年度"), re.compile(r"[（(]\s*((?:19|20)\d{2})\s*[)）]"))
SCHOOL_WORDS = ("学院", "学校", "中专", "技校")
COVER_PAGES = 2
COVER_LINES = 12  # lines of the cover searched for its title
TITLE_ENDING = re.compile(r"报告(?:[（(]\s*(?:19|20)\d{2}\s*年?度?\s*[)）])?$")
MAX_TITLE = 40  # characters of a title line (a longer one is a sentence)
TITLE_STYLE = 0.9  # a line above the 报告 line is part of the title when its text is at least this large
TITLE_YEAR = re.compile(r"[（(]?\s*(?:19|20)\d{2}\s*(?:年度|年)?\s*[)）]?")
TITLE_END = re.compile(r"(?:质量)?(?:年度)?(?:质量)?报告$")
TITLE_LEVEL = re.compile(r"(?:中等职业教育|高等职业教育|职业教育|中职教育|高职教育|中职|高职)$")  # of a district's report
# An OCR'd name is taken to the template's nearest name when it is at most this share of its characters off
# (and at least one character: 毕业后人数 for 毕业生人数).
NAME_DISTANCE_SHARE = 0.25
# A serial as printed: a row number.
SERIAL = re.compile(r"^\d{1,3}$")


@dataclass(frozen=True)
class Period:
    """A year column's header: as printed, its year, and what kind of period it is.

    ``year`` of a school year is the year it ends (2020-2021学年 → 2021), of a cohort its graduating year."""

    raw: str
    year: int
    kind: str  # year, cohort or school_year (template/periods.py)


def parse_period(text: str) -> Period | None:
    """A header cell as a period (2023年, 2023年度, 2023自然年, 2021届, 2020-2021学年), None when it is none."""
    raw = " ".join(text.split())
    flat = squash(text)
    for pattern, kind in PERIOD_FORMS:
        m = pattern.fullmatch(flat)
        if not m:
            continue
        start = int(m.group("a"))
        if kind != "school_year":
            return Period(raw, start, kind)
        end = m.groupdict().get("b")
        if end is None:
            return Period(raw, start + 1, kind)
        end_year = int(end) if len(end) == 4 else start // 100 * 100 + int(end)
        if end_year != start + 1:
            return None  # 2019-2023: a span of years, not one school year
        return Period(raw, end_year, kind)
    m = YEAR.search(flat)
    if m and len(flat) <= 8:  # a short header holding a year (2023年数据): the year
        return Period(raw, int(m.group(1)), "year")
    return None


@dataclass
class HeaderMap:
    row: int
    serial: int | None
    indicator: int
    unit: int | None
    years: list[tuple[int, Period]]  # (column, period)
    survey_count: int | None
    survey_method: int | None


@dataclass
class AppendixMatch:
    """One table of the report taken for one appendix table kind."""

    kind: str
    number: int | None  # as printed in this report (附表N / 表N), None when it prints none
    title: str  # as printed in its caption (without the number); empty when it prints none
    table: Table
    header: HeaderMap
    evidence: str  # "caption" or "indicator names"


@dataclass
class IndicatorRow:
    table_kind: str
    table_no: int | None
    table_title: str
    page: int
    row_seq: int
    serial: str
    indicator: str
    parent: str
    unit: str
    unit_raw: str
    is_sub: bool
    values: list[tuple[Period, str, BBox]]  # (period, raw text, cell bbox)
    survey_count: str
    survey_method: str
    label: str = ""  # the parent label row printed above it (毕业生就业去向：), if any
    indicator_raw: str = ""  # the name as printed (or as OCR read it, before it was taken to the template's)
    ocr: bool = False  # the row's name was read by OCR
    sources: list[tuple[str, float | None]] = field(default_factory=list)  # each value's (source, OCR confidence)


def extract_indicators(report_id: str, tables: Tables, doc: Document | None = None,
                       template_id: str | None = None, ocr_threshold: float = 80.0) -> Indicators:
    """The appendix tables in long form, read against the template in force: ``template_id`` when the caller
    names one, else the one the report's cover and appendix captions choose. A value read by OCR with a
    confidence below ``ocr_threshold``, or one its row's unit contradicts, is marked to be read by eye
    (the frame's ``doubt``: why), with a warning."""
    issues: list[Issue] = []
    records: list[dict] = []
    matches = find_appendix_tables(tables.tables, issues)
    chosen, why = choose_template(doc, matches, template_id)
    graduates = None
    rows_by_kind: dict[str, list[IndicatorRow]] = {}
    for kind, match in matches.items():
        rows = _indicator_rows(match, issues)
        issues += _closed_sets(match, rows, chosen)
        _assign_parents(rows, chosen)
        rows_by_kind[kind] = rows
    graduates = _has_graduates(rows_by_kind, chosen)
    for spec in template.appendix_tables(chosen):
        if spec.kind not in matches and spec.required:
            name = spec.title if spec.title == spec.kind else f"{spec.title} ({spec.kind})"
            captioned = _caption_line(doc, spec.kind)
            if captioned:
                issues.append(said(STAGE, "appendix.unread", captioned[0], "missing", name=name, template=chosen,
                                   caption=captioned[1], page=captioned[0]))
                continue
            issues.append(said(STAGE, "appendix.missing", level="missing", name=name, template=chosen))
    for kind in template.table_kinds():  # the family's order
        if kind not in matches:
            continue
        match, rows = matches[kind], rows_by_kind[kind]
        issues += _empty_rows(match, rows, chosen, graduates)
        issues += _absent_indicators(match, rows, chosen, graduates)
        table_records = [record for row in rows for record in _long_records(report_id, row, ocr_threshold)]
        issues += _doubt_issues(match, table_records, ocr_threshold)
        records += table_records
    import pandas as pd

    frame = pd.DataFrame(records, columns=COLUMNS + ["x0", "top", "x1", "bottom", "doubt", "doubt_word"])
    frame["table_no"] = frame["table_no"].astype("Int64")  # empty when the report prints no number
    return Indicators(frame, issues, template=chosen, template_reason=why, about=report_about(doc, matches))


def _caption_line(doc: Document | None, kind: str) -> tuple[int, str] | None:
    """(page, text) of the last caption naming the kind (表3 教学资源表) in the body — the 目录's entries end with
    a page number — when no table of the kind was read there (a picture that could not be read, say)."""
    if doc is None:
        return None
    names = [squash(n) for n in template.family_table(kind).names]
    found = None
    for page in doc.pages:
        for line in page.lines:
            flat = squash(line.text)
            if NUMBERED.match(flat) and any(flat.endswith(n) for n in names):
                found = (page.number, " ".join(line.text.split()))
    return found


# ---------------------------------------------------------------- which template is in force


def report_facts(doc: Document | None, matches: dict[str, AppendixMatch]) -> tuple[str, int | None, str]:
    """(level, year, scope) as the report prints them: the level (中职/高职) and year (2021年度, （2021）) of
    its title and cover, and at least the latest year its appendix columns hold; school when the cover names a
    school."""
    texts = [doc.title or ""] if doc is not None else []
    if doc is not None:
        texts += [" ".join(line.text for line in page.lines) for page in doc.pages[:COVER_PAGES]]
    level = next((lv for lv in (level_of(t) for t in texts) if lv), "")
    # the year a report is of: its title's or cover's (2021年度), and at least its latest year column
    years = [int(m.group(1)) for text in texts for pattern in COVER_YEAR for m in pattern.finditer(text)]
    years += [p.year for m in matches.values() for _, p in m.header.years]
    year = max(years) if years else None
    cover = squash(texts[1]) if len(texts) > 1 else ""
    scope = "school" if any(w in cover for w in SCHOOL_WORDS) else ("district" if cover else "")
    return level, year, scope


def report_about(doc: Document | None, matches: dict[str, AppendixMatch]) -> dict:
    """What the report is, as its cover prints it: title (浦东新区中等职业教育质量年度报告(2024年度)), the name of the
    district or school it is of (浦东新区), level, year and scope (district or school); '' / None where unknown."""
    level, year, scope = report_facts(doc, matches)
    title = cover_title(doc) if doc is not None else ""
    return {"title": title, "name": title_name(title), "level": level, "year": year, "scope": scope}


def cover_title(doc: Document) -> str:
    """The title on the cover: the first line of the first page that says 报告, with the lines in its style just
    above it and a (2024年度) line just below; else the PDF's own title when it says 报告."""
    lines = doc.pages[0].lines[:COVER_LINES] if doc.pages else []
    at = next((n for n, line in enumerate(lines) if _ends_a_title(line.text)), None)
    if at is None:
        return squash(doc.title or "") if _ends_a_title(doc.title or "") else ""
    start = at
    while start > 0 and at - start < 3 and lines[start - 1].size >= TITLE_STYLE * lines[at].size:
        start -= 1
    parts = [line.text for line in lines[start:at + 1]]
    if at + 1 < len(lines) and TITLE_YEAR.fullmatch(squash(lines[at + 1].text)):
        parts.append(lines[at + 1].text)
    return squash("".join(parts))


def _ends_a_title(text: str) -> bool:
    """A short line that ends with 报告 (or 报告 and its year in brackets): not a sentence of the text that names one."""
    text = squash(text)
    return len(text) <= MAX_TITLE and bool(TITLE_ENDING.search(text))


def title_name(title: str) -> str:
    """The district or school a report title names: the title without its year, level and 质量年度报告."""
    name = TITLE_YEAR.sub("", title)
    name = TITLE_LEVEL.sub("", TITLE_END.sub("", name))
    return name.strip("（()）《》 ")


def choose_template(doc: Document | None, matches: dict[str, AppendixMatch],
                    named: str | None = None) -> tuple[str, str]:
    """The template in force and why: the one named, else the one whose level, year and scope fit what the
    report prints and whose tables its appendix captions print best (the default on a tie)."""
    if named:
        template.template_spec(named)
        return named, "named (--template)"
    level, year, scope = report_facts(doc, matches)
    best, best_key = template.DEFAULT, None
    for spec in template.templates():
        tables = {t.kind: t for t in template.appendix_tables(spec.template_id)}
        evidence = 0  # the template's tables and their titles printed, the rows it names, less the tables it lacks
        for kind, match in matches.items():
            if kind in tables:
                known = {squash(t.indicator) for t in template.indicators_of(kind, spec.template_id)}
                evidence += 1 + (squash(match.title) == squash(tables[kind].title))
                evidence += len(_labels(match.table, match.header) & known)
        if matches:  # with no appendix table found, no template is the likelier for lacking fewer of its own
            evidence -= sum(1 for t in tables.values() if t.required and t.kind not in matches)
        fits = (year is None or spec.covers_year(year), not scope or scope in spec.scopes)
        key = (not level or level in spec.levels, evidence, *fits, spec.template_id == template.DEFAULT)
        if best_key is None or key > best_key:
            best, best_key = spec.template_id, key
    facts = ", ".join(f for f in (level, f"{year}" if year else "", scope) if f) or "nothing on the cover"
    return best, f"chosen from the report ({facts}; appendix tables {', '.join(matches) or 'none'})"


# ---------------------------------------------------------------- which table is which kind


def find_appendix_tables(tables: list[Table], issues: list[Issue] | None = None) -> dict[str, AppendixMatch]:
    """Each appendix kind's table: named by its caption, else recognised by its indicator names."""
    found: dict[str, AppendixMatch] = {}
    for table in tables:
        header = header_map(table)
        if header is None:
            named = _kind_named(table)
            if named is not None and issues is not None:
                issues.append(said(STAGE, "appendix.no_header", table.pages[0], "missing", table_id=table.table_id,
                                   page=table.pages[0], caption=squash(table.caption), kind=named))
            continue
        kind, evidence = _kind_of(table, header)
        if kind is None:
            continue
        match = AppendixMatch(kind, _printed_number(table), printed_title(table), table, header, evidence)
        earlier = found.get(kind)
        if earlier is None or _named_rows(earlier.table, earlier.header, kind) < _named_rows(table, header, kind):
            found[kind] = match
        if earlier is not None and issues is not None:
            kept = found[kind].table
            dropped = table if kept is earlier.table else earlier.table
            issues.append(said(STAGE, "appendix.two_tables", dropped.pages[0], kind=kind, kept=kept.pages[0],
                               dropped=dropped.pages[0]))
    return found


def _kind_named(table: Table) -> str | None:
    """The kind the table's caption names, any template's name for it (the longest name printed wins:
    满意度调查表 over a 满意度 that another title might contain)."""
    caption = squash(table.caption)
    named = [spec for spec in template.family_tables() if any(squash(name) in caption for name in spec.names)]
    if not named:
        return None
    return max(named, key=lambda spec: max(len(n) for n in spec.names if squash(n) in caption)).kind


def printed_title(table: Table) -> str:
    """The table's title as its caption prints it, without 附表N / 表N."""
    caption = " ".join(table.caption.split())
    m = NUMBERED.match(squash(caption))
    if not m:
        return caption
    # drop as many characters of the printed caption as the number takes once spaces are dropped
    taken, kept = len(m.group(0)), 0
    for i, ch in enumerate(caption):
        if not ch.isspace():
            kept += 1
        if kept == taken:
            return caption[i + 1:].lstrip(" :：.、")
    return ""


def _kind_of(table: Table, header: HeaderMap) -> tuple[str | None, str]:
    named = _kind_named(table)
    if named is not None:
        return named, "caption"
    scores = {kind: _named_rows(table, header, kind) for kind in template.table_kinds()}
    kind = max(scores, key=lambda k: scores[k])
    labelled = len(_labels(table, header))
    if scores[kind] >= MIN_NAMED_ROWS and scores[kind] >= MIN_NAMED_SHARE * max(labelled, 1):
        if sorted(scores.values())[-2] < scores[kind]:
            return kind, "indicator names"
    return None, ""


def _labels(table: Table, header: HeaderMap) -> set[str]:
    grid = table.grid()
    return {SUB_PREFIX.sub("", squash(row[header.indicator])) for row in grid[header.row + 1:] if row[header.indicator].strip()}


def _named_rows(table: Table, header: HeaderMap, kind: str) -> int:
    known = {squash(t.indicator) for t in template.family_indicators_of(kind)}
    return len(_labels(table, header) & known)


def _printed_number(table: Table) -> int | None:
    """The number the report prints for the table: 附表N in its id, else 附表N / 表N in its caption."""
    for text in (table.table_id, squash(table.caption)):
        m = NUMBERED.match(text or "")
        if m:
            num = m.group("num")
            return int(num) if num.isdigit() else chinese_integer(num)
    return None


def find_appendix_table(kind: str, tables: list[Table]) -> Table | None:
    match = find_appendix_tables(tables).get(kind)
    return match.table if match else None


# ---------------------------------------------------------------- the header row


def header_map(table: Table) -> HeaderMap | None:
    grid = table.grid()
    for r, row in enumerate(grid[:4]):
        texts = [squash(t) for t in row]
        if not any("指标" in t for t in texts):
            continue
        years = []
        for c, cell_text in enumerate(row):
            period = parse_period(cell_text)
            if period is not None and (not years or years[-1][0] != c):
                years.append((c, period))
        if not years:
            continue
        # a merged header cell covers several columns: keep its first column only
        indicator = texts.index(next(t for t in texts if "指标" in t))
        return HeaderMap(
            row=r,
            serial=_first(texts, ("序号",)),
            indicator=indicator,
            unit=_first(texts, ("计量单位", "单位")),
            years=_distinct(years, grid[r]),
            survey_count=_first(texts, ("调查人次", "调查人数", "样本量", "有效样本")),
            survey_method=_first(texts, ("调查方式", "调查方法")),
        )
    return None


def _first(texts: list[str], keys: tuple[str, ...]) -> int | None:
    for c, t in enumerate(texts):
        if any(k in t for k in keys):
            return c
    return None


def _distinct(years: list[tuple[int, Period]], row: list[str]) -> list[tuple[int, Period]]:
    out: list[tuple[int, Period]] = []
    for col, year in years:
        if out and out[-1][1] == year and row[out[-1][0]] == row[col]:
            continue
        out.append((col, year))
    return out


# ---------------------------------------------------------------- rows


def _indicator_rows(match: AppendixMatch, issues: list[Issue]) -> list[IndicatorRow]:
    table, header = match.table, match.header
    grid = table.grid()
    rows: list[IndicatorRow] = []
    header_texts = [squash(t) for t in grid[header.row]]
    label, label_serial = "", ""
    for r in range(header.row + 1, table.n_rows):
        texts = grid[r]
        if [squash(t) for t in texts] == header_texts:
            continue  # header repeated inside the table
        indicator_cell = table.cell_at(r, header.indicator)
        page = indicator_cell.page if indicator_cell else table.pages[0]
        values, sources = [], []
        for col, period in header.years:
            cell = table.cell_at(r, col)
            values.append((period, texts[col].strip(), cell.bbox if cell else table.bbox))
            sources.append((cell.source, cell.confidence) if cell else ("text", None))
        unit_raw = texts[header.unit].strip() if header.unit is not None else ""
        indicator_raw = texts[header.indicator].strip()
        serial = texts[header.serial].strip() if header.serial is not None else ""
        if not indicator_raw:
            if not any(raw for _, raw, _ in values):
                continue  # an empty row
            indicator_raw = _inherited_label(match, rows, template.canonical_unit(unit_raw), page, issues)
            if not indicator_raw:
                continue
        elif not unit_raw and not any(raw for _, raw, _ in values):
            # a name with no unit and no values (毕业生就业去向：): the parent of the rows under it
            label, label_serial = SUB_PREFIX.sub("", indicator_raw).strip().rstrip(":：").strip(), serial
            continue
        if label and serial and serial != label_serial:
            label = ""  # a new 序号 group ends the label's rows
        is_sub = bool(SUB_PREFIX.match(indicator_raw))
        rows.append(
            IndicatorRow(
                table_kind=match.kind,
                table_no=match.number,
                table_title=match.title,
                page=page,
                row_seq=len(rows) + 1,
                serial=serial,
                indicator=SUB_PREFIX.sub("", indicator_raw).strip(),
                parent="",
                unit=template.canonical_unit(unit_raw),
                unit_raw=unit_raw,
                is_sub=is_sub,
                values=values,
                survey_count=texts[header.survey_count].strip() if header.survey_count is not None else "",
                survey_method=texts[header.survey_method].strip() if header.survey_method is not None else "",
                label=label,
                indicator_raw=SUB_PREFIX.sub("", indicator_raw).strip(),
                ocr=bool(indicator_cell and indicator_cell.source == "ocr"),
                sources=sources,
            )
        )
    return rows


def _empty_rows(match: AppendixMatch, rows: list[IndicatorRow], template_id: str, graduates: bool) -> list[Issue]:
    """Rows printed with a unit and no value in any column: a warning naming them, except for rows the template
    requires only of a report whose school(s) had graduates, when it had none (one line per table)."""
    excused = set() if graduates else _graduate_rows(template_id)
    empty = [r for r in rows if not any(raw for _, raw, _ in r.values)
             and (r.table_kind, squash(r.indicator)) not in excused]
    if not empty:
        return []
    if len(empty) == 1:
        return [said(STAGE, "appendix.empty_row", empty[0].page, table=_where(match), indicator=empty[0].indicator)]
    return [said(STAGE, "appendix.empty_rows", empty[0].page, table=_where(match), count=len(empty),
                 rows=", ".join(f"'{r.indicator}'" for r in empty))]


def _graduate_rows(template_id: str) -> set[tuple[str, str]]:
    return {(t.table_kind, squash(t.indicator)) for t in template.appendix_indicators(template_id)
            if t.required == "graduates"}


def _has_graduates(rows_by_kind: dict[str, list[IndicatorRow]], template_id: str) -> bool:
    """Whether the report's school(s) had graduates in its latest column: a row the template requires only of
    such reports holds a value other than 0 there (True when the template marks no such rows)."""
    marked = _graduate_rows(template_id)
    rows = [r for kind_rows in rows_by_kind.values() for r in kind_rows if (r.table_kind, squash(r.indicator)) in marked]
    if not marked or not rows:
        return True
    for row in rows:
        raw = row.values[-1][1] if row.values else ""
        parsed = parse_value(raw) if raw else None
        if parsed is not None and parsed.ok and parsed.value:
            return True
    return False


def _inherited_label(match: AppendixMatch, rows: list[IndicatorRow], unit: str, page: int, issues: list[Issue]) -> str:
    """A row with values but no label: the 学时 line of an indicator the template counts in two units takes
    that indicator's name; anything else is a row that lost its label (a warning, and kept under the name
    above when there is one)."""
    if not rows:
        issues.append(said(STAGE, "appendix.orphan_first", page, "missing", table=_where(match)))
        return ""
    previous = rows[-1]
    label = ("其中：" if previous.is_sub else "") + previous.indicator
    units = {t.unit for t in template.family_indicators_of(match.kind)
             if squash(t.indicator) == squash(previous.indicator)}
    if not (unit in units and unit != previous.unit):
        issues.append(said(STAGE, "appendix.orphan_after", page, "missing", table=_where(match),
                                previous=previous.indicator))
    return label


def _where(match: AppendixMatch) -> dict:
    """The table a warning is about, as a word: "计分卡 (附表1, p.45)"."""
    if match.number is not None:
        return word("appendix.where_numbered", kind=match.kind, number=match.number, page=match.table.pages[0])
    return word("appendix.where", kind=match.kind, page=match.table.pages[0])


def _absent_indicators(match: AppendixMatch, rows: list[IndicatorRow], template_id: str,
                       graduates: bool) -> list[Issue]:
    """The indicators the template in force requires of this report in this table that it does not print,
    one warning for the table."""
    have = {(squash(r.indicator), r.unit) for r in rows} | {(squash(r.label), "") for r in rows if r.label}
    absent = []
    for t in template.indicators_of(match.kind, template_id):
        if t.required == "no" or (t.required == "graduates" and not graduates):
            continue
        if (squash(t.indicator), t.unit) not in have:
            absent.append(t)
    if not absent:
        return []
    page = match.table.pages[0]
    if len(absent) == 1:
        return [said(STAGE, "appendix.absent_one", page, "missing", table=_where(match), indicator=absent[0].indicator,
                     unit=absent[0].unit)]
    return [said(STAGE, "appendix.absent_many", page, "missing", table=_where(match), count=len(absent),
                 indicators=", ".join(f"'{t.indicator}' ({t.unit})" for t in absent))]


def _assign_parents(rows: list[IndicatorRow], template_id: str = template.DEFAULT) -> None:
    """Template parents where the template names one, else the 其中 structure.

    A row's group is its 序号 group. Within it: a "其中：" row breaks down the
    nearest earlier top-level row with the same unit; rows after it with that
    unit are its siblings; a row with another unit stands on its own; a row
    the template marks "row_above" (接入国家智慧教育平台数) breaks down the row
    just above it. A row under a parent label row (毕业生就业去向：) without another parent has the label.
    """
    declared = _declared_parents(template_id)
    row_above = {squash(name) for name in template.parent_rule_indicators(template_id)}
    group_parent: dict[str, str] = {}
    previous: IndicatorRow | None = None
    top_level: list[IndicatorRow] = []
    for row in rows:
        if previous is not None and previous.serial != row.serial and row.serial:
            top_level = []
            group_parent = {}
        if previous is not None and previous.indicator == row.indicator and previous.unit != row.unit:
            row.parent = previous.parent  # the 学时 line under a 门 line
        elif squash(row.indicator) in row_above and previous is not None:
            row.parent = previous.indicator if squash(previous.indicator) not in row_above else previous.parent
        elif row.is_sub:
            same_unit = [t for t in top_level if t.unit == row.unit]
            anchor = (same_unit or top_level or [previous])[-1] if (top_level or previous) else None
            row.parent = anchor.indicator if anchor else ""
            group_parent[row.unit] = row.parent
        elif row.unit in group_parent:
            row.parent = group_parent[row.unit]
        else:
            group_parent = {}
            top_level.append(row)
        template_parent = _template_parent(row, declared, rows, row_above)
        if template_parent is not None:
            row.parent = template_parent
        if row.label and not (template_parent or ""):
            row.parent = row.label  # what the page prints above it
        previous = row


def _declared_parents(template_id: str) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for t in template.appendix_indicators(template_id):
        out.setdefault((t.table_kind, squash(t.indicator)), []).append(t.parent)
    return out


def _template_parent(row: IndicatorRow, declared: dict[tuple[str, str], list[str]], rows: list[IndicatorRow],
                     row_above: set[str]) -> str | None:
    """The template's parent when it is unambiguous and present earlier in the same group."""
    options = declared.get((row.table_kind, squash(row.indicator)))
    if not options or squash(row.indicator) in row_above:
        return None
    earlier = {squash(r.indicator) for r in rows[: row.row_seq - 1] if r.serial == row.serial}
    earlier |= {squash(row.label)} if row.label else set()
    fits = {p for p in options if p and squash(p) in earlier}
    if len(fits) == 1:
        return fits.pop()
    if options == [""] * len(options) and not row.is_sub:
        return ""
    return None


def _long_records(report_id: str, row: IndicatorRow, ocr_threshold: float = 80.0) -> list[dict]:
    out = []
    count = parse_value(row.survey_count) if row.survey_count else None
    sources = row.sources or [("text", None)] * len(row.values)
    for (period, raw, bbox), (source, confidence) in zip(row.values, sources):
        parsed = parse_value(raw)
        doubtful = doubt_word(raw, parsed.value, row.unit, source, confidence, ocr_threshold)
        out.append({
            "report_id": report_id,
            "table_kind": row.table_kind,
            "table_no": row.table_no,
            "table_title": row.table_title,
            "page": row.page,
            "row_seq": row.row_seq,
            "serial": row.serial,
            "indicator": row.indicator,
            "indicator_raw": row.indicator_raw or row.indicator,
            "parent_indicator": row.parent,
            "unit": row.unit,
            "unit_raw": row.unit_raw,
            "year": period.year,
            "period_raw": period.raw,
            "period_kind": period.kind,
            "value_raw": raw,
            "value": parsed.value,
            "survey_count": count.value if count and count.ok else None,
            "survey_method": row.survey_method,
            "source": source,
            "ocr_confidence": confidence if source == "ocr" else None,
            "x0": bbox[0], "top": bbox[1], "x1": bbox[2], "bottom": bbox[3],
            "doubt": words(RECORDS).said(doubtful) if doubtful else "",
            "doubt_word": doubtful,
        })
    return out


# ---------------------------------------------------------------- values to read by eye


def doubt(raw: str, value: float | None, unit: str, source: str, confidence: float | None, threshold: float) -> str:
    """Why a value read by OCR cannot be trusted, as the run writes it ('' when it can)."""
    said = doubt_word(raw, value, unit, source, confidence, threshold)
    return words(RECORDS).said(said) if said else ""


def doubt_word(raw: str, value: float | None, unit: str, source: str, confidence: float | None,
               threshold: float) -> dict | None:
    """Why a value read by OCR cannot be trusted, as a catalogue word (None when it can, and always for the text
    layer): a confidence below ``threshold``, something that is not a number, or a number its row's unit rules
    out (a percentage over 100, a count with a fraction)."""
    if source != "ocr" or not raw.strip():
        return None
    parsed = parse_value(raw)
    if value is None and parsed.reason == "unreadable":
        return word("doubt.not_a_number")
    if confidence is not None and confidence < threshold:
        return word("doubt.confidence", confidence=f"{confidence:.0f}", threshold=f"{threshold:.0f}")
    measure = template.unit_measures().get(unit, "")
    if value is not None and measure == "percent" and not 0 <= value <= 100:
        return word("doubt.percent")
    if value is not None and measure == "count" and (value < 0 or value != int(value)):
        return word("doubt.count", unit=unit)
    return None


def _doubt_issues(match: AppendixMatch, records: list[dict], threshold: float) -> list[Issue]:
    """One warning per table naming its values to be read by eye."""
    doubtful = [r for r in records if r["doubt"]]
    if not doubtful:
        return []
    listed = [part for n, r in enumerate(doubtful)
              for part in (["; "] if n else []) + [f"{r['indicator']} {r['period_raw']} '{r['value_raw']}' (", r["doubt_word"], ")"]]
    return [said(STAGE, "doubt.table", doubtful[0]["page"], table=_where(match), count=len(doubtful), values=listed)]


# ---------------------------------------------------------------- closed sets for OCR'd rows


def _closed_sets(match: AppendixMatch, rows: list[IndicatorRow], template_id: str) -> list[Issue]:
    """An OCR'd row's name taken to the nearest of the template's names for the table's kind (its unit and serial
    agreeing), its unit to the unit set, its serial to the template's; a warning naming the names changed."""
    changed = []
    for row in rows:
        if not row.ocr:
            continue
        _snap_unit(row)
        name = _nearest_name(row, match.kind, template_id)
        if name and squash(name) != squash(row.indicator):
            changed.append(f"'{row.indicator}' → '{name}'")
        row.indicator = name or row.indicator
        _unit_from_name(row, match.kind)
        _snap_serial(row, match.kind, template_id)
    if not changed:
        return []
    return [said(STAGE, "closed.names", match.table.pages[0], table=_where(match), names=", ".join(changed))]


def _snap_unit(row: IndicatorRow) -> None:
    """A unit that is none of the unit set taken to the one spelling it is a character off: first the one it is
    with a character dropped (OCR loses a thin '/' or ':': 人门 → 人/门, not 人 or 人次), else the only one."""
    known = template.units()
    if not row.unit or row.unit in template.unit_measures():
        return
    near = [spelling for spelling in known if edit_distance(row.unit, spelling) <= 1]
    dropped = {known[s] for s in near if len(s) == len(row.unit) + 1 and _is_subsequence(row.unit, s)}
    for units in (dropped, {known[s] for s in near}):
        if len(units) == 1:
            row.unit = units.pop()
            return


def _is_subsequence(short: str, long: str) -> bool:
    rest = iter(long)
    return all(ch in rest for ch in short)


def _nearest_name(row: IndicatorRow, kind: str, template_id: str) -> str:
    """The template's name for the row: the one its OCR'd name is fewest characters off (within
    NAME_DISTANCE_SHARE), among the names whose unit agrees with the row's (when it has a known one) and, in the
    template in force, whose serial agrees; '' when none is near or two names are equally near."""
    read = squash(row.indicator)
    in_force = template.indicators_of(kind, template_id)
    same = [t.indicator for t in template.family_indicators_of(kind) if squash(t.indicator) == read]
    if same:
        return same[0]  # the template's spelling (OCR spaces out and drops nothing else)
    for candidates, by_serial in ((in_force, True), (template.family_indicators_of(kind), False)):
        scored: dict[str, int] = {}
        for t in candidates:
            if row.unit in template.unit_measures() and t.unit != row.unit:
                continue
            if by_serial and SERIAL.match(row.serial) and t.serial != int(row.serial):
                continue
            name = squash(t.indicator)
            distance = edit_distance(read, name)
            if distance <= max(1, int(len(name) * NAME_DISTANCE_SHARE)):
                scored[t.indicator] = min(distance, scored.get(t.indicator, distance))
        if scored:
            best = min(scored.values())
            names = [n for n, d in scored.items() if d == best]
            return names[0] if len(names) == 1 else ""
    return ""


def _unit_from_name(row: IndicatorRow, kind: str) -> None:
    """An OCR'd row whose unit is empty or none of the unit set takes its name's unit, when the template gives it
    one unit (生师比's ':' is a speck OCR drops)."""
    if row.unit in template.unit_measures():
        return
    units = {t.unit for t in template.family_indicators_of(kind) if squash(t.indicator) == squash(row.indicator)}
    if len(units) == 1:
        row.unit = units.pop()


def _snap_serial(row: IndicatorRow, kind: str, template_id: str) -> None:
    """An OCR'd serial that is not a number (工 for 1) takes the template's serial of the row's name, when one."""
    if not row.serial or SERIAL.match(row.serial):
        return
    serials = {t.serial for t in template.indicators_of(kind, template_id) if squash(t.indicator) == squash(row.indicator)}
    if len(serials) == 1:
        row.serial = str(serials.pop())
