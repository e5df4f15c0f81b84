"""Character and string hygiene shared by the stages.

Narrative text keeps its characters (after radical mapping); values are
normalised separately (full-width digits and punctuation to ASCII) and the
raw text is kept next to them.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from importlib import resources

CJK_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2FA1F),
)
CJK_PUNCT = set("，。、；：？！“”‘’（）《》〈〉【】〔〕—…·「」『』﹝﹞￥％")


def is_cjk(ch: str) -> bool:
    if not ch:
        return False
    o = ord(ch[0])
    return any(lo <= o <= hi for lo, hi in CJK_RANGES)


def is_cjk_or_punct(ch: str) -> bool:
    return is_cjk(ch) or ch in CJK_PUNCT


@lru_cache(maxsize=1)
def _radical_map() -> dict[str, str]:
    """CJK-radicals-supplement code points to unified ideographs (data file)."""
    mapping: dict[str, str] = {}
    path = resources.files("pipeline.template").joinpath("radicals_supplement.csv")
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            mapping[chr(int(row["codepoint"], 16))] = row["ideograph"]
    return mapping


def _needs_mapping(o: int) -> bool:
    return 0x2E80 <= o <= 0x2FDF or 0xF900 <= o <= 0xFAFF or 0x2F800 <= o <= 0x2FA1F


def map_radicals(text: str) -> str:
    """Look-alike code points to the unified ideographs a reader sees.

    Kangxi radicals (NFKC maps them), CJK-radicals-supplement forms (data
    file) and CJK compatibility ideographs (their canonical equivalents);
    exported PDFs use all three in place of ordinary characters.
    """
    if not any(_needs_mapping(ord(c)) for c in text):
        return text
    supplement = _radical_map()
    out = []
    for c in text:
        o = ord(c)
        if 0x2F00 <= o <= 0x2FDF:
            out.append(unicodedata.normalize("NFKC", c))
        elif 0x2E80 <= o <= 0x2EFF:
            out.append(supplement.get(c, c))
        elif 0xF900 <= o <= 0xFAFF or 0x2F800 <= o <= 0x2FA1F:
            out.append(unicodedata.normalize("NFC", c))
        else:
            out.append(c)
    return "".join(out)


_FULLWIDTH = {chr(0xFF01 + i): chr(0x21 + i) for i in range(94)}
_FULLWIDTH.update({"\u3000": " ", "。": ".", "﹪": "%", "－": "-", "—": "-", "–": "-", "‐": "-", "−": "-"})
_FULLWIDTH_TABLE = str.maketrans(_FULLWIDTH)


def to_halfwidth(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII (for values only)."""
    return text.translate(_FULLWIDTH_TABLE)


_PAREN_TABLE = str.maketrans({"(": "（", ")": "）", " ": "", "\u3000": ""})


def canonical_name(text: str) -> str:
    """Key for comparing names: full-width parentheses, no spaces."""
    return text.translate(_PAREN_TABLE)


def squash(text: str) -> str:
    """Remove all whitespace (for matching titles across TOC and body)."""
    return re.sub(r"\s+", "", text)


def join_fragments(parts: list[str]) -> str:
    """Join wrapped lines: no space between CJK characters, one space between Latin words."""
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    return out


def collapse_spaces(text: str) -> str:
    return re.sub(r"[ \u3000\t]+", " ", text).strip()


GARBLED = re.compile(r"\(cid:\d+\)|[\ue000-\uf8ff\ufffd]")


def garbled_ratio(text: str) -> float:
    """Share of characters that are (cid:N) placeholders, private-use or replacement chars."""
    stripped = re.sub(r"\s+", "", text)
    if not stripped:
        return 0.0
    bad = sum(len(m.group(0)) for m in GARBLED.finditer(stripped))
    return bad / len(stripped)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two short strings (OCR readings against the words they should be)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
