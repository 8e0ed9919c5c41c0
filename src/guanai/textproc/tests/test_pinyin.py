import pytest

from guanai.textproc.pinyin import is_pinyin_query, normalize_query, pinyin_keys


def test_plain_name():
    assert pinyin_keys("张三") == ("zhangsan", "zs")


def test_u_umlaut_is_written_v():
    assert pinyin_keys("吕小明") == ("lvxiaoming", "lxm")


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("单田芳", ("shantianfang", "stf")),
        ("曾国藩", ("zengguofan", "zgf")),
        ("解缙", ("xiejin", "xj")),
        ("仇英", ("qiuying", "qy")),
        ("朴槿惠", ("piaojinhui", "pjh")),
        ("查良镛", ("zhaliangyong", "zly")),
        ("区志强", ("ouzhiqiang", "ozq")),
        ("乐嘉", ("yuejia", "yj")),
        ("覃小红", ("qinxiaohong", "qxh")),
        ("翟天临", ("zhaitianlin", "ztl")),
    ],
)
def test_polyphonic_surname_uses_surname_reading(name, keys):
    assert pinyin_keys(name) == keys


def test_surname_table_only_applies_to_the_first_character():
    # 单 inside a given name keeps its everyday reading.
    assert pinyin_keys("王单")[0] == "wangdan"


def test_compound_surname_yuchi():
    assert pinyin_keys("尉迟恭") == ("yuchigong", "ycg")


def test_single_surname_wei():
    assert pinyin_keys("尉缭") == ("weiliao", "wl")


def test_minority_name_middle_dot_is_dropped():
    assert pinyin_keys("阿依古丽·买买提") == ("ayigulimaimaiti", "ayglmmt")


def test_blanks_inside_a_name_are_dropped():
    assert pinyin_keys(" 王 小二\u3000") == ("wangxiaoer", "wxe")


def test_ascii_letters_in_a_name_are_kept():
    assert pinyin_keys("李Tom") == ("litom", "lt")


def test_empty_name():
    assert pinyin_keys("") == ("", "")


def test_normalize_query_folds_fullwidth_case_and_spaces():
    assert normalize_query(" ＺＨＡＮＧ　san ") == "zhangsan"
    assert normalize_query("张 三") == "张三"


@pytest.mark.parametrize("q", ["zhangsan", "zs", " ZS ", "ｚｓ"])
def test_pinyin_queries(q):
    assert is_pinyin_query(q)


@pytest.mark.parametrize("q", ["张三", "zs3", "", "   ", "zhang三"])
def test_non_pinyin_queries(q):
    assert not is_pinyin_query(q)
