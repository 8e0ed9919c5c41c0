"""The sample web copy (samples/): normalising it gives back the text it was
made from, says what it guessed, and its facts are the ones written into it."""

import re
from collections import Counter
from dataclasses import asdict

import pytest

from guanai.textproc.facts import extract_facts
from guanai.textproc.normalize import normalize_document, normalize_with_log
from guanai.textproc.tests import samples
from guanai.textproc.tests.samples import build


def test_sample_files_are_what_build_makes():
    web, expected = build.build()
    assert samples.web_copy() == web
    assert samples.expected() == expected


@pytest.fixture(scope="module")
def normalised():
    return normalize_with_log(samples.web_copy())


def test_web_copy_is_really_broken():
    raw = samples.web_copy()
    assert "關(guān)愛(ài)" in raw and "?zā)?shí)" in raw and "`" in raw and "１８６２" in raw


def test_normalising_gives_the_clean_text_back(normalised):
    text, _log = normalised
    assert text == samples.expected()["text"]
    assert text.startswith(samples.TITLE + "\n")
    assert "乡镇(街道)、村(社区)" in text and "(一)摸底排查" in text  # genuine parentheses stay


def test_no_debris_is_left(normalised):
    text, _log = normalised
    han = r"[\u4e00-\u9fff]"
    assert not re.search(f"{han}[?？]|[?？]{han}", text)
    assert not re.search(r"[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\d?[)）]", text)
    assert "`" not in text and "\ue000" not in text


def test_log_lists_each_restored_and_dropped_annotation(normalised):
    _text, log = normalised
    seen = Counter((e.action, e.pinyin, e.char) for e in log)
    wanted = Counter((e["action"], e["pinyin"], e["char"]) for e in samples.expected()["log"])
    assert seen == wanted
    restored = {e.char: e.context for e in log if e.action == "restored"}
    assert "扎实开展" in restored["扎"] and "重点关注" in restored["重"]
    assert all(set(asdict(e)) == {"action", "pinyin", "char", "context"} for e in log)


def test_normalising_twice_changes_nothing(normalised):
    assert normalize_document(normalised[0]) == normalised[0]


def test_facts_written_into_the_text_are_found(normalised):
    facts = extract_facts(normalised[0])
    for wanted in samples.expected_facts():
        matching = [asdict(f) for f in facts if f.span == wanted["span"]]
        assert matching, wanted["span"]
        assert {k: matching[0][k] for k in wanted} == wanted
    assert not [f for f in facts if f.span == "600个"]  # its measure word was lost and dropped


def test_facts_of_the_web_copy_are_those_of_the_clean_text(normalised):
    clean = samples.expected()["text"]
    assert extract_facts(normalised[0]) == extract_facts(clean)
    for fact in extract_facts(clean):
        assert clean[fact.start : fact.end] == fact.span
