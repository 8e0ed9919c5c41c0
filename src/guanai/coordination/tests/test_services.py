"""Maintaining conferences, units, duties and forms: who may, and what is refused."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from guanai.accounts import roles
from guanai.accounts.models import User
from guanai.audit.models import AuditEvent
from guanai.coordination import services
from guanai.coordination.models import Conference, Duty, Indicator, ValidationRule

from .conftest import COUNTY, TOWNSHIP

pytestmark = pytest.mark.django_db


def test_an_office_runs_its_own_conference_and_its_townships_working_groups(county_office, users):
    assert services.office_manages(county_office, COUNTY)
    assert services.office_manages(county_office, TOWNSHIP)
    assert not services.office_manages(county_office, "990101000000")  # another county
    assert not services.office_manages(users["office"], COUNTY)  # the city office reads, does not run
    assert services.office_manages(users["admin"], COUNTY)
    assert not services.office_manages(users["county"], COUNTY)  # staff, not the office
    group = services.create_conference(acting_user=county_office, area_code=TOWNSHIP)
    assert group.kind == Conference.WORKING_GROUP and group.name.endswith("工作小组")


def test_a_conference_sits_at_city_county_or_township_and_only_once(county_office, conference):
    with pytest.raises(ValidationError, match="已建立联席会议"):
        services.create_conference(acting_user=county_office, area_code=COUNTY)
    with pytest.raises(ValidationError, match="请选择市、县或乡镇"):
        services.create_conference(acting_user=county_office, area_code="990102001001")
    with pytest.raises(ValidationError, match="只有系统管理员和本级联席会议办公室"):
        services.create_conference(acting_user=county_office, area_code="990103000000")


def test_units_are_unique_in_their_conference_and_phones_are_checked(conference, county_office, units):
    with pytest.raises(ValidationError, match="本联席会议已有成员单位“西山县教育局”"):
        services.add_unit(acting_user=county_office, conference=conference, name="西山县教育局")
    with pytest.raises(ValidationError) as caught:
        services.add_unit(acting_user=county_office, conference=conference, name="西山县公安局", contact_phone="12345")
    assert "contact_phone" in caught.value.message_dict
    unit = services.update_unit(acting_user=county_office, unit=units[1], name="西山县教育和体育局", is_lead=False,
                                contact_name="王老师", contact_phone="13912345678")
    assert unit.contact_phone == "13912345678"
    assert AuditEvent.objects.filter(object_type="coordination.memberunit", object_id=str(unit.pk),
                                     changes__name=["西山县教育局", "西山县教育和体育局"]).exists()


def test_duties_replace_the_list_of_a_year(conference, county_office, units):
    services.set_duties(acting_user=county_office, conference=conference, year=2026, kind=Duty.RESPONSIBILITY,
                        unit=units[1], items=["控辍保学", "心理健康教育"])
    services.set_duties(acting_user=county_office, conference=conference, year=2026, kind=Duty.RESPONSIBILITY,
                        unit=units[1], items=["控辍保学", "寄宿制学校建设"])
    assert list(units[1].duties.filter(year=2026).values_list("position", "text")) == [(1, "控辍保学"),
                                                                                      (2, "寄宿制学校建设")]
    with pytest.raises(ValidationError, match="职责分工须指定成员单位"):
        services.set_duties(acting_user=county_office, conference=conference, year=2026, kind=Duty.RESPONSIBILITY,
                            unit=None, items=["x"])


def test_a_deadline_on_a_holiday_is_refused_naming_the_field(report_form, county_office):
    with pytest.raises(ValidationError) as caught:
        services.set_deadline(acting_user=county_office, form=report_form, period_key="2026Q3",
                              due_on=date(2026, 10, 1), reason="延期")
    assert caught.value.message_dict == {"due_on": ["截止日期2026年10月1日是国庆节，不是工作日，请选择工作日"]}
    with pytest.raises(ValidationError, match="是周末"):
        services.set_deadline(acting_user=county_office, form=report_form, period_key="2026Q3",
                              due_on=date(2026, 10, 11), reason="延期")
    # Saturday 10 October 2026 is worked in exchange for the holiday: a valid deadline.
    override = services.set_deadline(acting_user=county_office, form=report_form, period_key="2026Q3",
                                     due_on=date(2026, 10, 10), reason="调休上班日截止")
    assert override.due_on == date(2026, 10, 10)
    with pytest.raises(ValidationError, match="不能早于期末"):
        services.set_deadline(acting_user=county_office, form=report_form, period_key="2026Q3",
                              due_on=date(2026, 9, 29), reason="提前")


def test_form_settings_are_checked(conference, county_office):
    with pytest.raises(ValidationError) as caught:
        services.create_form(acting_user=county_office, conference=conference, name="", first_period="2026-01",
                             deadline_workdays=10, lock_workdays=5)
    errors = caught.value.message_dict
    assert errors["name"] == ["请填写报表名称"]
    assert errors["first_period"] == ["起始期间应为季度，如 2026Q1"]
    assert "填报锁定不能早于报送期限" in errors["lock_workdays"][0]
    monthly = services.create_form(acting_user=county_office, conference=conference, name="月报", period_type="month",
                                   first_period="2026-1", lock_workdays=0)
    assert monthly.first_period == "2026-01"


def test_an_indicator_binds_only_to_a_metric_that_counts_by_unit(report_form, county_office):
    with pytest.raises(ValidationError, match="不是可按成员单位统计的指标"):
        services.add_indicator(acting_user=county_office, form=report_form, label="在册人数",
                               metric="persons_registered")
    with pytest.raises(ValidationError, match="只有数值指标"):
        services.add_indicator(acting_user=county_office, form=report_form, label="活动说明",
                               kind=Indicator.TEXT, metric="activities")
    bound = dict(services.bindable_metrics())
    assert {"activities", "visits", "persons_paired", "cases_opened", "aid_cash_yuan"} <= set(bound)
    assert "unit_reports_due" not in bound


def test_rule_sides_must_be_indicators_of_the_form(report_form, county_office):
    with pytest.raises(ValidationError) as caught:
        services.add_rule(acting_user=county_office, form=report_form, left=[report_form.note.pk],
                          operator=ValidationRule.GT, right=[])
    assert caught.value.message_dict == {"left": ["文字指标只能用于“同时填写或同时不填”"],
                                         "right": ["请至少选择一项指标"]}
    with pytest.raises(ValidationError, match="同一指标不能同时出现在两侧"):
        services.add_rule(acting_user=county_office, form=report_form, left=[report_form.total.pk],
                          operator=ValidationRule.EQ, right=[report_form.total.pk])


def test_a_liaison_must_be_a_unit_account_of_the_area(units, county_office, users):
    with pytest.raises(ValidationError, match="只能指定本区划内"):
        services.assign_liaison(acting_user=county_office, unit=units[0], account=users["unit"])  # the city's
    stranger = User.objects.create_user("xs_staff", role=roles.STAFF, area_id=COUNTY)
    with pytest.raises(ValidationError, match="只能指定本区划内"):
        services.assign_liaison(acting_user=county_office, unit=units[0], account=stranger)
