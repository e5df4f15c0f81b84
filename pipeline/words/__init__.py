"""The one catalogue of words a person reads: every CSV in this folder, one row per message.

Each row is ``key,zh,en``; ``zh`` is the default language (the people who read these reports are
Chinese-speaking), ``en`` is chosen with ``--lang en``, the locale (LANGUAGE / LC_ALL / LC_MESSAGES /
LANG, as gettext reads them) or, in the app, the browser's Accept-Language. A message may hold
``{name}`` fields, filled by ``str.format``. The files are split by where the words are read
(verdicts.csv, app.csv, audit.csv, …) but form one catalogue: a key is defined once across them, and
every row has both languages — checked when loaded, so a missing word is an error at start, not a
blank on a page.

    t = words("zh")
    t("verdict.mismatch")                      -> "不一致"
    t("page.both", printed="46", page=51)      -> "第46页（PDF第51页）"
    page_label(51, "46", "zh")                 -> "第46页（PDF第51页）"
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

LANGS = ("zh", "en")
DEFAULT = "zh"
# The language the stages write into their records (warnings, pages.csv notes, explanations): one for every
# run, so that what a run writes never depends on the locale of whoever runs it.
RECORDS = "en"
PACKAGE = "pipeline.words"


class CatalogueError(ValueError):
    """A catalogue file that cannot be used: names the file and line."""


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """key -> {lang: text}, from every CSV of this package, validated."""
    entries: dict[str, dict[str, str]] = {}
    where: dict[str, str] = {}
    files = sorted(f for f in resources.files(PACKAGE).iterdir() if f.name.endswith(".csv"))
    for file in files:
        rows = csv.DictReader(io.StringIO(file.read_text(encoding="utf-8"), newline=""))  # a text may hold paragraphs
        if rows.fieldnames != ["key", *LANGS]:
            raise CatalogueError(f"words/{file.name}: columns must be key,{','.join(LANGS)}, not {rows.fieldnames}")
        for row in rows:
            line = rows.line_num
            key = (row["key"] or "").strip()
            if not key or key.startswith("#"):
                continue
            if key in entries:
                raise CatalogueError(f"words/{file.name} line {line}: '{key}' is already defined in {where[key]}")
            missing = [lang for lang in LANGS if not (row.get(lang) or "").strip()]
            if missing:
                raise CatalogueError(f"words/{file.name} line {line}: '{key}' has no {', '.join(missing)} text")
            entries[key] = {lang: row[lang] for lang in LANGS}
            where[key] = f"words/{file.name} line {line}"
    return entries


@dataclass(frozen=True)
class Words:
    """The catalogue in one language; call it with a key (and the message's fields)."""

    lang: str

    def __call__(self, key: str, **fields) -> str:
        """The message of ``key`` with its fields; a field that is itself a word (``word(key, ...)``) is said in
        this language too."""
        try:
            text = catalogue()[key][self.lang]
        except KeyError:
            raise KeyError(f"'{key}' is not in the word catalogue (pipeline/words/*.csv)") from None
        return text.format(**{name: self._said(value) for name, value in fields.items()}) if fields else text

    def _said(self, value):
        if isinstance(value, Mapping) and "key" in value:
            return self(value["key"], **(value.get("fields") or {}))
        if isinstance(value, list):  # words and plain text said one after another (an explanation)
            return "".join(str(self._said(part)) for part in value)
        return value

    def said(self, value) -> str:
        """A word (``word(key, ...)``), a list of words and plain text, or plain text, in this language."""
        return str(self._said(value))

    def has(self, key: str) -> bool:
        return key in catalogue()

    def get(self, key: str, default: str) -> str:
        """The word for ``key``, or ``default`` when the catalogue has none (a code from a newer file)."""
        return self(key) if key in catalogue() else default

    def verdict(self, code: str) -> str:
        return self.get(f"verdict.{code}", code) if code else ""

    def kind(self, code: str) -> str:
        return self.get(f"kind.{code}", code) if code else ""

    def legend(self, prefix: str, codes) -> list[tuple[str, str, str]]:
        """(code, word, explanation) for each code: the legend beside a table of verdicts or kinds."""
        return [(code, self(f"{prefix}.{code}"), self.get(f"{prefix}.{code}.help", "")) for code in codes]

    def page(self, page, printed=None) -> str:
        return page_label(page, printed, self.lang)


@cache
def words(lang: str = DEFAULT) -> Words:
    lang = normalise(lang) or DEFAULT
    catalogue()  # validated before the first word is read
    return Words(lang)


def normalise(tag: str | None) -> str | None:
    """'zh_CN.UTF-8', 'zh-Hans', 'en-GB', 'EN' -> 'zh' or 'en'; None for anything else."""
    if not tag:
        return None
    base = tag.strip().replace("_", "-").split(".")[0].split("-")[0].lower()
    return base if base in LANGS else None


def lang_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The language of the locale, read as gettext does: the first of LANGUAGE (a colon list),
    LC_ALL, LC_MESSAGES and LANG that is set; a locale of neither language (C, POSIX, fr_FR) -> zh."""
    environ = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            if name == "LANGUAGE":
                for tag in value.split(":"):
                    if normalise(tag):
                        return normalise(tag)
                continue
            return normalise(value) or DEFAULT
    return DEFAULT


def lang_from_accept(header: str | None, default: str = DEFAULT) -> str:
    """The best language of an Accept-Language header ('en-US,en;q=0.9,zh;q=0.8' -> 'en'), by q; ``default``
    when the header names neither language (or none with q above 0)."""
    best, best_q = default, 0.0
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        lang = normalise(tag)
        if not lang:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > best_q:  # q=0 means "not this one"
            best, best_q = lang, q
    return best


def word(key: str, **fields) -> dict:
    """A word inside another message's fields (a warning's table name, page, reason), JSON-safe, said in the
    language the message is said in: ``t("picture.unread", table=word("picture.table"), ...)``."""
    return {"key": key, "fields": fields} if fields else {"key": key}


def page_word(page, printed=None) -> dict | str:
    """A page as a reader finds it, as a word (page_label in any language); '' when there is no page."""
    if page in (None, ""):
        return ""
    printed = "" if printed is None else str(printed).strip()
    if printed and printed.lower() != "nan" and printed != str(page):
        return word("page.both", printed=printed, page=page)
    return word("page.pdf", page=page)


def page_label(page, printed=None, lang: str = DEFAULT) -> str:
    """A page as a reader finds it: '第46页（PDF第51页）' / 'p.46 (PDF p.51)'; the PDF page alone when the
    page prints no number (or prints the same one); '' when there is no page."""
    said = page_word(page, printed)
    return words(lang)._said(said) if said else ""


def explanation_text(row, t: Words) -> str:
    """A finding's explanation (a findings.csv row or a mapping) in ``t``'s language: its ``explanation_words``
    (JSON) said with the catalogue, else the ``explanation`` as the run wrote it (an older findings.csv, or a
    word this catalogue does not have)."""
    get = row.get if hasattr(row, "get") else (lambda name, default=None: getattr(row, name, default))
    written = get("explanation", "")
    written = written if isinstance(written, str) else ""  # None, NaN or NA: none written
    raw = get("explanation_words", "")
    if not isinstance(raw, str) or not raw.strip():
        return written
    try:
        return t.said(json.loads(raw))
    except (ValueError, KeyError, IndexError, TypeError):
        return written


def warning_text(warning, t: Words) -> str:
    """A stage's warning (an Issue or its manifest dict) in ``t``'s language: its catalogue key filled with its
    fields when the catalogue has the key, else the message as the stage wrote it."""
    said = warning if isinstance(warning, Mapping) else warning.as_dict()
    key, fields = said.get("key") or "", said.get("fields") or {}
    if key and t.has(key):
        try:
            return t(key, **fields)
        except (KeyError, IndexError, ValueError):  # a field the message names is not there: show what was written
            pass
    return said.get("message", "")
