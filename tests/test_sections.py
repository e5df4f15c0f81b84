"""Stage 2: the printed 目录 and the body headings."""


def test_chapters_one_to_seven(reference):
    chapters = [(s.number, s.title) for s in reference.sections.sections if s.level == 1 and s.number.isdigit()]
    assert chapters == [
        ("1", "人才培养"), ("2", "服务贡献"), ("3", "文化传承"), ("4", "国际合作"),
        ("5", "产教融合"), ("6", "发展保障"), ("7", "面临挑战"),
    ]


def test_sections_of_chapter_one_with_pages(reference):
    sec = {s.number: s for s in reference.sections.sections}
    assert [sec[n].title for n in ("1.1", "1.2", "1.3", "1.4", "1.5")] == ["基本情况", "立德树人", "教学改革", "师资建设", "学生发展"]
    assert (sec["1"].page_start, sec["1"].page_end) == (7, 23)
    assert (sec["1.3"].page_start, sec["1.3"].page_end, sec["1.3"].printed_start) == (12, 15, "7")
    assert sec["4.3"].title == "服务“一带一路”"
    assert sum(1 for s in reference.sections.sections if s.level == 2) == 24


def test_appendix_headings_and_preface(reference):
    sec = {s.number: s for s in reference.sections.sections}
    assert sec["附表3"].title == "教学资源表" and (sec["附表3"].page_start, sec["附表3"].page_end) == (51, 52)
    assert reference.sections.sections[0].title == "前言"


def test_toc_parsed_with_its_three_lists(reference):
    toc = reference.sections.toc
    assert sum(e.kind == "section" for e in toc) == 38
    assert sum(e.kind == "figure" for e in toc) == 14
    assert sum(e.kind == "case" for e in toc) == 13
    first = next(e for e in toc if e.number == "1.4")
    assert (first.title, first.printed_page, first.page) == ("师资建设", "11", 2)


def test_toc_disagreements_are_warnings(reference):
    messages = [i.message for i in reference.sections.issues]
    # the report's 目录 gives 47/48/49 for 附表4–6, printed on 48/49/50
    assert "目录 gives page 47 for '附表4 服务贡献表', the heading is on printed page 48" in messages
    assert any("图表11" in m and "differs" in m for m in messages)
    assert not any("1.1" in m for m in messages)
