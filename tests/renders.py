"""The reference report drawn again by other producers and in other styles, for the tests.

The content is the document model in ``tests/fixtures/reference/model.json`` (read off the
reference PDF with pdfplumber and checked by hand against its page images, not made by the
pipeline). ``html_for`` lays it out as HTML with the Jinja2 templates in
``tests/fixtures/templates/`` and a :class:`Style`; ``print_pdf`` prints that HTML with headless
Chromium (Debian's /usr/bin/chromium, Skia's PDF backend) or with WeasyPrint. Both draw a
``border-collapse`` table as one short rule segment per cell edge, as browsers and WPS do.

``render(variant, producer, folder)`` makes one whole report; the small fixtures at the end
(``three_line_appendix_table``, ``border_only_case_box``, ``rules_case_box``) make one page each.
Printing is deterministic in layout (fonts, sizes and content are fixed); the PDF bytes carry the
producer's creation date, so caching is keyed on the HTML, not on the output.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import jinja2

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATES = FIXTURES / "templates"
REFERENCE_MODEL = FIXTURES / "reference" / "model.json"
CHROMIUM = Path("/usr/bin/chromium")
PRODUCERS = ("chromium", "weasyprint")
CASE_DIGITS = "零一二三四五六七八九十"


@dataclass(frozen=True)
class Style:
    """How a rendering draws the report (the content comes from the model)."""

    appendix_rules: str = "grid"  # grid | three_line | none
    body_rules: str = "grid"  # grid | three_line | none
    case_box: str = "filled"  # filled | border | rules | none
    case_label: str = "arabic"  # arabic: 案例1 | chinese: 案例一 | bracket: 【案例1】
    font: str = "serif"  # serif | sans (the body text)
    landscape_appendix: bool = False
    appendix_numbering: str = "附表"  # 附表: 附表N heading, 表N caption | 表: caption 表N only | none: titles only
    widths: tuple[int, int, int, int] = (8, 52, 8, 16)  # % of the appendix columns: 序号, 指标, 单位, each year


@dataclass(frozen=True)
class Variant:
    style: Style
    model: str = "reference"  # reference | district (tests/fixtures/district/edits.json applied)
    appendix_order: tuple[str, ...] = ()  # table kinds in print order; () keeps the model's
    description: str = ""


VARIANTS: dict[str, Variant] = {
    "ruled": Variant(Style(), description="every table fully ruled, case boxes filled with a border (as the reference)"),
    "three_line": Variant(
        Style(appendix_rules="three_line", body_rules="three_line", widths=(8, 44, 10, 19)),
        description="appendix and body tables as 三线表; long indicator names wrap to two lines"),
    "unruled": Variant(Style(appendix_rules="none", body_rules="none", case_box="none"),
                       description="no table rules at all, case studies without a box"),
    "landscape": Variant(Style(landscape_appendix=True, case_box="rules", widths=(7, 57, 8, 14)),
                         description="appendix pages landscape; case boxes as rules above and below"),
    "reordered": Variant(
        Style(appendix_numbering="表", case_box="border"),
        appendix_order=("计分卡", "满意度调查表", "教学资源表", "国际影响表", "服务贡献表", "落实政策表"),
        description="国际影响表 printed 4th and 服务贡献表 5th, captioned 表N only; border-only case boxes"),
    "unnumbered": Variant(Style(appendix_numbering="none", case_label="bracket"),
                          description="appendix tables with titles and no numbers; 【案例1】 case headings"),
    "district": Variant(
        Style(font="sans", case_box="border", case_label="chinese"),
        model="district",
        appendix_order=("计分卡", "满意度调查表", "教学资源表", "国际影响表", "服务贡献表", "落实政策表"),
        description="another district on the same template (tests/fixtures/district/edits.json)"),
}


# ---------------------------------------------------------------- the model


@cache
def _load(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def reference_model() -> dict:
    return json.loads(_load(REFERENCE_MODEL))


def model_for(variant: Variant) -> dict:
    model = reference_model()
    if variant.model == "district":
        model = district_model(model)
    if variant.appendix_order:
        by_kind = {t["kind"]: t for t in model["appendix"]}
        model["appendix"] = [by_kind[k] for k in variant.appendix_order if k in by_kind]
        for number, table in enumerate(model["appendix"], start=1):
            table["number"] = number
    model["toc"] = _appendix_toc(model, variant.style)
    for entry in model["case_toc"]:  # the 案例目录 prints the cases' own labels
        number, _, title = entry["text"].removeprefix("案例").partition(" ")
        entry["text"] = f"{case_label(int(number), variant.style)} {title}"
    return model


DISTRICT_EDITS = FIXTURES / "district" / "edits.json"


def district_model(model: dict) -> dict:
    """The reference model turned into another district's report by ``district/edits.json``."""
    edits = json.loads(_load(DISTRICT_EDITS))
    model = copy.deepcopy(model)
    for edit in edits["text_edits"]:  # before the names change, so each edit names the reference's text
        hits = [s for s in _strings(model["body"]) if edit["old"] in s]
        assert len(hits) == 1, f"text edit {edit['old']!r} matches {len(hits)} strings"
        _map_strings(model["body"], lambda s, e=edit: s.replace(e["old"], e["new"]))
    for table in model["appendix"]:
        _edit_appendix(table, edits)
    percent = edits["percent"]
    _map_strings(model["body"], lambda s: s.replace("%", percent))

    def rename(text: str) -> str:
        for old, new, _why in edits["names"]:
            text = text.replace(old, new)
        return text

    return _map_strings(model, rename)


def _edit_appendix(table: dict, edits: dict) -> None:
    kind = table["kind"]
    for cell in edits["cell_edits"]:
        if cell["kind"] != kind:
            continue
        row = next(r for r in table["rows"] if r["indicator"] == cell["indicator"] and r["unit"] == cell["unit"])
        key = {"2023": ("values", 0), "2024": ("values", 1)}.get(cell["column"])
        if key:
            assert row["values"][key[1]] == cell["old"], cell
            row["values"][key[1]] = cell["new"]
        else:
            assert row[cell["column"]] == cell["old"], cell
            row[cell["column"]] = cell["new"]
    for removal in (r for r in edits["remove_rows"] if r["kind"] == kind):
        at = next(i for i, r in enumerate(table["rows"]) if r["indicator"] == removal["indicator"])
        removed = table["rows"].pop(at)
        assert removed["serial"] is not None and (at == len(table["rows"]) or table["rows"][at]["serial"] is not None)
        for row in table["rows"][at:]:  # the groups below move up one number
            if row["serial"] is not None:
                row["serial"] = str(int(row["serial"]) - 1)
    for addition in (r for r in edits["add_rows"] if r["kind"] == kind):
        at = next(i for i, r in enumerate(table["rows"]) if r["indicator"] == addition["after"])
        table["rows"].insert(at + 1, copy.deepcopy(addition["row"]))
    table["header"] = [edits["header"].get(h, h) for h in table["header"]]
    for row in table["rows"]:
        row["unit"] = row["unit"].replace("%", edits["percent"])


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)


def _map_strings(node, change):
    """Apply ``change`` to every string inside ``node`` in place (dict values and list items)."""
    if isinstance(node, dict):
        for key, value in node.items():
            node[key] = change(value) if isinstance(value, str) else _map_strings(value, change)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            node[i] = change(value) if isinstance(value, str) else _map_strings(value, change)
    return node


def _appendix_toc(model: dict, style: Style) -> list[dict]:
    """The 目录 lists the appendix tables under the headings the rendering prints."""
    entries = [e for e in model["toc"] if not e["text"].startswith("附表")]
    return entries + [{"level": 1, "text": appendix_heading(t, style), "page": ""} for t in model["appendix"]]


def appendix_heading(table: dict, style: Style) -> str:
    if style.appendix_numbering == "附表":
        return f"附表{table['number']} {table['title']}"
    if style.appendix_numbering == "表":
        return f"表{table['number']} {table['title']}"
    return table["title"]


def appendix_caption(table: dict, style: Style) -> str:
    """The centred caption over the table; only the 附表 style prints it beside the heading."""
    return f"表{table['number']} {table['title']}" if style.appendix_numbering == "附表" else ""


def case_label(number: int, style: Style) -> str:
    if style.case_label == "chinese":
        return f"案例{_chinese(number)}"
    if style.case_label == "bracket":
        return f"【案例{number}】"
    return f"案例{number}"


def _chinese(n: int) -> str:
    if n <= 10:
        return CASE_DIGITS[n]
    return ("" if n < 20 else CASE_DIGITS[n // 10]) + "十" + (CASE_DIGITS[n % 10] if n % 10 else "")


@dataclass
class AppendixRow:
    serial: str
    serial_span: int  # 0: covered by the merged 序号 cell above
    indicator: str
    indicator_span: int  # 0: a second unit row (学时) of the indicator above
    unit: str
    values: list[str]
    survey_count: str = ""
    survey_method: str = ""
    group_end: bool = False


def appendix_rows(table: dict) -> list[AppendixRow]:
    """The printed rows with their merged cells: a 序号 spans its group, an indicator its unit rows."""
    rows = table["rows"]
    out: list[AppendixRow] = []
    for i, r in enumerate(rows):
        serial_span = 0
        if r["serial"] is not None:
            serial_span = 1
            while i + serial_span < len(rows) and rows[i + serial_span]["serial"] is None:
                serial_span += 1
        indicator_span = 0
        if r["indicator"] is not None:
            indicator_span = 1
            while i + indicator_span < len(rows) and rows[i + indicator_span]["indicator"] is None:
                indicator_span += 1
        last = i + 1 == len(rows) or rows[i + 1]["serial"] is not None
        out.append(AppendixRow(r["serial"] or "", serial_span, r["indicator"] or "", indicator_span, r["unit"],
                               list(r["values"]), r.get("survey_count", ""), r.get("survey_method", ""), last))
    return out


# ---------------------------------------------------------------- HTML


def _rules(selector: str, kind: str) -> str:
    if kind == "grid":
        return f"{selector} th, {selector} td {{ border: 0.5pt solid #000; }}"
    if kind == "three_line":
        return (f"{selector} {{ border-top: 1.5pt solid #000; border-bottom: 1.5pt solid #000; }}\n"
                f"{selector} thead th {{ border-bottom: 0.75pt solid #000; }}\n"
                f"{selector} td, {selector} th {{ padding-top: 1pt; padding-bottom: 1pt; }}")
    return ""


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",)),
                             undefined=jinja2.StrictUndefined, trim_blocks=False)
    env.globals["rules"] = lambda selector, kind: jinja2.utils.markupsafe.Markup(_rules(selector, kind))
    return env


def html_for(model: dict, style: Style, placeholder: str = "placeholder.png") -> str:
    env = _environment()
    template = env.get_template("report.html.j2")
    return template.render(
        model=model, style=style, placeholder=placeholder,
        appendix_rows=appendix_rows,
        appendix_heading=lambda t: appendix_heading(t, style),
        appendix_caption=lambda t: appendix_caption(t, style),
        case_label=lambda n: case_label(n, style),
    )


def placeholder_png(path: Path) -> Path:
    """A grey photo placeholder with a mountain and a sun, as the reference's photos are."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (312, 208), (200, 200, 200))
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 0, 311, 207], outline=(150, 150, 150))
    draw.polygon([(90, 150), (150, 95), (210, 150)], fill=(170, 170, 170))
    draw.polygon([(180, 150), (215, 115), (250, 150)], fill=(170, 170, 170))
    draw.ellipse([196, 60, 214, 78], fill=(225, 225, 225))
    img.save(path)
    return path


# ---------------------------------------------------------------- printing


def print_pdf(html: str, out: Path, producer: str) -> Path:
    """Print ``html`` to ``out`` with ``producer`` (chromium or weasyprint); images are beside it."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="render-") as tmp:
        folder = Path(tmp)
        placeholder_png(folder / "placeholder.png")
        page = folder / "report.html"
        page.write_text(html, encoding="utf-8")
        if producer == "chromium":
            _chromium(page, out, folder / "profile")
        elif producer == "weasyprint":
            import weasyprint

            weasyprint.HTML(filename=str(page)).write_pdf(str(out))
        else:
            raise ValueError(f"unknown producer {producer!r}: one of {PRODUCERS}")
    return out


def _chromium(page: Path, out: Path, profile: Path) -> None:
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={out}", page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    if done.returncode != 0 or not out.is_file():
        raise RuntimeError(f"chromium could not print {page}: {done.stderr[-2000:]}")


def producer_available(producer: str) -> bool:
    if producer == "chromium":
        return CHROMIUM.is_file()
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        return False
    return True


# ---------------------------------------------------------------- page numbers of the 目录


def _page_texts(pdf: Path) -> list[str]:
    """Each page's text, NFKC-folded (Chromium writes some ideographs as Kangxi radicals), no spaces."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        texts = []
        for page in doc:
            text = page.get_textpage().get_text_range()
            texts.append("".join(unicodedata.normalize("NFKC", text).split()))
        return texts
    finally:
        doc.close()


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _number_toc(model: dict, pdf: Path) -> bool:
    """Fill the 目录 page numbers from where each entry prints in ``pdf``; True when any changed.

    Pages are numbered from the cover (the front pages are counted, not numbered), so the printed
    number of a page is its physical number.
    """
    texts = _page_texts(pdf)
    front = len([k for k in ("cover", "toc", "figure_toc", "case_toc") if model.get(k)]) + 1  # toc runs to 2 pages
    changed = False
    for key in ("toc", "figure_toc", "case_toc"):
        for entry in model.get(key) or []:
            target = _fold(entry["text"])
            page = next((str(n) for n, t in enumerate(texts, start=1) if n > front and target in t), "")
            if page != entry["page"]:
                entry["page"], changed = page, True
    return changed


# ---------------------------------------------------------------- whole renderings


def render(variant_name: str, producer: str, folder: Path) -> Path:
    """The report of ``variant_name`` printed by ``producer`` into ``folder``; the 目录 numbered from
    a first printing (a second printing only when those numbers changed)."""
    variant = VARIANTS[variant_name]
    model = model_for(variant)
    folder = Path(folder)
    out = folder / f"{variant_name}-{producer}.pdf"
    draft = folder / f"{variant_name}-{producer}.draft.pdf"
    print_pdf(html_for(model, variant.style), draft, producer)
    if _number_toc(model, draft):
        print_pdf(html_for(model, variant.style), out, producer)
        draft.unlink()
    else:
        draft.rename(out)
    return out


def cache_key(variant_name: str, producer: str) -> str:
    """Changes whenever the model, a template, a style or this module changes."""
    digest = hashlib.sha256()
    variant = VARIANTS[variant_name]
    digest.update(repr((variant_name, producer, variant)).encode())
    for path in sorted([*TEMPLATES.iterdir(), REFERENCE_MODEL, Path(__file__), *FIXTURES.joinpath("district").glob("*")]):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached_render(variant_name: str, producer: str, cache: Path) -> Path:
    """``render`` through a folder keyed by the inputs (pytest's cache dir, so reruns are quick)."""
    folder = Path(cache) / cache_key(variant_name, producer)
    out = folder / f"{variant_name}-{producer}.pdf"
    if not out.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            made = render(variant_name, producer, Path(tmp))
            shutil.move(str(made), out)
    return out


# ---------------------------------------------------------------- small focused fixtures


def _one_page(model: dict, style: Style, path: Path, producer: str) -> Path:
    base = {"metadata": {"Title": "测试", "Author": "测试"}, "header": reference_model()["header"], "cover": [],
            "toc": [], "figure_toc": [], "case_toc": [], "body": [], "appendix": []}
    base.update(model)
    return print_pdf(html_for(base, style), path, producer)


def three_line_appendix_table(path: Path, producer: str, kind: str = "落实政策表") -> Path:
    """One appendix table (default 附表6 落实政策表, 21 rows) as a 三线表: a rule over the header,
    one under it, one under the last row, each drawn as per-cell segments; merged 序号 cells
    vertically centred beside their rows; the indicator column narrow enough that the long names
    (职业技能等级证书（含职业资格证书）获取人数 …) wrap to two lines inside their row.
    Expected values: ``reference_model()['appendix']`` rows of that kind."""
    table = next(t for t in reference_model()["appendix"] if t["kind"] == kind)
    style = Style(appendix_rules="three_line", widths=(9, 40, 11, 20))
    return _one_page({"appendix": [table]}, style, path, producer)


def _case_page(case_box: str) -> dict:
    """A heading, a paragraph, case 2 (its box) and the paragraph and heading that follow it."""
    body = reference_model()["body"]
    start = next(i for i, b in enumerate(body) if b["type"] == "case" and b["number"] == 2)
    case = copy.deepcopy(body[start])
    case["blocks"] = [b for b in case["blocks"] if b["type"] == "paragraph"][:2]
    after = next(b for b in body[start + 1:] if b["type"] == "paragraph")
    return {"body": [
        {"type": "heading", "level": 2, "number": "1.3", "title": "教学改革"},
        {"type": "paragraph", "lead": "深化专业内涵建设。", "text": "深化专业内涵建设。目前，各中职学校共有7个市优质专业。"},
        case, after,
        {"type": "heading", "level": 2, "number": "1.4", "title": "师资建设"},
        {"type": "paragraph", "text": "2024年，全区中等职业学校专任教师917人。"},
    ]}


def border_only_case_box(path: Path, producer: str) -> Path:
    """Case 2 in a box drawn with a border and no fill, between body paragraphs (one page).
    The case is ``案例2 推进市级优质专业建设，打造浦东职业教育品牌`` with its first two paragraphs."""
    return _one_page(_case_page("border"), Style(case_box="border"), path, producer)


def rules_case_box(path: Path, producer: str) -> Path:
    """Case 2 between a rule above and a rule below (no side rules, no fill), as ``border_only_case_box``."""
    return _one_page(_case_page("rules"), Style(case_box="rules"), path, producer)


def focused_case(page: dict | None = None) -> dict:
    """The case block the two case-box fixtures print (title and paragraphs, for assertions)."""
    page = page or _case_page("border")
    return next(b for b in page["body"] if b["type"] == "case")


__all__ = [
    "FOCUSED",
    "PRODUCERS", "VARIANTS", "Style", "Variant", "appendix_rows", "border_only_case_box", "cached_render",
    "focused_case", "html_for", "model_for", "print_pdf", "producer_available", "reference_model", "render",
    "rules_case_box", "three_line_appendix_table",
]


FOCUSED = {
    "three_line_table": three_line_appendix_table,
    "border_case_box": border_only_case_box,
    "rules_case_box": rules_case_box,
}


# ---------------------------------------------------------------- expected values, keyed by hand


EXPECTED_FIELDS = ("serial", "indicator", "parent_indicator", "unit", "value_raw")


def expected_cells(model: str = "reference", kind: str | None = None) -> list[dict]:
    """The hand-keyed appendix cells (tests/fixtures/<model>/appendix.csv), one dict per cell."""
    import csv

    with open(FIXTURES / model / "appendix.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["year"] = int(r["year"])
        r["row_seq"] = int(r["row_seq"])
    return [r for r in rows if kind is None or r["table_kind"] == kind]


def printed_number(variant_name: str, kind: str) -> str:
    """The number a rendering prints for the table of ``kind`` ('' when it prints none)."""
    variant = VARIANTS[variant_name]
    if variant.style.appendix_numbering == "none":
        return ""
    return str(next(t["number"] for t in model_for(variant)["appendix"] if t["kind"] == kind))


def value_errors(value, value_raw: str) -> list[str]:
    """What is wrong with a value read for a cell whose printed text is ``value_raw`` (the number it prints, or
    none for - and 无): [] when right."""
    want = value_of(value_raw)
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    if (want is None) != missing or (want is not None and abs(float(value) - want) > 1e-9):
        return [f"value {value!r} != {want!r}"]
    return []


def value_of(raw: str) -> float | None:
    """The number a printed cell stands for, read independently of the pipeline: '-' is none."""
    text = raw.replace(",", "").strip()
    try:
        return float(text)
    except ValueError:
        return None


def compare_cells(frame, expected: list[dict], numbers: dict[str, str]) -> tuple[int, list[str]]:
    """(cells right, what is wrong) for the pipeline's ``frame`` against ``expected``.

    A cell is looked up by its table's kind (the ``table_kind`` column, once the pipeline has
    one; else by the number the rendering prints, ``numbers[kind]``), row and year, and is right
    when serial, indicator, parent, unit, raw text and value all agree.
    """
    wrong: list[str] = []
    right = 0
    has_kind = "table_kind" in frame.columns
    for cell in expected:
        if has_kind:
            rows = frame[frame.table_kind == cell["table_kind"]]
        else:
            number = numbers.get(cell["table_kind"], "")
            rows = frame[frame.table_no.astype(str) == number] if number else frame.iloc[0:0]
        rows = rows[(rows.row_seq == cell["row_seq"]) & (rows.year == cell["year"])]
        where = f"{cell['table_kind']} row {cell['row_seq']} {cell['indicator']} {cell['year']}"
        if len(rows) != 1:
            wrong.append(f"{where}: {len(rows)} cells")
            continue
        got = rows.iloc[0]
        bad = [f"{k} {got[k]!r} != {cell[k]!r}" for k in EXPECTED_FIELDS if str(got[k]) != cell[k]]
        bad += value_errors(got["value"], cell["value_raw"])
        if bad:
            wrong.append(f"{where}: " + "; ".join(bad))
        else:
            right += 1
    return right, wrong


# ---------------------------------------------------------------- reports of other templates of the family

FAMILY = FIXTURES / "family"
# The rows a 中职 school without graduates that year leaves empty in the 2024 template's tables (typed from the
# national template's graduate rows: every 计分卡 row, the graduate surveys, first employment by destination).
NO_GRADUATE_ROWS = {
    "计分卡": "*",
    "满意度调查表": ("毕业生满意度", "其中：应届毕业生满意度", "毕业三年内毕业生满意度"),
    "服务贡献表": ("毕业生初次就业人数", "其中：A类：留在当地就业人数", "B类：到西部和东北地区就业人数",
                "C类：到中小微企业就业人数", "D类：到大型企业就业人数"),
}
SCHOOL_2024 = {"metadata": {"Title": "南湖中等职业学校质量年度报告(2024年度)", "Author": "南湖中等职业学校"},
               "header": "南湖中等职业学校质量年度报告（2024年度）",
               "cover": ["南湖中等职业学校", "中等职业教育质量年度报告", "(2024年度)", "南湖中等职业学校", "2025年1月"]}


def family_model(name: str) -> dict:
    """The model of a family fixture: ``gaozhi-2021`` and ``zhongzhi-2022`` (tests/fixtures/family/*.json), or
    ``school-2024``: the reference's six tables as a new 中职 school's, its graduate rows left empty."""
    if name != "school-2024":
        model = json.loads(_load(FAMILY / f"{name}.json"))
        model.pop("about", None)
        return model
    tables = copy.deepcopy(reference_model()["appendix"])
    for table in tables:
        table["name_line"] = "学校名称：南湖中等职业学校"
        emptied = NO_GRADUATE_ROWS.get(table["kind"], ())
        for row in table["rows"]:
            if emptied == "*" or row["indicator"] in emptied:
                row["values"] = ["" for _ in row["values"]]
                if "survey_count" in row:
                    row["survey_count"] = row["survey_method"] = ""
    return {**SCHOOL_2024, "appendix": tables}


FAMILY_FIXTURES = ("gaozhi-2021", "school-2024", "zhongzhi-2022")


def cached_family(name: str, cache: Path, producer: str = "weasyprint") -> Path:
    """A family fixture printed (cover and appendix pages), kept in ``cache`` keyed by its HTML."""
    html = html_for({"toc": [], "figure_toc": [], "case_toc": [], "body": [], **family_model(name)}, Style())
    key = hashlib.sha256((producer + html).encode()).hexdigest()[:16]
    out = Path(cache) / key / f"{name}.pdf"
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
            shutil.move(str(print_pdf(html, Path(tmp) / f"{name}.pdf", producer)), out)
    return out
