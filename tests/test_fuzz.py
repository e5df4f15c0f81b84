"""Seeded fuzzing of the reference report: a few dozen damaged copies (truncations, byte flips, xref
damage — offsets shifted, scrambled, zeroed —, page-tree loops and repeated kids, resource deletions,
rotations, bombs), each ending as the README promises — results, partial
results with warnings, or a clear error naming the file and stage — and, where the damage leaves the
appendix pages intact, with all 246 appendix rows.

The pages → indicators stages run (the stages damage can reach); the mutants are the same on every
run (one seed), so a failure names a mutant that can be built again with tests/damage.py.
"""

from __future__ import annotations

import random

import damage
import pytest
from conftest import REFERENCE, extract_all

from pipeline.errors import ReportError

SEED = 20241
APPENDIX = set(range(49, 56))
BODY = list(range(1, 49))


def _mutants() -> list[tuple[str, object, bool]]:
    """(name, builder of dst, whether the appendix pages stay intact)."""
    rng = random.Random(SEED)
    out: list[tuple[str, object, bool]] = []
    for share in sorted(rng.uniform(0.05, 0.995) for _ in range(5)):
        out.append((f"truncated-{share:.3f}", lambda dst, s=share: damage.truncated(REFERENCE, dst, s), False))
    for _ in range(8):
        count, seed = rng.choice((1, 3, 10, 40)), rng.randrange(10**6)
        out.append((f"flipped-{count}-{seed}", lambda dst, c=count, s=seed: damage.flipped_bytes(REFERENCE, dst, c, s), False))
    for shift in (rng.randrange(1, 40), -rng.randrange(1, 40)):
        out.append((f"xref-shifted-{shift}", lambda dst, s=shift: damage.shifted_xref(REFERENCE, dst, s), True))
    out.append(("xref-overwritten", lambda dst: damage.overwritten_xref(REFERENCE, dst), True))
    out.append(("cut-in-trailer", lambda dst: damage.cut_in_trailer(REFERENCE, dst), True))
    at = rng.randrange(1, 50), rng.randrange(1, 50)
    out.append((f"dangling-kid-{at[0]}", lambda dst: damage.dangling_kid(REFERENCE, dst, at[0]), True))
    out.append((f"stray-integer-kid-{at[1]}", lambda dst: damage.stray_integer_kid(REFERENCE, dst, at[1]), True))
    for page in rng.sample(BODY, 2):
        out.append((f"no-fonts-p{page}", lambda dst, p=page: damage.without_fonts(REFERENCE, dst, [p]), True))
        out.append((f"flipped-box-p{page}", lambda dst, p=page: damage.flipped_mediabox(REFERENCE, dst, p), True))
    bare = rng.choice(BODY)
    out.append((f"no-resources-p{bare}", lambda dst: damage.without_resources(REFERENCE, dst, [bare]), True))
    for angle in (90, 180, 270):
        pages = sorted(rng.sample(range(1, 56), 6))
        out.append((f"rotated-{angle}-{pages}", lambda dst, a=angle, p=pages: damage.rotated(REFERENCE, dst, p, a), True))
    turned, moved = sorted(rng.sample(range(1, 56), 4)), sorted(rng.sample(range(1, 56), 8))
    out.append((f"drawn-rotated-{turned}", lambda dst: damage.drawn_rotated(REFERENCE, dst, turned), True))
    out.append(("cut-font-programs", lambda dst: damage.cut_font_programs(REFERENCE, dst), True))
    out.append((f"negative-mediabox-{moved}", lambda dst: damage.negative_mediabox(REFERENCE, dst, moved), True))
    bombed = rng.choice(BODY), rng.choice(BODY)
    out.append((f"image-bomb-p{bombed[0]}", lambda dst: damage.image_bomb_on(REFERENCE, dst, bombed[0]), True))
    out.append((f"content-bomb-p{bombed[1]}", lambda dst: damage.content_bomb_on(REFERENCE, dst, bombed[1], 100), True))
    # damage qpdf cannot repair (no /Root found) or refuses (a loop), and a page listed twice: PDFium's copy, or the
    # page list rebuilt from the page objects, keeps every page once
    out.append(("xref-zeroed", lambda dst: damage.zeroed_xref(REFERENCE, dst), True))
    scrambled = rng.randrange(10**6)
    out.append((f"xref-scrambled-{scrambled}", lambda dst: damage.scrambled_xref(REFERENCE, dst, scrambled), True))
    looped, repeated = rng.randrange(1, 45), (rng.randrange(1, 55), rng.randrange(1, 56))
    out.append((f"page-tree-loop-{looped}", lambda dst: damage.page_tree_loop(REFERENCE, dst, looped), True))
    out.append((f"page-tree-loop-below-{looped}", lambda dst: damage.page_tree_loop(REFERENCE, dst, looped, depth=1), True))
    out.append((f"repeated-kid-{repeated[0]}-p{repeated[1]}",
                lambda dst: damage.repeated_kid(REFERENCE, dst, *repeated), True))
    return out


MUTANTS = _mutants()


@pytest.mark.parametrize("name, build, intact", MUTANTS, ids=[m[0] for m in MUTANTS])
def test_mutant_ends_as_promised(tmp_path, name, build, intact):
    pdf = build(tmp_path / f"{name}.pdf")
    try:
        extracted = extract_all(pdf)
    except ReportError as exc:  # the clear error: stage, file and reason, never a traceback
        assert not intact, f"{name}: {exc}"
        assert exc.stage == "pages" and exc.path == str(pdf) and exc.message
        return
    doc = extracted.doc
    assert doc.page_count == len(doc.pages) > 0
    assert [p.number for p in doc.pages] == list(range(1, doc.page_count + 1))
    missing = [i for i in doc.issues + extracted.indicators.issues if i.level == "missing"]
    lost = [p.number for p in doc.pages if p.damage]
    assert all(any(i.page == n for i in missing) for n in lost), "every page that lost content says so"
    if intact:
        assert len(extracted.indicators.frame) == 246, (name, [i.message for i in missing])
