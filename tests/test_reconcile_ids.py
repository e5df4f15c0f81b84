"""Finding ids survive edits elsewhere: a claim added earlier in the text, or one more number found in a
sentence, leaves every other finding's id (and so its row in review.csv) as it was."""

from __future__ import annotations

import pdfs
from conftest import extract_all

from pipeline import claims as claims_stage
from pipeline.claims import extract_claims
from pipeline.reconcile import reconcile

PARAGRAPHS = [
    "2024年，专业教师共 413 人，其中“双师型”教师 334 人，占比 80.9%。",
    "学生斩获37项荣誉，包括一等奖12人次，二等奖12人次，三等奖13人次。",
    "直接就业学生中，73.3%进入中小微企业就业，17%进入大型企业就业，9.7%进入其他单位就业。",
    "该校完成了《灯下故梦》与《梦入中话》两款游戏策划，获奖5项，其中一等奖2项、二等奖3项。",
    "该校重点发展智能制造、数字商贸、现代服务3个专业群。",
]
EARLIER = "2023年，全区共有教师 900 人，其中专任教师 800 人、兼职教师 100 人。"


def _findings(path) -> dict[str, tuple]:
    got = extract_all(path)
    claims = extract_claims(got.doc, got.sections, got.tables, got.cases)
    found = reconcile(claims, got.indicators, got.tables).findings
    return {f.finding_id: (f.kind, f.claim_value, f.verdict, f.claim_id) for f in found}


def test_a_claim_added_earlier_keeps_every_other_id(tmp_path):
    before = _findings(pdfs.narrative(tmp_path / "before.pdf", PARAGRAPHS))
    after = _findings(pdfs.narrative(tmp_path / "after.pdf", [EARLIER, *PARAGRAPHS]))
    assert len(before) == 7  # 80.9% (its cell, absent here, and 334 ÷ 413); sums of 37, 5 and the shares; 两款, 3个
    assert len(after) == len(before) + 2  # the new sentence: 900 = 800 + 100, and 专任教师 800 (no table here)
    for fid, (kind, value, verdict, _claim_id) in before.items():
        assert fid in after, (kind, value)
        assert after[fid][:3] == (kind, value, verdict)
    moved = [fid for fid in before if before[fid][3] != after[fid][3]]
    assert moved, "the claims' own ids (p001-NN) did shift"


def test_one_more_number_in_a_sentence_keeps_the_other_ids(tmp_path, monkeypatch):
    path = pdfs.narrative(tmp_path / "report.pdf", PARAGRAPHS)
    full = _findings(path)
    tokenize = claims_stage.find_numbers

    def without_kuan(text):  # a tokenizer that does not know the measure word 款
        return [t for t in tokenize(text) if not t.raw.endswith("款")]

    monkeypatch.setattr(claims_stage, "find_numbers", without_kuan)
    fewer = _findings(path)
    assert set(fewer) < set(full)
    assert [full[fid][:2] for fid in set(full) - set(fewer)] == [("count", "两款")]
    assert all(fewer[fid][:3] == full[fid][:3] for fid in fewer)


def test_an_edit_inside_one_sentence_keeps_the_ids_of_the_others(tmp_path):
    before = _findings(pdfs.narrative(tmp_path / "before.pdf", PARAGRAPHS))
    edited = PARAGRAPHS[:4] + ["该校重点发展智能制造、数字商贸、现代服务3个专业群，新增专业2个。"]
    after = _findings(pdfs.narrative(tmp_path / "after.pdf", edited))
    assert set(before) <= set(after)
