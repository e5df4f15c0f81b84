"""Stage 3: tables across page breaks on real PDFs of ../shared/corpus/foreign — joined only when they are
one table, with a cell the break cuts kept as one cell. Values read off the rendered pages."""

import pytest
from conftest import extract_all

PERFORMANCE_FORMS = "zxj6827111-blip__tianbaoxitong/1770007475548-818404804.pdf"
HONGZE_2023 = "zxj6827111-blip__KIROGOVCOMPARE/hzq2023_working.pdf"
HUAIAN_2024 = "zxj6827111-blip__govnianbao/szfgs2024.pdf"


def _extracted(corpus, name):
    path = corpus / name
    if not path.exists():
        pytest.skip(f"{name} not in the corpus")
    return extract_all(path)


@pytest.fixture(scope="module")
def forms(corpus):
    return _extracted(corpus, PERFORMANCE_FORMS)


@pytest.fixture(scope="module")
def hongze(corpus):
    return _extracted(corpus, HONGZE_2023)


@pytest.fixture(scope="module")
def huaian(corpus):
    return _extracted(corpus, HUAIAN_2024)


def _squashed(t):
    return [[x.replace(" ", "") for x in row] for row in t.grid()]


def _applications_table(got):
    return next(t for t in got.tables.tables if any(c.text == "三、本年度办理结果" for c in t.cells))


def test_forms_that_open_with_their_own_title_are_not_joined(forms):
    tables = [t for t in forms.tables.tables if t.pages[0] >= 31]
    assert [t.pages for t in tables] == [[31], [32], [33], [34], [35]]
    names = []
    for t in tables:
        rows = _squashed(t)
        assert rows[0][0] == "财政项目支出绩效目标填报表" and t.cell_at(0, 0).colspan == 8
        names.append(rows[2][2])
    assert names == ["新建万里街道社区公共服务中心", "就业援助基地补贴", "社区环境整治和建设经费", "各类工作经费", "公共服务设施运行经费"]
    funds = [x for i, x in enumerate(_squashed(tables[1])[5]) if i == 0 or x != _squashed(tables[1])[5][i - 1]]
    assert funds == ["项目资金（元）", "项目资金总额", "6,351,000.00", "年度资金申请总额", "6,351,000.00"]


def test_budget_tables_over_four_pages_are_still_joined(forms):
    income = next(t for t in forms.tables.tables if t.caption == "2023年部门收入预算总表")
    assert income.pages == [11, 12, 13, 14]


def test_row_label_merged_across_the_break_is_one_cell_with_both_parts(hongze):
    t = _applications_table(hongze)
    assert t.pages == [3, 4]
    label = next(c for c in t.cells if c.text == "三、本年度办理结果")
    assert label.rowspan == 20  # （一）予以公开 on page 3 … （七）总计 on page 4
    assert [page for page, _ in label.parts] == [3, 4] and (label.page, label.bbox) == label.parts[0]
    assert label.parts[1][1][1] < 100  # the second part opens page 4
    unable = next(c for c in t.cells if c.text == "（四）无法提供")
    assert unable.rowspan == 3 and [page for page, _ in unable.parts] == [3, 4]
    rows = _squashed(t)
    assert rows[unable.row + 2][:3] == ["三、本年度办理结果", "（四）无法提供", "3.补正后申请内容仍不明确"]
    assert rows[label.row + label.rowspan - 1] == ["三、本年度办理结果", "（七）总计", "（七）总计", "21", "0", "0", "0", "0", "0", "21"]
    assert sum(1 for c in t.cells if c.col == 0 and c.page == 4 and not c.parts) == 1  # 四、结转下年度继续办理 only


def test_label_text_cut_by_the_break_is_joined(huaian):
    t = _applications_table(huaian)
    assert t.pages == [4, 5]
    unable = next(c for c in t.cells if c.text == "（四）无法提供")  # printed "（四）无" | "法提供"
    assert unable.rowspan == 3 and [page for page, _ in unable.parts] == [4, 5]
    label = next(c for c in t.cells if c.text == "三、本年度办理结果")
    assert label.rowspan == 22
    rows = _squashed(t)
    assert rows[unable.row + 2][2:] == ["3.补正后申请内容仍不明确", "1", "0", "0", "0", "0", "0", "1"]
    assert rows[label.row + label.rowspan - 1][1:] == ["（七）总计", "（七）总计", "2932", "53", "0", "0", "61", "4", "3050"]
