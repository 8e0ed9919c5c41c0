from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanai.areas.scoping import scope_queryset
from guanai.care import services
from guanai.care.models import Activity, AidItem, CareHome, Helper, Inspection, Pairing, Visit
from guanai.coordination.models import MemberUnit
from guanai.registry.models import Person, RiskAssessment

from guanai.care.tests.helpers import person

VILLAGE = "990101001001"
OTHER_VILLAGE = "990101002001"


def _counts():
    return Visit.objects.count(), AidItem.objects.count()


def _visit(user, recipient, **kwargs):
    args = {"visit_date": timezone.localdate(), "mode": "home", "findings": "孩子身体健康"}
    args.update(kwargs)
    return services.create_visit(user=user, person=recipient, **args)


def test_a_visit_with_aid_is_saved_with_its_recipients_area_and_the_rule_date(users):
    child = person(users["village"], "王小花", VILLAGE)
    visit = _visit(users["village"], child, aid=[
        {"kind": "cash", "value_yuan": "500"},
        {"kind": "goods", "description": "大米", "quantity": "2", "unit": "袋", "value_yuan": "120"},
    ])
    assert visit.area_id == VILLAGE
    assert list(visit.visitors.all()) == [users["village"]]
    assert visit.next_visit_on == timezone.localdate() + timedelta(days=30)  # monthly for a left-behind child
    items = {i.description: i for i in visit.aid_items.all()}
    assert items["慰问金"].value_yuan == Decimal("500.00") and items["慰问金"].area_id == VILLAGE
    assert items["大米"].quantity == 2 and items["大米"].given_on == visit.visit_date


# Dates are given as functions of today: the values of a parametrize are made at collection, and
# a run that passes midnight (Beijing time) would test yesterday's "tomorrow".
@pytest.mark.parametrize("kwargs,field,message", [
    (lambda: {"visit_date": timezone.localdate() + timedelta(days=1)}, "visit_date", "走访日期不能晚于今天"),
    ({"aid": [{"kind": "goods", "description": "大米", "quantity": "-2", "unit": "袋", "value_yuan": "60"}]},
     "aid", "第1项救助（大米）：数量不能为负数"),
    ({"aid": [{"kind": "cash", "value_yuan": "200"}, {"kind": "goods", "description": "棉被", "quantity": "1",
                                                      "unit": "床", "value_yuan": ""}]},
     "aid", "第2项救助（棉被）：请填写折合金额"),
    ({"aid": [{"kind": "cash", "value_yuan": ""}]}, "aid", "请填写慰问金金额"),
    ({"aid": [{"kind": "goods", "description": "大米", "quantity": "两袋", "unit": "袋", "value_yuan": "60"}]},
     "aid", "数量应为数字"),
    ({"mode": "letter"}, "mode", "请选择走访方式"),
    (lambda: {"next_visit_on": timezone.localdate() - timedelta(days=3)}, "next_visit_on", "不能早于本次走访日期"),
])
def test_bad_visits_are_refused_in_chinese_and_nothing_is_saved(users, kwargs, field, message):
    kwargs = kwargs() if callable(kwargs) else kwargs
    child = person(users["village"], "李小明", VILLAGE)
    before = _counts()
    with pytest.raises(ValidationError) as err:
        _visit(users["village"], child, **kwargs)
    assert message in "".join(err.value.message_dict[field])
    assert _counts() == before


def test_a_recipient_outside_the_visitors_scope_is_refused(users):
    stranger = person(users["county"], "赵外村", OTHER_VILLAGE)
    before = _counts()
    with pytest.raises(ValidationError) as err:
        _visit(users["village"], stranger, aid=[{"kind": "cash", "value_yuan": "300"}])
    assert "不在您的管辖范围内" in err.value.message_dict["person"][0]
    with pytest.raises(ValidationError) as err:
        _visit(users["volunteer"], stranger)
    assert "不在您的结对范围内" in err.value.message_dict["person"][0]
    assert _counts() == before


def test_a_volunteer_may_visit_only_a_paired_recipient(users):
    volunteer = users["volunteer"]
    paired = Person.objects.filter(pairings__helper__user=volunteer).first()
    unpaired = Person.objects.filter(area_id=VILLAGE).exclude(pairings__helper__user=volunteer).first()
    assert paired is not None and unpaired is not None
    with pytest.raises(ValidationError):
        _visit(volunteer, unpaired)
    visit = _visit(volunteer, paired, mode="phone")
    assert volunteer in visit.visitors.all()


def test_a_volunteer_may_record_goods_but_not_a_risk_level_nor_cash(users):
    """Issue 15.12 (DESIGN §2): risk levels and cash belong to the staff and village workers."""
    volunteer = users["volunteer"]
    paired = Person.objects.filter(pairings__helper__user=volunteer).first()
    risk_before, assessments_before = paired.current_risk, paired.assessments.count()
    before = _counts()
    with pytest.raises(ValidationError) as err:
        _visit(volunteer, paired, risk_level="red")
    assert "志愿者不能调整风险等级" in err.value.message_dict["risk_level"][0]
    with pytest.raises(ValidationError) as err:
        _visit(volunteer, paired, aid=[{"kind": "goods", "description": "大米", "quantity": "1", "unit": "袋",
                                        "value_yuan": "60"}, {"kind": "cash", "value_yuan": "200"}])
    assert "志愿者不能登记现金救助" in err.value.message_dict["aid"][0]
    paired.refresh_from_db()
    assert _counts() == before and paired.current_risk == risk_before
    assert paired.assessments.count() == assessments_before
    # Goods are theirs to record; the village worker may do both.
    visit = _visit(volunteer, paired, aid=[{"kind": "goods", "description": "大米", "quantity": "1", "unit": "袋",
                                            "value_yuan": "60"}])
    assert [i.kind for i in visit.aid_items.all()] == [AidItem.GOODS]
    visit = _visit(users["village"], paired, risk_level="orange", aid=[{"kind": "cash", "value_yuan": "200"}])
    paired.refresh_from_db()
    assert paired.current_risk == "orange" and visit.aid_items.get().kind == AidItem.CASH


def test_a_volunteer_cannot_file_a_risk_assessment(users):
    from guanai.registry import services as registry

    paired = Person.objects.filter(pairings__helper__user=users["volunteer"]).first()
    before = RiskAssessment.objects.count()
    with pytest.raises(ValidationError) as err:
        registry.assess_risk(user=users["volunteer"], person=paired, assessed_on=timezone.localdate(),
                             scores={"safety": 3}, flags=[])
    assert "不能评定风险等级" in err.value.messages[0]
    stranger = person(users["county"], "赵外评", OTHER_VILLAGE)
    with pytest.raises(ValidationError):
        registry.assess_risk(user=users["village"], person=stranger, assessed_on=timezone.localdate(), scores={}, flags=[])
    assert RiskAssessment.objects.count() == before


def test_only_an_active_pairing_grants_a_volunteer_the_person(users):
    volunteer = users["volunteer"]
    helper = Helper.objects.get(user=volunteer)
    today = timezone.localdate()
    ended = person(users["village"], "郑小结", VILLAGE)
    Pairing.objects.create(helper=helper, person=ended, area_id=VILLAGE, start_date=today - timedelta(days=90),
                           end_date=today - timedelta(days=1))
    later = person(users["village"], "郑小始", VILLAGE)
    Pairing.objects.create(helper=helper, person=later, area_id=VILLAGE, start_date=today + timedelta(days=1))
    visible = scope_queryset(Person.objects.all(), volunteer)
    assert not visible.filter(pk__in=[ended.pk, later.pk]).exists()
    before = _counts()
    with pytest.raises(ValidationError) as err:
        _visit(volunteer, ended, risk_level="red")
    assert "不在您的结对范围内" in err.value.message_dict["person"][0]
    assert _counts() == before and ended.assessments.count() == 0
    # The pairing that ends today still counts; a pairing starts on its first day.
    Pairing.objects.filter(person=ended).update(end_date=today)
    Pairing.objects.filter(person=later).update(start_date=today)
    assert set(scope_queryset(Person.objects.all(), volunteer).filter(pk__in=[ended.pk, later.pk])
               .values_list("name", flat=True)) == {"郑小结", "郑小始"}


def test_a_visit_and_its_aid_are_saved_all_or_nothing(users, monkeypatch):
    child = person(users["village"], "周小军", VILLAGE)
    before = _counts()
    calls = {"n": 0}
    original = AidItem.save

    def failing_save(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("磁盘已满")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(AidItem, "save", failing_save)
    with pytest.raises(RuntimeError):
        _visit(users["village"], child, aid=[{"kind": "cash", "value_yuan": "200"},
                                             {"kind": "goods", "description": "食用油", "quantity": "1", "unit": "桶",
                                              "value_yuan": "80"}])
    assert _counts() == before


def test_a_quick_red_judgement_files_an_assessment_and_asks_for_a_weekly_visit(users, django_capture_on_commit_callbacks):
    child = person(users["village"], "孙小雨", VILLAGE)
    with django_capture_on_commit_callbacks(execute=True):  # tallies are refreshed once the write commits
        visit = _visit(users["village"], child, risk_level="red", findings="监护人住院，孩子独自在家")
    child.refresh_from_db()
    assert child.current_risk == "red"
    current = RiskAssessment.objects.get(person=child, is_current=True)
    assert current.level == "red" and "走访" in current.note
    assert visit.next_visit_on == visit.visit_date + timedelta(days=7)
    # The village's red-risk tally follows on commit.
    from guanai.registry import metrics
    from guanai.stats.periods import Period
    from guanai.stats.tallies import tally

    today = timezone.localdate()
    assert tally(VILLAGE, "persons_at_risk:red") == metrics.persons_at_risk(VILLAGE, Period(today, today, "x"))


def test_pairings_are_scoped_and_not_duplicated(users):
    village = users["village"]
    helper = services.create_helper(user=village, name="爱心妈妈陈芳", kind=Helper.CARING_PARENT, area_code=VILLAGE)
    a, b = person(village, "甲童", VILLAGE), person(village, "乙童", VILLAGE)
    created = services.create_pairing(user=village, helper=helper, persons=[a, b], start_date=timezone.localdate())
    assert {p.person for p in created} == {a, b} and all(p.area_id == VILLAGE for p in created)
    with pytest.raises(ValidationError) as err:
        services.create_pairing(user=village, helper=helper, persons=[a], start_date=timezone.localdate())
    assert "已与以下对象结对：甲童" in err.value.message_dict["persons"][0]
    stranger = person(users["county"], "丙童", OTHER_VILLAGE)
    with pytest.raises(ValidationError) as err:
        services.create_pairing(user=village, helper=helper, persons=[stranger], start_date=timezone.localdate())
    assert "不在您的管辖范围内" in err.value.message_dict["persons"][0]
    with pytest.raises(ValidationError) as err:
        services.create_pairing(user=village, helper=helper, persons=[stranger], start_date=timezone.localdate(),
                                end_date=timezone.localdate() - timedelta(days=1))
    assert "结束日期不能早于结对日期" in err.value.message_dict["end_date"][0]
    ended = services.end_pairing(user=village, pairing=created[0], reason="孩子随父母外出")
    assert ended.end_date == timezone.localdate() and not ended.is_active(timezone.localdate() + timedelta(days=1))


def test_a_volunteer_sees_only_their_paired_recipients_and_own_visits(users):
    volunteer, village = users["volunteer"], users["village"]
    paired = set(Pairing.objects.filter(helper__user=volunteer).values_list("person_id", flat=True))
    assert paired
    visible_persons = set(scope_queryset(Person.objects.all(), volunteer).values_list("pk", flat=True))
    assert visible_persons == paired
    assert set(services.my_recipients(volunteer).values_list("pk", flat=True)) == paired
    other = _visit(village, Person.objects.get(pk=next(iter(paired))))  # the worker's own visit to the same child
    visits = services.visits_for(volunteer)
    assert visits.exists() and other not in visits
    assert all(volunteer in v.visitors.all() for v in visits[:20])
    assert set(services.pairings_for(volunteer).values_list("helper__user", flat=True)) == {volunteer.pk}


def test_activities_validate_counts_materials_and_photos(users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    unit = users["unit"]
    base = {"user": unit, "title": "未成年人保护法宣传", "kind": "publicity", "held_on": timezone.localdate(),
            "area_code": "990100000000"}
    before = Activity.objects.count()
    with pytest.raises(ValidationError) as err:
        services.create_activity(**base, participants_count=-5)
    assert "参与人次不能为负数" in err.value.message_dict["participants_count"][0]
    with pytest.raises(ValidationError) as err:
        services.create_activity(**base, materials=[{"item": "宣传册", "quantity": "-100", "unit": "份"}])
    assert "第1项发放物品（宣传册）" in err.value.message_dict["materials"][0]
    with pytest.raises(ValidationError) as err:
        services.create_activity(**base, photos=[SimpleUploadedFile("a.jpg", b"not an image")])
    assert "不是JPG" in err.value.message_dict["photos"][0]
    with pytest.raises(ValidationError) as err:
        services.create_activity(**{**base, "held_on": timezone.localdate() + timedelta(days=2)})
    assert "活动日期不能晚于今天" in err.value.message_dict["held_on"][0]
    assert Activity.objects.count() == before
    activity = services.create_activity(**base, participants_count=1200, consultations_count=300,
                                        materials=[{"item": "宣传册", "quantity": "12000", "unit": "份"}])
    assert list(activity.organisers.all()) == [unit.unit]  # a unit records its own activity
    assert activity in services.activities_for(unit)


def test_care_home_inspection_records_every_item_of_the_checklist(users):
    staff = users["township"]
    home = services.create_care_home(user=staff, name="测试儿童之家", kind=CareHome.CHILDREN_HOME,
                                     area_code=VILLAGE, sponsor_unit=MemberUnit.objects.filter(name__contains="妇女").first())
    results = {code: True for code, _label in services.checklist()}
    with pytest.raises(ValidationError) as err:
        services.record_inspection(user=staff, home=home, inspected_on=timezone.localdate(),
                                   results={k: v for k, v in results.items() if k != "books"})
    assert "有图书" in err.value.message_dict["results"][0]
    results["funds"] = False
    inspection = services.record_inspection(user=staff, home=home, inspected_on=timezone.localdate(), results=results)
    assert (inspection.passed, inspection.total) == (7, 8) and inspection.failed_labels == ["有经费"]
    with pytest.raises(ValidationError):
        services.record_inspection(user=users["village"], home=home, inspected_on=timezone.localdate(), results=results)
    assert Inspection.objects.filter(home=home).count() == 1


def test_the_checklist_is_configuration(settings):
    settings.GUANAI_CAREHOME_CHECKLIST = [("site", "有场所"), ("safety", "有安全措施")]
    assert [label for _c, label in services.checklist()] == ["有场所", "有安全措施"]
