from datetime import date, datetime

import pytest

from guanai.textproc.idcard import (
    IdNumber,
    IdNumberError,
    age_on,
    check_digit,
    cross_check,
    mask_id_number,
    parse_id_number,
)

TODAY = date(2024, 6, 1)
# The two examples published in GB 11643-1999.
EXAMPLE_X = "11010519491231002X"
EXAMPLE_1880 = "440524188001010014"


def parse(raw):
    return parse_id_number(raw, today=TODAY)


def error_of(raw) -> str:
    with pytest.raises(IdNumberError) as exc:
        parse(raw)
    return str(exc.value)


# --- the standard's examples -------------------------------------------------


def test_standard_example_with_x():
    assert parse(EXAMPLE_X) == IdNumber(
        number=EXAMPLE_X, birth_date=date(1949, 12, 31), sex="女", region_code="110105"
    )


def test_standard_example_born_1880_is_accepted():
    idn = parse(EXAMPLE_1880)
    assert idn.birth_date == date(1880, 1, 1)
    assert idn.sex == "男"
    assert idn.region_code == "440524"


def test_check_digit_of_standard_examples():
    assert check_digit(EXAMPLE_X[:17]) == "X"
    assert check_digit(EXAMPLE_1880[:17]) == "4"


def test_check_digit_needs_17_digits():
    with pytest.raises(IdNumberError):
        check_digit("1101051949123100")


def test_parse_result_is_frozen():
    idn = parse(EXAMPLE_X)
    with pytest.raises(AttributeError):
        idn.number = EXAMPLE_1880


# --- tolerant input ----------------------------------------------------------


def test_lowercase_x_is_uppercased():
    assert parse("11010519491231002x").number == EXAMPLE_X


def test_spaces_and_trailing_blanks_are_ignored():
    assert parse(" 110105 19491231 002X\u3000\xa0\t").number == EXAMPLE_X


def test_fullwidth_digits_are_folded():
    assert parse("１１０１０５１９４９１２３１００２Ｘ").number == EXAMPLE_X


def test_excel_text_apostrophe_is_ignored():
    assert parse("'11010519491231002X").number == EXAMPLE_X


def test_dashes_between_groups_are_ignored():
    assert parse("110105-19491231-002X").number == EXAMPLE_X


def test_multiplication_sign_typed_for_x():
    assert parse("11010519491231002×").number == EXAMPLE_X


def test_int_from_a_number_cell():
    assert parse(440524188001010014).number == EXAMPLE_1880


# --- 15-digit legacy numbers -------------------------------------------------


def test_15_digit_number_is_upgraded():
    idn = parse("110105491231002")
    assert idn.number == EXAMPLE_X
    assert idn.birth_date == date(1949, 12, 31)


def test_15_digit_number_as_int_or_float_is_upgraded():
    # 15 digits fit in Excel's 15 significant digits, so nothing was lost.
    assert parse(110105491231002).number == EXAMPLE_X
    assert parse(110105491231002.0).number == EXAMPLE_X


# --- numbers Excel has damaged -----------------------------------------------


def test_float_from_excel_lost_digits():
    message = error_of(1.10105194912310e17)
    assert "丢失" in message
    assert "文本" in message


def test_scientific_notation_text_lost_digits():
    assert "丢失" in error_of("1.10105E+17")


# --- altered numbers ---------------------------------------------------------


def test_one_digit_changed_fails_check_digit():
    # 002 → 003 in the sequence code; the check digit still says X.
    assert error_of("11010519491231003X").startswith("身份证号码校验位错误：应为8，实为X")


def test_wrong_check_digit():
    assert error_of("110105194912310025").startswith("身份证号码校验位错误：应为X，实为5")


def test_17_digits():
    assert error_of("11010519491231002") == "身份证号码应为18位，实为17位"


def test_19_digits():
    assert error_of("1101051949123100201") == "身份证号码应为18位，实为19位"


def test_letters_inside():
    assert "“A”" in error_of("1101051949123A002X")


def test_x_not_at_the_end():
    assert "“X”" in error_of("1101051949123X0021")


def test_invalid_month_in_birth_date():
    assert error_of("110105194913310025") == "身份证号码中的出生日期无效：19491331"


def test_29_february_in_a_leap_year_only():
    assert parse("11010520080229002X").birth_date == date(2008, 2, 29)
    assert error_of("110105200702290022") == "身份证号码中的出生日期无效：20070229"


def test_birth_date_in_the_future():
    assert error_of("110105203001010011") == "身份证号码中的出生日期在未来：20300101"


def test_birth_date_before_1880():
    assert error_of("110105187912310015") == "身份证号码中的出生日期过早：18791231"


def test_unknown_province_code():
    # Valid check digit, but no province has code 00.
    assert "“00”" in error_of("000105194912310024")


def test_hong_kong_residence_permit_code_is_accepted():
    assert parse("810000194912310028").region_code == "810000"


def test_blank_is_refused():
    assert error_of("  ") == "身份证号码为空"
    assert error_of(None) == "身份证号码为空"


def test_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse("123")


# --- masking -----------------------------------------------------------------


def test_mask_keeps_first_6_and_last_4():
    assert mask_id_number(EXAMPLE_X) == "110105********002X"


def test_mask_accepts_an_id_number_object():
    assert mask_id_number(parse(EXAMPLE_X)) == "110105********002X"
    assert parse(EXAMPLE_X).masked == "110105********002X"


def test_mask_never_reveals_short_garbage():
    assert mask_id_number("12345") == "*****"


# --- cross checks ------------------------------------------------------------


def test_cross_check_agreeing_values():
    idn = parse(EXAMPLE_X)
    assert cross_check(idn, birth_date=date(1949, 12, 31), sex="女") == []
    assert cross_check(idn) == []


def test_cross_check_birth_date_mismatch():
    (message,) = cross_check(parse(EXAMPLE_X), birth_date=date(1950, 1, 1))
    assert message == "填写的出生日期1950年1月1日与身份证号码中的1949年12月31日不一致"


def test_cross_check_accepts_a_datetime_from_a_cell():
    assert cross_check(parse(EXAMPLE_X), birth_date=datetime(1949, 12, 31)) == []


def test_cross_check_sex_mismatch():
    (message,) = cross_check(parse(EXAMPLE_X), sex="男")
    assert message == "填写的性别“男”与身份证号码（女）不一致"


def test_cross_check_sex_spelled_differently():
    assert cross_check(parse(EXAMPLE_X), sex=" 女性 ") == []
    assert cross_check(parse(EXAMPLE_1880), sex="M") == []


def test_cross_check_unreadable_sex():
    (message,) = cross_check(parse(EXAMPLE_X), sex="未知")
    assert "未知" in message


# --- age ---------------------------------------------------------------------


def test_age_the_day_before_and_on_the_birthday():
    assert age_on(date(1949, 12, 31), date(2024, 12, 30)) == 74
    assert age_on(date(1949, 12, 31), date(2024, 12, 31)) == 75


def test_age_of_someone_born_on_29_february():
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


def test_age_before_birth_is_an_error():
    with pytest.raises(ValueError):
        age_on(date(2010, 5, 3), date(2010, 5, 2))


def test_born_on_or_before_agrees_with_age_on():
    from datetime import date, timedelta

    from guanai.textproc.idcard import age_on, born_on_or_before

    for day in (date(2026, 3, 1), date(2028, 2, 29), date(2026, 2, 28), date(2026, 12, 31)):
        for years in (6, 14, 16):
            cutoff = born_on_or_before(day, years)
            assert age_on(cutoff, day) >= years
            assert age_on(cutoff + timedelta(days=1), day) < years
