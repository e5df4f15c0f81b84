"""Opening the PDF for the page stage: clear errors for what cannot be read, a repaired copy for what is damaged.

A file pdfminer cannot open, whose cross-reference table is wrong, or whose page tree
has entries that are not pages is rebuilt by qpdf (pikepdf) into a temporary copy,
and the copy is read instead, with a warning naming what was repaired. When qpdf
cannot rebuild it (no /Root found: cross-reference offsets zeroed or shifted at
random), PDFium, which rebuilds such files its own way, opens it and saves a copy.
A page tree that refers to a node again (a loop, or a page listed twice) has the
repetition skipped, with a warning, and the copy gets the page list rebuilt from the
page objects in the order the tree first reaches them (qpdf refuses a loop, and
would make a repeated page a second page). The copy has a clean page tree, so every
library that reads it later (camelot, PDFium for OCR and the audit) counts the same
pages.

The page tree is walked entry by entry: an entry that is not a page is skipped, and
a page whose boxes cannot be read stays in the list (its physical number is kept)
with the reason, so the page reader skips it alone.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect, PDFXRefFallback
from pdfminer.pdfinterp import PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import PDFObjRef, resolve1
from pdfminer.psparser import LIT
from pdfplumber.utils.exceptions import PdfminerException

from ..errors import ReportError
from ..limits import LimitExceeded
from ..records import Issue, said
from ..words import RECORDS, word, words
from .plumber import Page as PlumberPage

STAGE = "pages"
SIGNATURES = {  # what a file that is not a PDF starts with: its kind's word, file.kind.<name>
    b"<!doctype html": "html", b"<html": "html", b"<?xml": "xml", b"\x89png": "png", b"\xff\xd8\xff": "jpeg",
    b"pk\x03\x04": "zip", b"\xd0\xcf\x11\xe0": "office", b"{\\rtf": "rtf", b"gif8": "gif",
}
PAGES, PAGE = LIT("Pages"), LIT("Page")
FONT_PROGRAMS = ("FontFile", "FontFile2", "FontFile3")
QPDF_NOTES = 4  # qpdf's own words on what it repaired, quoted in the warning
GUESSED_BOX = re.compile(r"object (\d+) (\d+)\b.*MediaBox is undefined")
MAX_TREE_DEPTH = 200  # a page tree deeper than this is damaged (real ones are a few levels deep)
DAMAGE_KEY = "/VetreportDamage"  # marks a page of a repaired copy that qpdf could not read whole


@dataclass
class PageEntry:
    """One page of the page tree, in order: pdfplumber's page, or why it cannot be read."""

    number: int  # physical, 1-based
    page: PlumberPage | None
    problem: str | None = None


@dataclass
class Opened:
    pdf: pdfplumber.PDF
    entries: list[PageEntry]
    issues: list[Issue]
    repaired: Path | None = None  # the copy read instead of the input
    scratch: tempfile.TemporaryDirectory | None = field(default=None, repr=False)


def refuse_non_pdf(path: Path) -> None:
    """Clear errors for what is certainly not a PDF: a missing or empty file, HTML or images named .pdf."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise ReportError.saying(STAGE, "error.unreadable_file", str(path), why=str(exc.strerror or exc)) from exc
    if size == 0:
        raise ReportError.saying(STAGE, "error.empty_file", str(path))
    if b"%PDF-" in head:
        return
    start = head.lstrip().lower()
    kind = next((name for sig, name in SIGNATURES.items() if start.startswith(sig)), None)
    if kind:
        raise ReportError.saying(STAGE, "error.not_pdf", str(path), kind=word(f"file.kind.{kind}"))


def open_pdf(path: Path, password: str | None, max_pages: int) -> Opened:
    """The PDF with its pages, read from a repaired copy when the file is damaged; ReportError when
    it cannot be read at all."""
    damage: list = []  # what is wrong with the file: words (words.word), or the page-tree walk's notes
    cause: BaseException | None = None
    try:
        pdf = _plumber(path, password)
    except ReportError:
        raise
    except Exception as exc:
        pdf, cause = None, exc
        damage.append(word("file.damage.unopened", why=describe(exc)))
    repeated = False
    if pdf is not None:
        try:
            entries, tree_damage = walk_pages(pdf, path, max_pages)
        except ReportError:
            close(pdf)
            raise
        except Exception as exc:  # a page tree too deep or too broken to walk: qpdf rebuilds it
            entries, tree_damage = [], [word("file.damage.tree", why=describe(exc))]
        if any(isinstance(x, PDFXRefFallback) for x in getattr(pdf.doc, "xrefs", [])):
            damage.append(word("file.damage.xref"))
        repeated = any(isinstance(d, Repetition) for d in tree_damage)
        damage += tree_damage
        if not entries and not damage:
            damage.append(word("file.damage.no_pages"))
        if not damage:
            return Opened(pdf, entries, [])
        close(pdf)
    return _open_repaired(path, password, max_pages, damage, cause, repeated)


def _plumber(path: Path, password: str | None) -> pdfplumber.PDF:
    """pdfplumber's PDF with a font loader that survives damaged fonts; ReportError for encryption."""
    try:
        pdf = pdfplumber.open(path, password=password or "")
    except LimitExceeded:
        raise
    except Exception as exc:  # pdfplumber wraps pdfminer's many error types
        cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect):
            key = "error.wrong_password" if password else "error.encrypted"
            raise ReportError.saying(STAGE, key, str(path)) from exc
        if isinstance(cause, PDFEncryptionError):
            raise ReportError.saying(STAGE, "error.encryption_method", str(path), why=str(cause)) from exc
        raise
    pdf.rsrcmgr = TolerantResources()
    return pdf


class Repetition(str):
    """A page-tree entry that refers to a node the walk has already reached (a loop, or a page listed twice)."""


def _open_repaired(path: Path, password: str | None, max_pages: int, damage: list[str],
                   cause: BaseException | None, repeated: bool = False) -> Opened:
    """The first copy that reads: the page list rebuilt from the page objects (when the tree repeats a node),
    qpdf's repair, PDFium's re-save (when qpdf cannot repair it); ReportError when none has pages."""
    scratch = tempfile.TemporaryDirectory(prefix="vetreport-repair-")
    fixers = ([("rebuilt", rebuild_page_list)] if repeated else []) + [("qpdf", repair), ("pdfium", resave_with_pdfium)]
    failures: list[str] = []
    last: BaseException | None = None
    for name, fixer in fixers:
        copy = Path(scratch.name) / name / path.name
        copy.parent.mkdir()
        try:
            notes = fixer(path, copy, password)
            opened = _read_copy(copy, password, max_pages, rebuild=name != "rebuilt")
        except (LimitExceeded, ReportError):
            scratch.cleanup()
            raise
        except Exception as exc:
            failures.append(f"{FIXERS[name]}: {describe(exc)}")
            last = exc
            continue
        pdf, entries, still, copy, skipped = opened
        issues = [_repair_issue(path, [*damage, *(f"in {FIXERS[name]}'s copy: {s}" for s in skipped)], notes, name,
                                failures)]
        issues += [said(STAGE, "file.after_repair", level="missing", problem=str(problem)) for problem in still]
        return Opened(pdf, entries, issues, copy, scratch)
    scratch.cleanup()
    raise ReportError(STAGE, _unreadable(path, cause, damage, failures), str(path)) from last


FIXERS = {"rebuilt": "the page list rebuilt from the page objects", "qpdf": "qpdf", "pdfium": "PDFium"}


def _read_copy(copy: Path, password: str | None, max_pages: int, rebuild: bool):
    """(pdfplumber's PDF, its page entries, what is still wrong, the file, the repetitions skipped) of a repaired
    copy; a copy whose tree still repeats a node gets its page list rebuilt once more. Raises when the copy has
    no pages."""
    pdf = _plumber(copy, password)
    skipped: list[str] = []
    try:
        entries, still = walk_pages(pdf, copy, max_pages)
        if rebuild and any(isinstance(d, Repetition) for d in still):
            skipped = [d for d in still if isinstance(d, Repetition)]
            close(pdf)
            pdf = None
            again = copy.with_name(f"rebuilt-{copy.name}")
            rebuild_page_list(copy, again, password)
            copy = again
            pdf = _plumber(copy, password)
            entries, still = walk_pages(pdf, copy, max_pages)
    except BaseException:
        if pdf is not None:
            close(pdf)
        raise
    if not entries:
        close(pdf)
        raise ValueError("the copy has no pages (its page tree is empty or broken)")
    return pdf, entries, still, copy, skipped


def _repair_issue(path: Path, damage: list[str], notes: list[str], fixer: str = "qpdf",
                  failures: list[str] | None = None) -> Issue:
    told = f"; {'qpdf' if fixer == 'qpdf' else FIXERS[fixer]}: {'; '.join(notes[:QPDF_NOTES])}" if notes else ""
    by = word(f"file.by.{fixer}")
    if failures:
        by = word("file.by.after_failures", by=by, tried="; ".join(failures))
    listed = [part for n, d in enumerate(damage) for part in (["; "] if n else []) + [d if isinstance(d, dict) else str(d)]]
    if truncated(path):
        return said(STAGE, "file.truncated", level="missing", by=by, damage=listed, told=told)
    return said(STAGE, "file.damaged", by=by, damage=listed, told=told)


def repair(src: Path, dst: Path, password: str | None) -> list[str]:
    """Rebuild ``src`` with qpdf into ``dst`` (cross-reference table, page tree); qpdf's warnings, without
    the file name. A page whose box qpdf could not read (and sets to letter size) is marked in the copy,
    so that page is skipped alone rather than read at a size qpdf made up."""
    import pikepdf

    with pikepdf.open(src, password=password or "", attempt_recovery=True, suppress_warnings=True) as pdf:
        pages = pdf.pages  # qpdf flattens the page tree here, dropping entries that are not pages
        said = [_without_path(note, src) for note in pdf.get_warnings()]
        boxes = {(int(m.group(1)), int(m.group(2))) for note in said if (m := GUESSED_BOX.search(note))}
        for page in pages:
            if page.objgen in boxes:
                page.obj[DAMAGE_KEY] = pikepdf.String("its /MediaBox cannot be read")
        encryption = pikepdf.Encryption(user=password, owner=password) if password and pdf.is_encrypted else False
        pdf.save(dst, encryption=encryption)
    return [n for n in said if n and n != "file is damaged"]


def resave_with_pdfium(src: Path, dst: Path, password: str | None) -> list[str]:
    """PDFium's copy of ``src``: PDFium rebuilds a cross-reference table qpdf cannot (it finds the objects and the
    catalog by scanning), and writes a whole new file."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    doc = pdfium.PdfDocument(str(src), password=password or None)
    try:
        count = len(doc)
        if not count:
            raise ValueError("PDFium finds no pages")
        doc.save(str(dst), flags=pdfium_c.FPDF_NO_INCREMENTAL)
    finally:
        doc.close()
    return []


def rebuild_page_list(src: Path, dst: Path, password: str | None) -> list[str]:
    """A copy of ``src`` whose page tree is one flat list of its page objects, in the order a walk of the tree
    first reaches them: a node reached again (a loop, a page listed twice) is skipped, as is an entry that is
    not a page. Attributes the pages inherited (resources, boxes, rotation) are copied onto each page."""
    import pikepdf

    # inherit_page_attributes=False: qpdf would walk the tree itself (refusing a loop, copying a repeated page)
    with pikepdf.open(src, password=password or "", attempt_recovery=True, suppress_warnings=True,
                      inherit_page_attributes=False) as pdf:
        pages: list = []
        seen: set = set()
        inheritable = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")

        def walk(node, inherited: dict, depth: int) -> None:
            if not isinstance(node, pikepdf.Dictionary) or depth > MAX_TREE_DEPTH:
                return
            if node.is_indirect:
                if node.objgen in seen:
                    return
                seen.add(node.objgen)
            attrs = {**inherited, **{k: node[k] for k in inheritable if k in node}}
            kids = node.get("/Kids")
            if node.get("/Type") == pikepdf.Name.Page or (kids is None and "/Contents" in node):
                for key, value in attrs.items():
                    if key not in node:
                        node[key] = value
                pages.append(node)
            elif isinstance(kids, pikepdf.Array):
                for kid in kids:
                    walk(kid, attrs, depth + 1)

        walk(pdf.Root.get("/Pages"), {}, 0)
        if not pages:
            raise ValueError("no page objects are reached from the page tree")
        root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Pages, Count=len(pages)))
        kids = []
        for page in pages:
            if not page.is_indirect:
                page = pdf.make_indirect(page)
            page["/Parent"] = root
            kids.append(page)
        root["/Kids"] = pikepdf.Array(kids)
        pdf.Root["/Pages"] = root
        encryption = pikepdf.Encryption(user=password, owner=password) if password and pdf.is_encrypted else False
        pdf.save(dst, encryption=encryption)
    return []


def turned_copy(doc, turns: dict[int, int], max_pages: int) -> Opened:
    """A copy of the file the document is read from, with pages turned clockwise by ``turns`` (page number ->
    degrees) through their /Rotate; the document reads that copy from now on."""
    import pikepdf

    scratch = doc.scratch or tempfile.TemporaryDirectory(prefix="vetreport-repair-")
    copy = Path(scratch.name) / f"turned-{doc.path.name}"
    with pikepdf.open(doc.readable_path, password=doc.password or "", suppress_warnings=True) as pdf:
        for number, degrees in turns.items():
            pdf.pages[number - 1].rotate(degrees, relative=True)
        encryption = pikepdf.Encryption(user=doc.password, owner=doc.password) if doc.password and pdf.is_encrypted else False
        pdf.save(copy, encryption=encryption)
    pdf = _plumber(copy, doc.password)
    entries, _ = walk_pages(pdf, copy, max_pages)
    doc.repaired, doc.scratch = copy, scratch
    return Opened(pdf, entries, [], copy, scratch)


def _without_path(note: str, path: Path) -> str:
    return re.sub(rf"^{re.escape(str(path))}[:,]?\s*", "", note).strip()


# ---------------------------------------------------------------- the page tree


def walk_pages(pdf: pdfplumber.PDF, path: Path, max_pages: int) -> tuple[list[PageEntry], list[str]]:
    """Every page of the tree in order, and the entries that are not pages (what was wrong with each).

    Unlike pdfminer's own walk, one damaged entry (a dangling reference, an integer, a string)
    is skipped alone, and a page whose boxes cannot be read is kept with the reason.
    """
    entries: list[PageEntry] = []
    damage: list[str] = []
    root = pdf.doc.catalog.get("Pages")
    if root is None:
        return entries, ["its catalog has no page tree (/Pages): the cross-reference table may point to the wrong places"]
    doctop = 0.0
    for objid, attrs, problem in _tree(root, dict(pdf.doc.catalog), damage, {}, (), "the root of the page tree", 0):
        if problem:
            damage.append(problem)
            continue
        number = len(entries) + 1
        if max_pages and number > max_pages:  # 0: no limit
            count = _declared_count(pdf)
            count_text = str(count) if count > max_pages else f"more than {max_pages}"
            raise LimitExceeded(STAGE, f"{count_text} pages exceed the limit of {max_pages} (limit max_pages)", str(path))
        page, problem = _page(pdf, objid, attrs, None, number, doctop)
        entries.append(PageEntry(number, page, problem))
        if page is not None:
            doctop += float(page.height)
    return entries, damage


def _tree(node, inherited: dict, damage: list[str], visited: dict, ancestors: tuple, where: str, depth: int):
    """(objid, attributes, None) for each page under ``node``; (None, None, problem) for a bad entry.
    ``visited``: object -> where the walk first reached it; ``ancestors``: the nodes above this one."""
    objid = node.objid if isinstance(node, PDFObjRef) else None
    if objid is not None and objid in ancestors:
        yield None, None, Repetition(f"{where} refers again to object {objid}, a node above it (a loop in the page "
                                     "tree): the repetition is skipped")
        return
    if objid is not None and objid in visited:
        yield None, None, Repetition(f"{where} refers again to object {objid}, already {visited[objid]} (listed twice "
                                     "in the page tree): the repetition is skipped")
        return
    if depth > MAX_TREE_DEPTH:
        yield None, None, f"{where} is more than {MAX_TREE_DEPTH} levels deep in the page tree"
        return
    if not isinstance(node, (PDFObjRef, dict)):
        yield None, None, f"{where} is {_shown(node)}, not a reference to a page"
        return
    try:
        value = resolve1(node)
    except Exception as exc:
        yield None, None, f"{where} refers to object {objid}, which cannot be read ({describe(exc)})"
        return
    if not isinstance(value, dict):
        missing = "which does not exist" if value is None else f"which is {_shown(value)}, not a page"
        yield None, None, f"{where} refers to object {objid}, {missing}"
        return
    attrs = dict(value)
    for key in PDFPage.INHERITABLE_ATTRS:
        if key not in attrs and key in inherited:
            attrs[key] = inherited[key]
    kind = attrs.get("Type") or attrs.get("type")
    kids = resolve1(attrs.get("Kids")) if "Kids" in attrs else None
    if kind is PAGE or (kind is None and kids is None and "Contents" in attrs):
        if objid is not None:
            visited[objid] = f"reached as {where}"
        yield objid, attrs, None
    elif isinstance(kids, list):
        name = f"object {objid}" if objid is not None else "a page-tree node"
        if objid is not None:
            visited[objid] = f"reached as {where}"
        below = (*ancestors, objid) if objid is not None else ancestors
        for i, kid in enumerate(kids, start=1):
            yield from _tree(kid, attrs, damage, visited, below, f"entry {i} of the /Kids of {name}", depth + 1)
    else:
        yield None, None, f"{where} is neither a page nor a list of pages (object {objid})"


def _page(pdf: pdfplumber.PDF, objid, attrs: dict, label, number: int, doctop: float):
    """pdfplumber's page, or None and why its boxes or content list cannot be read."""
    marked = resolve1(attrs.get(DAMAGE_KEY[1:]))
    if marked:
        return None, marked.decode("utf-8", "replace") if isinstance(marked, bytes) else str(marked)
    try:
        return PlumberPage(pdf, PDFPage(pdf.doc, objid, attrs, label), page_number=number, initial_doctop=doctop), None
    except LimitExceeded:
        raise
    except Exception as exc:
        box = _shown(resolve1(attrs.get("MediaBox")))
        return None, f"its page boxes or content list cannot be read (MediaBox {box}; {describe(exc)})"


def _declared_count(pdf: pdfplumber.PDF) -> int:
    """The page tree's /Count (0 when it cannot be read)."""
    try:
        count = resolve1(resolve1(pdf.doc.catalog["Pages"]).get("Count"))
        return int(count) if isinstance(count, (int, float)) else 0
    except Exception:
        return 0


def _shown(value) -> str:
    if isinstance(value, list):
        return "[" + " ".join(_shown(resolve1(v)) for v in value[:6]) + "]"
    if isinstance(value, bytes):
        return repr(value[:40])
    return str(value)[:60]


# ---------------------------------------------------------------- fonts


class TolerantResources(PDFResourceManager):
    """pdfminer's font loader, which on a damaged font program (cut short, missing) loads the font
    again without it: the text still comes from the font's ToUnicode map and widths. Each rescue
    is kept in ``problems`` for the page that first used the font."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[dict] = []  # catalogue words (words.word)

    def get_font(self, objid, spec):
        try:
            return super().get_font(objid, spec)
        except LimitExceeded:
            raise
        except Exception as exc:
            name = _font_name(spec)
            try:
                font = super().get_font(None, _without_program(spec))
                self.problems.append(word("font.no_program", font=name, why=describe(exc)))
            except Exception:
                font = super().get_font(None, {})
                self.problems.append(word("font.unloaded", font=name, why=describe(exc)))
            if objid and self.caching:
                self._cached_fonts[objid] = font
            return font

    def take_problems(self) -> list[dict]:
        problems, self.problems = self.problems, []
        return problems


def _font_name(spec) -> str:
    name = resolve1(spec.get("BaseFont")) if isinstance(spec, dict) else None
    return getattr(name, "name", None) or str(name or "without a name")


def _without_program(spec) -> dict:
    spec = dict(spec)
    for key in ("FontDescriptor",):
        descriptor = resolve1(spec.get(key))
        if isinstance(descriptor, dict):
            spec[key] = {k: v for k, v in descriptor.items() if k not in FONT_PROGRAMS}
    descendants = resolve1(spec.get("DescendantFonts"))
    if isinstance(descendants, list) and descendants:
        spec["DescendantFonts"] = [_without_program(resolve1(descendants[0]) or {})]
    return spec


# ---------------------------------------------------------------- closing and messages


def close(pdf: pdfplumber.PDF) -> None:
    """Close the file without pdfplumber's close(), which walks the page tree again: on a broken tree
    that raises a second error in place of the first, clear one."""
    pdf.flush_cache()
    if not pdf.stream_is_external:
        pdf.stream.close()


def describe(exc: BaseException) -> str:
    if isinstance(exc, PdfminerException) and exc.args and isinstance(exc.args[0], BaseException):
        exc = exc.args[0]
    text = str(exc).strip() or "no details"
    return f"{type(exc).__name__}: {text[:200]}"


def truncated(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(max(path.stat().st_size - 1024, 0))
        return b"%%EOF" not in fh.read()


def _unreadable(path: Path, cause: BaseException | None, damage: list[str], failures: list[str]) -> str:
    with path.open("rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" not in head:
        return f"not a PDF: it has no %PDF header and starts with {head[:24]!r}"
    cut = "; the file is truncated (it ends without %%EOF: an incomplete download?)" if truncated(path) else ""
    tried = "; ".join(failures)
    if cause is None:  # pdfminer opened it, but found no pages, and neither qpdf nor PDFium could rebuild it
        return f"the PDF has no readable pages ({'; '.join(words(RECORDS).said(d) for d in damage)}; {tried}){cut}"
    return f"not a readable PDF ({describe(cause)}; {tried}){cut}"
