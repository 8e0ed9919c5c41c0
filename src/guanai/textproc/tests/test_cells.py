from datetime import date, datetime
from decimal import Decimal

import pytest

from guanai.textproc.cells import (
    CellValueError,
    clean_phone,
    clean_text,
    match_header,
    parse_cell_date,
    parse_cell_number,
    parse_yes_no,
    split_list_items,
)

MAY_3 = date(2010, 5, 3)


# --- parse_cell_date -----------------------------------------------------------


def test_date_object_passes_through():
    assert parse_cell_date(MAY_3) == MAY_3


def test_datetime_drops_the_time():
    assert parse_cell_date(datetime(2010, 5, 3, 14, 30)) == MAY_3


def test_excel_serial_number():
    assert parse_cell_date(40301) == MAY_3


def test_excel_serial_with_time_fraction():
    assert parse_cell_date(40301.75) == MAY_3


def test_excel_serials_around_the_1900_leap_year_bug():
    assert parse_cell_date(1) == date(1900, 1, 1)
    assert parse_cell_date(59) == date(1900, 2, 28)
    assert parse_cell_date(61) == date(1900, 3, 1)


def test_excel_phantom_29_february_1900_is_refused():
    with pytest.raises(CellValueError, match="1900年2月29日"):
        parse_cell_date(60)


def test_excel_1904_date_system():
    assert parse_cell_date(0, datemode_1904=True) == date(1904, 1, 1)
    assert parse_cell_date(38839, datemode_1904=True) == MAY_3


def test_serial_zero_is_refused():
    with pytest.raises(CellValueError):
        parse_cell_date(0)


def test_yyyymmdd_typed_into_a_number_cell():
    assert parse_cell_date(20100503) == MAY_3


@pytest.mark.parametrize(
    "text",
    ["2010-5-3", "2010/5/3", "2010.5.3", "2010年5月3日", "20100503", "2010-05-03 00:00:00"],
)
def test_text_date_styles(text):
    assert parse_cell_date(text) == MAY_3


def test_text_date_with_fullwidth_digits():
    assert parse_cell_date("２０１０年５月３日") == MAY_3


def test_text_date_with_blanks_and_nbsp():
    assert parse_cell_date(" 2010 - 05 - 03\xa0\u3000") == MAY_3


def test_text_date_with_hao_instead_of_ri():
    assert parse_cell_date("2010年5月3号") == MAY_3


def test_iso_datetime_text():
    assert parse_cell_date("2010-05-03T08:15:00") == MAY_3


def test_impossible_date_message():
    with pytest.raises(CellValueError) as exc:
        parse_cell_date("2010-13-45")
    assert str(exc.value) == "无法识别的日期：2010-13-45"


def test_ambiguous_western_order_is_refused():
    with pytest.raises(CellValueError):
        parse_cell_date("5/3/2010")


def test_blank_date_is_refused():
    with pytest.raises(CellValueError, match="日期为空"):
        parse_cell_date("  ")


def test_cell_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_cell_date("明天")


# --- clean_text --------------------------------------------------------------


def test_clean_text_none_is_empty():
    assert clean_text(None) == ""


def test_clean_text_whole_float_loses_point_zero():
    assert clean_text(3.0) == "3"
    assert clean_text(Decimal("3.00")) == "3"


def test_clean_text_keeps_real_fractions():
    assert clean_text(3.5) == "3.5"


def test_clean_text_strips_fullwidth_and_nonbreaking_spaces():
    assert clean_text("\u3000 张三\xa0 ") == "张三"


def test_clean_text_removes_zero_width_marks():
    assert clean_text("\u200b李四\ufeff") == "李四"


def test_clean_text_folds_digits_and_letters_but_not_chinese_punctuation():
    assert clean_text("ＡＢＣ１２３，（一）") == "ABC123，（一）"


def test_clean_text_date_cell():
    assert clean_text(datetime(2010, 5, 3)) == "2010-05-03"


# --- clean_phone -------------------------------------------------------------


def test_phone_mobile_number_cell():
    assert clean_phone(13800138000) == "13800138000"


def test_phone_mobile_float_cell():
    assert clean_phone(13800138000.0) == "13800138000"


def test_phone_with_spaces_and_dashes():
    assert clean_phone("138 0013-8000") == "13800138000"


def test_phone_with_fullwidth_digits():
    assert clean_phone("１３８００１３８０００") == "13800138000"


def test_phone_landline_keeps_leading_zero():
    assert clean_phone("010-87654321") == "01087654321"
    assert clean_phone("（0755）12345678") == "075512345678"


def test_phone_landline_number_cell_gets_its_zero_back():
    assert clean_phone(1087654321) == "01087654321"
    assert clean_phone(75512345678) == "075512345678"


def test_phone_local_number_without_area_code():
    assert clean_phone("8765432") == "8765432"


def test_phone_country_code_is_dropped():
    assert clean_phone("+86 138 0013 8000") == "13800138000"


def test_phone_service_number():
    assert clean_phone("400-800-1234") == "4008001234"


def test_phone_blank_cell_is_empty():
    assert clean_phone(None) == ""
    assert clean_phone("  ") == ""


def test_phone_mobile_missing_a_digit():
    with pytest.raises(CellValueError, match="11位"):
        clean_phone("1380013800")


def test_phone_too_short():
    with pytest.raises(CellValueError, match="7到12位"):
        clean_phone("12345")


def test_phone_two_numbers_in_one_cell():
    with pytest.raises(CellValueError, match="一个电话号码"):
        clean_phone("13800138000/13900139000")


def test_phone_with_extension_text():
    with pytest.raises(CellValueError, match="“转”"):
        clean_phone("010-87654321转8")


# --- parse_yes_no ------------------------------------------------------------


@pytest.mark.parametrize("value", ["是", "有", "Y", "y", "√", "1", 1, 1.0, True, "Ｙ"])
def test_yes_values(value):
    assert parse_yes_no(value) is True


@pytest.mark.parametrize("value", ["否", "无", "N", "n", "×", "0", 0, False])
def test_no_values(value):
    assert parse_yes_no(value) is False


@pytest.mark.parametrize("value", [None, "", "  ", "\u3000"])
def test_blank_is_none(value):
    assert parse_yes_no(value) is None


def test_slash_for_not_applicable_is_none():
    assert parse_yes_no("/") is None


def test_unrecognised_yes_no():
    with pytest.raises(CellValueError, match="可能"):
        parse_yes_no("可能")


# --- match_header ------------------------------------------------------------

SYNONYMS = {
    "id_number": ["身份证号", "公民身份号码", "身份证号码", "身份证"],
    "name": ["姓名"],
    "birth_date": ["出生日期"],
    "guardian": ["监护人"],
    "father": ["监护人(父亲)"],
}


def test_header_exact_synonym():
    assert match_header("公民身份号码", SYNONYMS) == "id_number"


def test_header_required_note_is_ignored():
    assert match_header("身份证号码（必填）", SYNONYMS) == "id_number"


def test_header_star_mark_is_ignored():
    assert match_header("*姓名", SYNONYMS) == "name"


def test_header_line_break_inside_is_ignored():
    assert match_header("出生\n日期", SYNONYMS) == "birth_date"


def test_header_blanks_and_colon_are_ignored():
    assert match_header("  身份证号： ", SYNONYMS) == "id_number"


def test_header_format_note_is_ignored():
    assert match_header("出生日期(格式:2010-01-01)", SYNONYMS) == "birth_date"


def test_header_square_bracket_note_is_ignored():
    assert match_header("【必填】身份证", SYNONYMS) == "id_number"


def test_header_bracketed_synonym_wins_over_stripped_note():
    assert match_header("监护人（父亲）", SYNONYMS) == "father"
    assert match_header("监护人（必填）", SYNONYMS) == "guardian"


def test_header_field_name_itself_matches():
    assert match_header("ID_NUMBER", SYNONYMS) == "id_number"


def test_unknown_or_empty_header():
    assert match_header("序号", SYNONYMS) is None
    assert match_header("", SYNONYMS) is None
    assert match_header(None, SYNONYMS) is None


@pytest.mark.parametrize("value,expected", [
    ("12", Decimal(12)), (" 1,200 ", Decimal(1200)), ("１２", Decimal(12)), ("12.50", Decimal("12.50")),
    ("-3", Decimal(-3)), (7, Decimal(7)), (2.5, Decimal("2.5")), ("", None), ("/", None), (None, None),
])
def test_parse_cell_number(value, expected):
    assert parse_cell_number(value) == expected


@pytest.mark.parametrize("value", ["十二", "12次", "1.2.3", "1,2345", True, "abc"])
def test_parse_cell_number_refuses_words_and_units(value):
    with pytest.raises(CellValueError):
        parse_cell_number(value)


def test_split_list_items_takes_numbers_off():
    text = "1.牵头做好关爱工作；2、指导儿童主任\n（3）落实政策。\n① 第四项\n一、第五项\n\n"
    assert split_list_items(text) == ["牵头做好关爱工作", "指导儿童主任", "落实政策", "第四项", "第五项"]
    assert split_list_items("健康体检;心理服务") == ["健康体检", "心理服务"]
    assert split_list_items(None) == [] and split_list_items("  ") == []
