"""The word catalogue: both languages for every key, pages as a reader finds them, the language chosen
from the locale and from the browser."""

import pytest

from pipeline.reconcile.findings import KINDS, VERDICTS
from pipeline.words import catalogue, lang_from_accept, lang_from_env, page_label, words


def test_every_verdict_and_kind_has_plain_words_in_both_languages():
    zh, en = words("zh"), words("en")
    for code in (*VERDICTS, "unreadable"):
        assert zh.verdict(code) != code and en.has(f"verdict.{code}") and en.has(f"verdict.{code}.help")
    for code in KINDS:
        assert zh.kind(code) != code and en.has(f"kind.{code}") and en.has(f"kind.{code}.help")
    assert words("zh").verdict("mismatch") == "不一致"
    assert words("zh").kind("per_school_average") == "校均"
    assert words("en").verdict("other_year_match") == "matches another year"


def test_page_labels_name_the_printed_page_first():
    assert page_label(51, "46") == "第46页（PDF第51页）"
    assert page_label(51, "46", "en") == "p.46 (PDF p.51)"
    assert page_label(3, None) == "PDF第3页"
    assert page_label(None) == ""


@pytest.mark.parametrize(("environ", "lang"), [
    ({"LANG": "en_US.UTF-8"}, "en"), ({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "C.UTF-8"}, "zh"),
    ({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"), ({"LANGUAGE": "fr:en", "LANG": "zh_CN"}, "en"),
    ({}, "zh")])
def test_the_cli_language_follows_the_locale_as_gettext_reads_it(environ, lang):
    assert lang_from_env(environ) == lang


def test_the_app_language_follows_accept_language():
    assert lang_from_accept("en-US,en;q=0.9,zh;q=0.8") == "en"
    assert lang_from_accept("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert lang_from_accept("fr-FR,en;q=0.5,zh;q=0.7") == "zh"
    assert lang_from_accept(None) == "zh"


def test_the_catalogue_has_no_message_in_one_language_only():
    for key, texts in catalogue().items():
        assert texts["zh"].strip() and texts["en"].strip(), key
