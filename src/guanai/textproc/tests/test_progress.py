from decimal import Decimal

from guanai.textproc.progress import amounts, investment_sentence, progress_sentence


def test_the_briefing_sentence_of_the_pens_rebuilt():
    # One real briefing: 圈舍改建 planned 160 户 480 间, 69 户 (207 间) started, 47 finished, 22 building.
    assert progress_sentence("改建", "圈舍", planned=[(160, "户"), (480, "间")],
                             started=[(69, "户"), (207, "间")], finished=[(47, "户"), (None, "间")],
                             building=[(22, "户"), (None, "间")]) == "计划改建圈舍160户480间，目前改建69户207间，其中完成47户、在建22户"


def test_nothing_finished_yet_names_only_what_is_being_built():
    assert progress_sentence("改造", "危旧房", planned=[(41, "户")], started=[(12, "户")], finished=[(0, "户")],
                             building=[(12, "户")]) == "计划改造危旧房41户，目前改造12户，其中在建12户"


def test_not_started_and_no_action_word():
    assert progress_sentence("", "通村道路", planned=[(Decimal("12.50"), "公里")], started=[(0, "公里")]) \
        == "计划建设通村道路12.5公里，尚未开工"


def test_amounts_leave_out_the_unreported():
    assert amounts([(160, "户"), (None, "间"), (Decimal("3.00"), "座")]) == "160户3座"


def test_investment():
    assert investment_sentence(Decimal("464.90")) == "计划投资464.9万元"
    assert investment_sentence(Decimal("464.90"), Decimal("120")) == "计划投资464.9万元，已完成投资120万元"
