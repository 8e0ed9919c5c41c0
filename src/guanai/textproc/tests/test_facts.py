"""Behaviour of extract_facts and parse_chinese_number."""

from dataclasses import astuple
from datetime import date

import pytest

from guanai.textproc.facts import Fact, document_date, extract_facts, parse_chinese_number


def only(text, kind=None, **kwargs):
    facts = [f for f in extract_facts(text, **kwargs) if kind is None or f.kind == kind]
    assert len(facts) == 1, facts
    return facts[0]


def figures(text, **kwargs):
    """(kind, value, unit, subject, approx) of every fact, in order."""
    return [(f.kind, f.value, f.unit, f.subject, f.approx) for f in extract_facts(text, **kwargs)]


# --- parse_chinese_number --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3.2万", 32000),
        ("一千二百", 1200),
        ("两万", 20000),
        ("1,298", 1298),
        ("12.5", 12.5),
        ("十五", 15),
        ("一百零五", 105),
        ("一万二", 12000),
        ("二〇一九", 2019),
        ("1.2亿", 120000000),
        ("464.9万", 4649000),
        ("万", 10000),
    ],
)
def test_parse_chinese_number(text, value):
    result = parse_chinese_number(text)
    assert result == value
    assert type(result) is type(value)


@pytest.mark.parametrize("text", ["", "abc", "12,34", "三关爱"])
def test_parse_chinese_number_rejects_non_numbers(text):
    assert parse_chinese_number(text) is None


# --- the Fact record -------------------------------------------------------


def test_fact_carries_span_and_offsets():
    text = "今年慰问留守儿童23名。"
    fact = only(text)
    assert astuple(fact) == ("quantity", 23, "名", "留守儿童", "", "23名", 8, 11, False, "", "")
    assert text[fact.start : fact.end] == fact.span
    assert isinstance(fact, Fact)


# --- dates -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2019年3月25日上午", "2019-03-25"),
        ("于2019-3-25召开", "2019-03-25"),
        ("于2019.3.25召开", "2019-03-25"),
        ("2019年3月，", "2019-03-XX"),
        ("20xx年9月28日", "XXXX-09-28"),
        ("20XX年9月28日", "XXXX-09-28"),
        ("xxxx年9月28日", "XXXX-09-28"),
        ("2023年三关爱活动总结", "2023-XX-XX"),
        ("二〇一九年三月五日", "2019-03-05"),
    ],
)
def test_dates(text, value):
    assert only(text, "date").value == value


def test_date_without_year_takes_the_default_year():
    assert only("12月14日召开会议", default_year=2020).value == "2020-12-14"


def test_date_without_year_takes_the_most_frequent_year_of_the_document():
    text = "2019年3月5日启动，2019年5月验收，2018年试点。12月14日总结。"
    assert extract_facts(text)[-1].value == "2019-12-14"


def test_date_without_year_stays_unknown_when_years_tie_or_are_absent():
    assert only("12月14日召开会议").value == "XXXX-12-14"
    text = "2016年12月1日、2019年3月25日和11月26日"
    assert extract_facts(text)[-1].value == "XXXX-11-26"


def test_month_with_period():
    fact = only("预计于9月中旬开工建设", default_year=2018)
    assert (fact.value, fact.approx, fact.span) == ("2018-09-XX", "中旬", "9月中旬")


def test_parts_of_dates_are_not_counts():
    assert [f.kind for f in extract_facts("2019年3月25日，共慰问3户。")] == ["date", "quantity"]


# --- quantities ------------------------------------------------------------


def test_subject_after_the_measure_word():
    assert figures("确定82户建档立卡贫困户") == [("quantity", 82, "户", "建档立卡贫困户", "")]


def test_subject_before_the_number():
    assert figures("慰问留守儿童23名，") == [("quantity", 23, "名", "留守儿童", "")]


def test_listed_figures_share_their_subject():
    assert figures("今年确定建档立卡贫困户82户、342人。") == [
        ("quantity", 82, "户", "建档立卡贫困户", ""),
        ("quantity", 342, "人", "建档立卡贫困户", ""),
    ]
    assert figures("现有农户298户、1298人") == [
        ("quantity", 298, "户", "农户", ""),
        ("quantity", 1298, "人", "农户", ""),
    ]


def test_longer_measure_words_win():
    fact = only("培训农民200人次。")
    assert (fact.value, fact.unit, fact.subject) == (200, "人次", "培训农民")
    assert only("修路2.7公里").unit == "公里"


@pytest.mark.parametrize(
    ("text", "value", "unit", "approx"),
    [
        ("2万多名志愿者", 20000, "名", "多"),
        ("300多人参加", 300, "人", "多"),
        ("300余人参加", 300, "人", "余"),
        ("近千人参加", 1000, "人", "近"),
        ("约500人参加", 500, "人", "约"),
        ("接受群众咨询上千人次", 1000, "人次", "上"),
        ("养羊存栏80只以上", 80, "只", "以上"),
        ("共23名", 23, "名", ""),
    ],
)
def test_approximate_counts(text, value, unit, approx):
    fact = only(text)
    assert (fact.kind, fact.value, fact.unit, fact.approx) == ("quantity", value, unit, approx)


def test_chinese_numerals():
    assert figures("两位老师带来两项议程，慰问一千二百户") == [
        ("quantity", 2, "位", "老师", ""),
        ("quantity", 2, "项", "议程", ""),
        ("quantity", 1200, "户", "", ""),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "一是培育富民主导产业力度加大。",
        "（三）工作措施",
        "第三季度市委重点工作",
        "今年12月1日是第29个“世界艾滋病日”",
        "按照“三个一”产业扶贫措施",
        "联系电话13812345678，身份证号110105199001011234",
        "数十人参加",
        "坚持3个月",
        "云浮市一元网络服务平台有限公司",
        "“三包三带”千名领导干部下基层",
    ],
)
def test_section_numbers_phone_numbers_and_names_are_not_counts(text):
    assert [f for f in extract_facts(text) if f.kind in ("quantity", "money")] == []


# --- money -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "approx"),
    [
        ("送去价值7400元慰问金", 7400, ""),
        ("投入42万元", 420000, ""),
        ("完成项目投资464.9万元", 4649000, ""),
        ("争取资金1.2亿元", 120000000, ""),
        ("实现劳务收入120多万元", 1200000, "多"),
        ("人均达到了5000元以上", 5000, "以上"),
        ("投入三十多万元", 300000, "多"),
        ("投入1,500元", 1500, ""),
    ],
)
def test_money_in_yuan(text, value, approx):
    fact = only(text)
    assert (fact.kind, fact.value, fact.unit, fact.approx) == ("money", value, "元", approx)
    assert type(fact.value) is int


def test_money_keeps_a_fraction_of_a_yuan():
    assert only("人均12.5元").value == 12.5


def test_money_subject():
    assert only("实现劳务收入120多万元").subject == "劳务收入"
    assert only("送去价值7400元慰问金").subject == "慰问金"


# --- percentages -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("同比增长12.5%", 12.5, "%"),
        ("同比增长12.5％", 12.5, "%"),
        ("入学率达到百分之九十五", 95, "%"),
        ("提高3个百分点", 3, "个百分点"),
    ],
)
def test_percentages(text, value, unit):
    fact = only(text)
    assert (fact.kind, fact.value, fact.unit) == ("percent", value, unit)


def test_percent_span_and_subject():
    fact = only("覆盖率达到95%。")
    assert (fact.span, fact.subject) == ("95%", "覆盖率")


# --- day-only dates and relative expressions (issue 17) --------------------


def dates(text, **kwargs):
    return [(f.span, f.value, f.inferred) for f in extract_facts(text, **kwargs) if f.kind == "date"]


def test_day_only_date_takes_month_and_year_of_the_nearest_date_before():
    text = "2023年3月2日，县民政局召开会议。5日，全县召开推进会。21日上午，县领导走访慰问。4月8日复查，12日总结。"
    assert dates(text) == [
        ("2023年3月2日", "2023-03-02", False), ("5日", "2023-03-05", True), ("21日", "2023-03-21", True),
        ("4月8日", "2023-04-08", True), ("12日", "2023-04-12", True),
    ]


def test_day_only_date_falls_back_on_the_documents_own_date():
    # A news copy: the date of the page at its foot, the day alone in its body.
    text = "5日，全县召开留守儿童关爱工作会议，慰问儿童35名。\n\n东城区民政局\n2024年11月20日"
    assert document_date(text) == date(2024, 11, 20)
    assert dates(text)[0] == ("5日", "2024-11-05", True)
    assert dates("5日，全县召开会议。") == [("5日", "XXXX-XX-05", False)]  # nothing to take it from


@pytest.mark.parametrize("text", ["整改须在3日内完成。", "每5日报送一次。", "连续3日降雨。", "组织3日游。"])
def test_durations_and_counts_of_days_are_not_dates(text):
    assert dates(text) == []


def test_relative_expressions_are_dates_with_their_range():
    text = "2024年3月15日\n今年以来，全县新建儿童之家6所。上月发放慰问金3万元。近日开展防溺水教育。"
    facts = {f.span: f for f in extract_facts(text) if f.kind == "date"}
    assert (facts["今年以来"].value, facts["今年以来"].range_start, facts["今年以来"].range_end) == (
        "2024-XX-XX", "2024-01-01", "2024-03-15")
    assert (facts["上月"].value, facts["上月"].range_start, facts["上月"].range_end) == (
        "2024-02-XX", "2024-02-01", "2024-02-29")
    assert (facts["近日"].range_start, facts["近日"].range_end) == ("2024-03-05", "2024-03-15")
    assert all(facts[k].inferred for k in ("今年以来", "上月", "近日"))


def test_relative_expression_without_a_date_to_count_from_is_kept_as_text():
    fact = only("近日，城关镇开展防溺水教育。", "date")
    assert (fact.span, fact.value, fact.range_start, fact.inferred) == ("近日", "XXXX-XX-XX", "", True)
    assert dates("今年慰问留守儿童23名。") == []  # a bare 今年 qualifies a figure


def test_month_day_with_the_documents_year_is_marked_inferred():
    assert dates("2019年工作总结：12月14日开展慰问。") == [
        ("2019年", "2019-XX-XX", False), ("12月14日", "2019-12-14", True)]


# --- measure words of care-work briefings (found ingesting the archive) -----


def test_session_and_pair_counts_and_the_child_director():
    assert figures("开展活动126场次，新增结对206对。") == [
        ("quantity", 126, "场次", "", ""), ("quantity", 206, "对", "", ""),
    ]
    # 1对1 is a way of helping, not a pair counted.
    assert figures("坚持1对1帮扶。") == []
    # jieba tags 主任 as a modifier; the child director is still what is counted.
    assert only("配备儿童主任186名", "quantity").subject == "儿童主任"
