"""What users type, held to one set of rules on every page and in every service:
money rounded before it is checked, counts and amounts with a sane maximum, phone numbers,
dates in a sane range, and a person's age that fits their categories."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanai.care import services as care
from guanai.care.models import Activity, AidItem, CareHome, Helper, Visit
from guanai.care.tests.helpers import person
from guanai.registry import screening
from guanai.registry import services as registry
from guanai.registry.models import Person, ScreeningReport

VILLAGE = "990101001001"
HUGE = "99999999999999999999"


def _visit_post(person_pk, **extra):
    data = {"person": person_pk, "visit_date": timezone.localdate().isoformat(), "mode": "home", "findings": "精神很好",
            "aid_kind": ["cash"], "aid_description": [""], "aid_quantity": [""], "aid_unit": [""],
            "aid_value": ["300"]}
    data.update(extra)
    return data


# --- money: rounded to the cent, then checked --------------------------------------------

@pytest.mark.parametrize("typed", ["0.001", "1e-30", "0.004", "-0.001", "0"])
def test_cash_that_rounds_to_nothing_is_refused(users, client_for, typed):
    child = person(users["village"], "钱小分", VILLAGE)
    before = AidItem.objects.count()
    response = client_for("village").post("/care/visits/create/", _visit_post(child.pk, aid_value=[typed]))
    assert response.status_code == 200
    assert "金额应大于0" in response.content.decode() or "不能为负数" in response.content.decode()
    assert AidItem.objects.count() == before and not Visit.objects.filter(person=child).exists()


def test_money_is_rounded_half_up_to_the_cent_and_bounded():
    from guanai.core.validation import AMOUNT_MAX, parse_money

    assert parse_money("0.005", label="金额") == Decimal("0.01")
    assert parse_money("１，２００.５", label="金额") == Decimal("1200.50")
    for typed, words in ((HUGE, "过大"), ("1e400", "过大"), ("NaN", "应为数字"), ("abc", "应为数字"),
                         (str(AMOUNT_MAX + 1), "过大")):
        with pytest.raises(ValidationError, match=words):
            parse_money(typed, label="金额")


def test_an_aid_value_past_the_maximum_is_named(users):
    child = person(users["village"], "钱大额", VILLAGE)
    with pytest.raises(ValidationError) as err:
        care.create_visit(user=users["village"], person=child, visit_date=timezone.localdate(), mode="home",
                          aid=[{"kind": "cash", "value_yuan": "200000000"}])
    assert "第1项救助（慰问金）：金额过大" in err.value.message_dict["aid"][0]


# --- counts: a sane maximum, a Chinese message, never a 500 --------------------------------

def test_screening_counts_past_the_maximum_are_refused_on_the_page(users, client_for):
    from guanai.core.validation import COUNT_MAX

    campaign = screening.create_campaign(user=users["city"], name="计数排查", area_code="990101000000",
                                         start_date=date(2026, 1, 1), end_date=date(2026, 3, 31),
                                         categories=["left_behind_child", "solitary_elder"])
    client = client_for("village")
    url = f"/persons/screening/{campaign.pk}/report/"
    for field in ("households_checked", "count_left_behind_child", "count_solitary_elder"):
        data = {"households_checked": "10", "count_left_behind_child": "1", "count_solitary_elder": "1", field: HUGE}
        response = client.post(url, data)
        assert response.status_code == 200, field
        assert f"不能超过{COUNT_MAX}" in response.content.decode(), field
    assert not ScreeningReport.objects.filter(campaign=campaign).exists()
    with pytest.raises(ValidationError, match="过大"):
        screening.submit_report(user=users["village"], campaign=campaign, village_code=VILLAGE,
                                households_checked=1, counts={"left_behind_child": int(HUGE)})


def test_activity_counts_and_funds_past_the_maximum_are_refused(users, client_for):
    before = Activity.objects.count()
    base = {"title": "计数活动", "kind": "publicity", "held_on": timezone.localdate().isoformat(), "area": VILLAGE,
            "volunteers_count": "1", "participants_count": "1", "beneficiaries_count": "1",
            "consultations_count": "1", "funds_yuan": "100"}
    client = client_for("village")
    for field in ("volunteers_count", "participants_count", "beneficiaries_count", "consultations_count",
                  "funds_yuan"):
        response = client.post("/care/activities/create/", {**base, field: HUGE})
        assert response.status_code == 200, field
        body = response.content.decode()
        assert "不能超过" in body or "过大" in body, field
    assert Activity.objects.count() == before
    with pytest.raises(ValidationError) as err:
        care.create_activity(user=users["village"], title="计数", kind="publicity", held_on=timezone.localdate(),
                             area_code=VILLAGE, participants_count=int(HUGE))
    assert "过大" in err.value.message_dict["participants_count"][0]


def test_a_huge_record_id_is_not_found_rather_than_an_error(users, client_for):
    client = client_for("village")
    assert client.get(f"/care/visits/create/?person={HUGE}").status_code == 404
    assert client.post("/care/pairings/create/", {"persons": [HUGE]}).status_code == 200
    assert client.post("/persons/duplicates/merge/", {"keep": HUGE, "duplicate": HUGE}).status_code == 302


# --- phone numbers: the importer's rule everywhere -------------------------------------

@pytest.mark.parametrize("phone", ["abc", "123", "1380013800", "138-0013-8000 / 139"])
def test_a_helpers_phone_must_be_a_phone_number(users, client_for, phone):
    before = Helper.objects.count()
    response = client_for("village").post("/care/helpers/create/", {
        "name": "周热心", "kind": "volunteer", "phone": phone, "area": VILLAGE})
    assert response.status_code == 200 and "电话" in response.content.decode()
    assert Helper.objects.count() == before
    with pytest.raises(ValidationError) as err:
        care.create_helper(user=users["village"], name="周热心", kind="volunteer", area_code=VILLAGE, phone=phone)
    assert "phone" in err.value.message_dict


def test_a_good_phone_is_stored_as_digits(users):
    helper = care.create_helper(user=users["village"], name="吴热心", kind="volunteer", area_code=VILLAGE,
                                phone="138 0013 8000")
    assert helper.phone == "13800138000"
    home = care.create_care_home(user=users["county"], name="号码之家", kind="children_home", area_code=VILLAGE,
                                 phone="010-8765 4321")
    assert home.phone == "01087654321"
    with pytest.raises(ValidationError):
        care.create_care_home(user=users["county"], name="坏号之家", kind="children_home", area_code=VILLAGE,
                              phone="abc")
    assert not CareHome.objects.filter(name="坏号之家").exists()


# --- dates: one range per kind of date ----------------------------------------------

def test_a_person_born_in_the_future_or_too_long_ago_is_not_stored(users, client_for):
    client = client_for("village")
    before = Person.objects.count()
    for born, words in (("2100-01-01", "不能晚于今天"), ("1800-01-01", "不能早于")):
        response = client.post("/persons/create/", {"name": "时小空", "birth_date": born, "area": VILLAGE,
                                                    "categories": ["low_income"], "hukou_registered": "on"})
        assert response.status_code == 200 and words in response.content.decode(), born
        with pytest.raises(ValidationError) as err:
            registry.create_person(user=users["village"], area_code=VILLAGE,
                                   data={"name": "时小空", "birth_date": date.fromisoformat(born)},
                                   categories=["low_income"])
        assert words in err.value.message_dict["birth_date"][0]
    assert Person.objects.count() == before


def test_the_form_applies_the_importers_age_rule(users, client_for):
    response = client_for("village").post("/persons/create/", {
        "name": "龄不符", "birth_date": "1990-01-01", "area": VILLAGE, "categories": ["left_behind_child"]})
    assert response.status_code == 200 and "农村留守儿童应未满16周岁" in response.content.decode()
    assert not Person.objects.filter(name="龄不符").exists()
    # The same rule in the service, where the birth date comes from the ID number.
    with pytest.raises(ValidationError) as err:
        registry.create_person(user=users["village"], area_code=VILLAGE, data={"name": "龄不符"},
                               categories=["left_behind_child"], id_number="110105199001010010")
    assert "应未满16周岁" in err.value.message_dict["categories"][0]


@pytest.mark.parametrize("url,data,words", [
    ("/care/activities/create/", {"title": "远古活动", "kind": "publicity", "held_on": "1900-01-01",
                                  "area": VILLAGE}, "活动日期不能早于"),
    ("/care/pairings/create/", {"start_date": "1990-01-01"}, "结对日期不能早于"),
    ("/persons/screening/create/", {"name": "远期排查", "area": "990101000000", "start_date": "2026-01-01",
                                    "end_date": "2199-01-01", "categories": ["left_behind_child"]},
     "截止日期不能晚于"),
])
def test_dates_outside_their_range_are_refused_on_every_form(client_for, url, data, words):
    response = client_for("county").post(url, data)
    assert response.status_code == 200 and words in response.content.decode()


def test_next_visit_and_care_home_dates_have_ranges(users):
    from guanai.core.validation import check_date

    child = person(users["village"], "远访童", VILLAGE)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as err:
        care.create_visit(user=users["village"], person=child, visit_date=today, mode="home",
                          next_visit_on=date(2999, 1, 1))
    assert "下次走访日期不能晚于" in err.value.message_dict["next_visit_on"][0]
    with pytest.raises(ValidationError) as err:
        care.create_care_home(user=users["county"], name="古之家", kind="children_home", area_code=VILLAGE,
                              opened_on=date(1700, 1, 1))
    assert "建成日期不能早于" in err.value.message_dict["opened_on"][0]
    assert check_date(today + timedelta(days=30), "planned", label="x") == today + timedelta(days=30)
