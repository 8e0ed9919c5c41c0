"""Behaviour of normalize_document on text copied from web pages."""

import re

import pytest

from guanai.textproc.normalize import normalize_document, normalize_with_log, pinyin_key


# --- traditional, full-width ----------------------------------------------


def test_traditional_becomes_simplified():
    assert normalize_document("關愛兒童，發展後來") == "关爱儿童，发展后来"


def test_fullwidth_digits_and_letters_fold_but_chinese_punctuation_stays():
    assert normalize_document("共３４７１１人，（一）ＡＢ：") == "共34711人，（一）AB："


# --- pinyin annotations ----------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("關(guān)愛(ài)兒童", "关爱儿童"),
        ("留(liú)守(shǒu)", "留守"),
        ("留（liú）守（shǒu）儿童", "留守儿童"),  # full-width parentheses
        ("留(liu2)守(shou3)儿童", "留守儿童"),  # tone numbers
        ("留（ｌｉｕ２）守儿童", "留守儿童"),  # full-width letters and digit
        ("绿(lǜ)化", "绿化"),
        ("绿(lü4)化", "绿化"),
        ("我的(de)家", "我的家"),  # neutral tone, no mark
    ],
)
def test_pinyin_annotation_after_a_character_is_removed(raw, expected):
    assert normalize_document(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(guān)愛兒童", "关爱儿童"),  # lost at the start
        ("关□(ài)儿童", "关爱儿童"),  # a box in its place
        ("留?(shǒu)儿童", "留守儿童"),  # a question mark in its place
        ("留\ufffd(shǒu)儿童", "留守儿童"),  # a replacement character
        ("關(guān)(ài)兒童", "关爱儿童"),  # nothing left between two annotations
        ("慰问，(liú)守儿童", "慰问，留守儿童"),  # after punctuation
    ],
)
def test_lost_character_is_recovered_from_pinyin_and_neighbours(raw, expected):
    assert normalize_document(raw) == expected


def test_unrecoverable_lost_character_keeps_the_text_and_drops_the_annotation():
    assert normalize_document("□(gāo)") == "□"
    # Never a ? left next to a Chinese character: the annotation fits no word, dropped.
    assert normalize_document("共?(zhuǎ)") == "共"


# --- lost characters with only their pinyin left (issue 17) -----------------


@pytest.mark.parametrize(
    ("raw", "expected", "restored"),
    [
        ("关?ài)留守儿童", "关爱留守儿童", ["爱"]),  # character and "(" lost together
        ("?fā)展经济", "发展经济", ["发"]),  # at the start of the text
        ("。？jìn)一步做好", "。进一步做好", ["进"]),  # full-width mark, start of a sentence
        ("要求，?zhā)?shí)推进", "要求，扎实推进", ["扎", "实"]),  # two in a row, one word
        ("县中国农业银?háng)贷款", "县中国农业银行贷款", ["行"]),  # polyphonic: 行 read háng
        ("共同关?ài)。", "共同关爱。", ["爱"]),  # before punctuation
        ("關guān)愛ài)兒童", "关爱儿童", []),  # only the opening parentheses lost
    ],
)
def test_lost_character_with_pinyin_left_is_restored(raw, expected, restored):
    text, log = normalize_with_log(raw)
    assert text == expected
    assert [e.char for e in log if e.action == "restored"] == restored


def test_annotation_that_fits_no_word_is_dropped_and_logged():
    text, log = normalize_with_log("书包600?gè)。共计?xiǎng)，")
    assert text == "书包600。共计，"
    assert [(e.action, e.pinyin) for e in log] == [("dropped", "gè"), ("dropped", "xiǎng")]
    assert "书包600" in log[0].context


def test_stray_question_mark_inside_a_word_is_dropped_but_a_question_stays():
    text, log = normalize_with_log("监护?能力较弱。下一步怎么办?我们要想办法。")
    assert text == "监护能力较弱。下一步怎么办?我们要想办法。"
    assert [(e.action, e.pinyin, e.char) for e in log] == [("dropped", "", "")]
    assert normalize_document("有哪些要求？有三条。") == "有哪些要求？有三条。"


def test_no_question_mark_or_bare_pinyin_left_next_to_chinese():
    raw = "?guān)爱儿童?，关?ài)、县?xiàn)里"
    text = normalize_document(raw)
    assert not re.search(r"[\u4e00-\u9fff][?？]|[?？][\u4e00-\u9fff]", text)
    assert not re.search(r"[a-zāáǎàēéěèīíǐìōóǒòūúǔùü]+[)）]", text)


@pytest.mark.parametrize(
    "text",
    [
        "(一)基本情况",
        "（二）工作措施",
        "三关爱活动总结(范文五篇)",
        "(原标题:关爱留守儿童)",
        "(朱子斌 徐明泽)",
        "(2019年)",
        "乡镇(街道)、村(社区)",
        "情况(a)说明",  # a toneless syllable that is not the character's reading
        "见附件(abc)",
        "COVID(ān)",  # not after a Chinese character
    ],
)
def test_genuine_parentheses_stay(text):
    assert normalize_document(text) == text


def test_pinyin_key_reads_marks_and_numbers():
    assert pinyin_key("guān") == "guan1"
    assert pinyin_key("GUAN1") == "guan1"
    assert pinyin_key("lǜ") == "lv4"
    assert pinyin_key("de5") == "de"
    assert pinyin_key("xyz") is None


# --- backquotes, masking, broken separators ---------------------------------


def test_stray_backquotes_inside_words_are_removed():
    assert normalize_document("关`爱`儿童") == "关爱儿童"
    assert normalize_document("解决工作过程中的`重大问题。") == "解决工作过程中的重大问题。"


def test_masking_marks_are_removed():
    assert normalize_document("消除“谈艾\\*变”的恐惧心理") == "消除“谈艾变”的恐惧心理"
    assert normalize_document("老\\*营社区") == "老营社区"
    assert normalize_document("村民张**反映") == "村民张反映"


def test_box_between_two_sentences_becomes_a_full_stop():
    raw = "维修破损的桥涵5座□xxx村三社投资9.41万元的电力设施建设任务已上报。"
    assert normalize_document(raw) == "维修破损的桥涵5座。xxx村三社投资9.41万元的电力设施建设任务已上报。"


def test_box_after_a_short_lead_in_becomes_a_comma():
    assert normalize_document("今年以来□全镇共慰问留守儿童") == "今年以来，全镇共慰问留守儿童"


def test_box_next_to_punctuation_or_line_end_is_removed():
    assert normalize_document("慰问老人。□走访儿童□\n完成任务") == "慰问老人。走访儿童\n完成任务"


# --- whitespace ------------------------------------------------------------


def test_blank_line_runs_collapse_and_paragraphs_stay():
    raw = "\n\n第一段  \n\n\n\n第二段\t\n第二段续\n\n\n"
    assert normalize_document(raw) == "第一段\n\n第二段\n第二段续"


def test_web_debris_is_cleaned():
    assert normalize_document("关\u200b爱\u00a0儿童\r\n") == "关爱 儿童"
