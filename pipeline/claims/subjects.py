"""Which subject a number describes: jieba with a dictionary made only of the template's terms
(template/claim_terms.csv, plus the varying wordings of claim_term_patterns.csv)."""

from __future__ import annotations

import hashlib
import tempfile
from functools import lru_cache
from pathlib import Path

from .. import template
from ..text.numbers import NumberToken

IGNORED_IN_TERMS = set("“”\"‘’'「」 \u3000")
FILLER = "，,、为是达共计有约近超过逾多达将接不足到"
CLAUSE_END = "，,、：:（）()"
SENTENCE_END = "。！？；!?;\n"

Hit = tuple[int, int, str, str, str]  # start, end, term, subject, role


@lru_cache(maxsize=1)
def terms() -> dict[str, tuple[str, str]]:
    """Surface term -> (subject, role)."""
    return {r["term"]: (r["subject"], r["role"]) for r in template.read_rows("claim_terms.csv")}


@lru_cache(maxsize=1)
def linked_subjects() -> set[str]:
    subjects = {r["subject"] for r in template.claim_links()}
    return subjects | {f.subject for f in template.claim_formulas()}


@lru_cache(maxsize=1)
def tokenizer():
    """jieba with only the template's terms as its dictionary (fast to load, and nothing else splits them)."""
    import jieba

    jieba.setLogLevel(60)
    words = "\n".join(f"{t} 100000" for t in sorted(terms())) + "\n"
    digest = hashlib.sha1(words.encode("utf-8")).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"vetreport-terms-{digest}.txt"
    if not path.exists():
        tmp = path.with_suffix(f".{id(path)}.tmp")
        tmp.write_text(words, encoding="utf-8")
        tmp.replace(path)
    return jieba.Tokenizer(dictionary=str(path))


def term_hits(text: str) -> list[Hit]:
    """(start, end, term, subject, role) for every dictionary term in ``text``.

    Quotes and spaces are taken out first (“双师型”教师 is the term 双师型教师), and
    positions mapped back to ``text``; a wording of claim_term_patterns.csv (留在本省就业)
    counts as its term wherever it occurs.
    """
    keep = [i for i, ch in enumerate(text) if ch not in IGNORED_IN_TERMS]
    compact = "".join(text[i] for i in keep)
    patterned = []
    for pattern, term in template.term_patterns():
        for m in pattern.finditer(compact):
            if term in terms():
                subject, role = terms()[term]
                patterned.append((keep[m.start()], keep[m.end() - 1] + 1, term, subject, role))
    hits = []
    for word, start, end in tokenizer().tokenize(compact, HMM=False):
        if word in terms():
            s, e = keep[start], keep[end - 1] + 1
            if not any(p[0] < e and s < p[1] for p in patterned):
                subject, role = terms()[word]
                hits.append((s, e, word, subject, role))
    return sorted(hits + patterned)


def clause_bounds(sentence: str, token: NumberToken) -> tuple[int, int]:
    start = max((i + 1 for i, ch in enumerate(sentence[: token.start]) if ch in CLAUSE_END), default=0)
    end = next((i for i in range(token.end, len(sentence)) if sentence[i] in CLAUSE_END + SENTENCE_END), len(sentence))
    return start, end


def subject(sentence: str, token: NumberToken, hits: list[Hit], next_start: int) -> tuple[str, str, str]:
    """The linked subject (a key of claim_links/claim_formulas, or a plain term), its phrase, and the field.

    Nearest term before the number in its clause; else the first term after it (before the next
    number: "832名应届毕业生"); a bare continuation (", 近2000学时") takes the clause before.
    """
    c_start, c_end = clause_bounds(sentence, token)
    usable = ("subject", "generic", "previous")
    before = [h for h in hits if c_start <= h[0] and h[1] <= token.start]
    # a term after the number only when it follows at once: "832名应届毕业生", "45个专业教学资源库"
    after = [h for h in hits if token.end <= h[0] <= token.end + 2 and h[1] <= min(c_end, next_start)]
    earlier = [h for h in hits if h[1] <= c_start and h[4] == "subject"]
    phrase = sentence[c_start:token.start].strip(" ")[-20:]
    if any(h[4] == "survey" for h in before) and after and after[0][4] == "group":
        return after[0][3] + "满意度", sentence[after[0][0]:after[0][1]], "survey_count"
    chosen = next((h for h in reversed(before) if h[4] in usable), None)
    chosen = chosen or next((h for h in after if h[4] == "subject"), None)
    if chosen is None and earlier and not phrase.strip(FILLER):
        chosen = earlier[-1]
    if chosen is None:
        return "", phrase, "value"
    start, end, word, name, role = chosen
    if role == "generic":
        group = next((h for h in reversed([h for h in hits if h[1] <= start]) if h[4] in ("group", "subject")), None)
        if group and group[3] + name in linked_subjects():
            return group[3] + name, sentence[group[0]:end], "value"
        return name, sentence[start:end], "value"
    if role == "previous":
        prior = next((h for h in reversed([h for h in hits if h[1] <= start]) if h[4] == "subject"), None)
        return (prior[3] if prior else ""), sentence[start:end], "value"
    return name, sentence[start:end], "value"
