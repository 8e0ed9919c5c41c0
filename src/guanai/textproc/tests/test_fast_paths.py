"""The batch forms importers use answer exactly as the functions they shortcut, on clean input
and on the odd input sheets bring (full-width digits, blanks, lowercase x, numbers as numbers)."""

import random
from datetime import date

import pytest

from guanai.textproc import idcard
from guanai.textproc.pinyin import PinyinKeyCache, pinyin_keys

TODAY = date(2026, 11, 30)


def _slow(raw):
    try:
        parsed = idcard.parse_id_number(raw, today=TODAY)
    except idcard.IdNumberError:
        return None
    return parsed.number, parsed.birth_date


def _number(region: str, born: date, seq: int) -> str:
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + idcard.check_digit(first17)


def test_clean_18_fast_path_equals_parse_id_number_on_random_numbers():
    rng = random.Random(7)
    for _ in range(3000):
        born = date(rng.randint(1930, 2025), rng.randint(1, 12), rng.randint(1, 28))
        number = _number(rng.choice(["110105", "440106", "650102", "990101", "820000"]), born, rng.randint(0, 999))
        assert idcard.parse_clean_18(number, today=TODAY) == _slow(number) == (number, born)
        wrong = number[:17] + ("0" if number[17] != "0" else "1")
        assert idcard.parse_clean_18(wrong, today=TODAY) is None and _slow(wrong) is None


ODD = [
    "11010519491231002X", "11010519491231002x", " 11010519491231002X", "11010519491231002X ",
    "110105 19491231 002X", "11０105194912310025", "１１０１０５１９４９１２３１００２Ｘ", "110105491231002",
    110105491231002, 110105491231002.0, "1.10105194912310E+17", "110105201302300011", "110105203012310016",
    "000105194912310021", "99010519491231002X", "11010518791231002X", "'11010519491231002X",
    "11010519491231002×", "", None, "abc", "1101051949123100", "11010519491231002X1", "11010519491231002Ｘ",
    "\u200b11010519491231002X", True,
]


@pytest.mark.parametrize("raw", ODD)
def test_clean_18_fast_path_never_disagrees_on_odd_input(raw):
    fast = idcard.parse_clean_18(raw, today=TODAY)
    if fast is not None:
        assert fast == _slow(raw)
    # What the fast path leaves, the slow path decides; a number the slow path keeps exactly
    # as written (clean already) is always answered by the fast path.
    slow = _slow(raw)
    if slow is not None and slow[0] == raw:
        assert fast == slow


@pytest.mark.parametrize("raw", [r for r in ODD if isinstance(r, str)] + ["11010519491231002X"])
def test_mask_fast_path_equals_the_general_mask(raw):
    # A leading blank sends the same text through the general path, which strips it.
    assert idcard.mask_id_number(raw) == idcard.mask_id_number("\u3000" + raw if raw else raw)


def test_pinyin_key_cache_equals_pinyin_keys():
    surnames = "王李张刘陈曾单乐解区查朴仇尉长覃翟万欧阳尉迟令狐"
    given = "伟芳子轩欣怡长青重庆银行乐乐朝阳单于行长曾经和平一诺思远佳琪雨泽俊熙𠀾a"
    rng = random.Random(11)
    cache = PinyinKeyCache()
    names = {"尉迟恭", "令狐冲", "单雄信", "曾国藩", "解缙", "长孙无忌", "张三", "王长青", "李重庆", "乐乐"}
    for _ in range(4000):
        names.add(rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.randint(1, 3))))
    for name in sorted(names):
        assert cache(name) == pinyin_keys(name), name
        assert cache(name) == pinyin_keys(name), name  # the remembered answer too


@pytest.mark.parametrize("name", [
    "", " ", "张 三", "张三 ", "ＺＨＡＮＧ三", "Ｚhang", "阿依古丽·买买提", "买买提•艾力", "李a", "王2", "〇", "张〇",
    "𠀾", "吕小绿", "女", "张三丰李四光王五", "ｌｉ", "Li Lei", "李\u200b雷", "曾", "单", "尉迟", "重重",
])
def test_pinyin_key_cache_equals_pinyin_keys_on_odd_names(name):
    cache = PinyinKeyCache(max_names=3)
    assert cache(name) == pinyin_keys(name)
    assert cache(name) == pinyin_keys(name)
