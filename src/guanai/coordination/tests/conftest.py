"""A county conference of the demo's 西山县 with three member units, their liaisons and a
quarterly report form, set up through the services; reports are dated in the past with ``at``."""

from datetime import datetime

import pytest
from django.utils import timezone

from guanai.accounts import roles
from guanai.accounts.models import User
from guanai.coordination import services, workflow
from guanai.coordination.models import Indicator, ValidationRule

COUNTY = "990102000000"
TOWNSHIP = "990102001000"


def at(text: str) -> datetime:
    """An aware Asia/Shanghai datetime from "2025-10-21 23:59:59"."""
    return timezone.make_aware(datetime.fromisoformat(text))


@pytest.fixture
def county_office(db):
    return User.objects.create_user("xs_office", role=roles.OFFICE, area_id=COUNTY, last_name="孙", first_name="主任")


@pytest.fixture
def conference(county_office):
    return services.create_conference(acting_user=county_office, area_code=COUNTY, office_name="西山县民政局")


@pytest.fixture
def units(conference, county_office):
    made = []
    for index, name in enumerate(["西山县民政局", "西山县教育局", "西山县妇女联合会"]):
        unit = services.add_unit(acting_user=county_office, conference=conference, name=name, is_lead=index == 0)
        account = User.objects.create_user(f"xs_liaison{index}", role=roles.UNIT, area_id=COUNTY,
                                           last_name="联", first_name=f"络员{index}")
        services.assign_liaison(acting_user=county_office, unit=unit, account=account)
        unit.liaison = User.objects.get(pk=account.pk)
        made.append(unit)
    return made


@pytest.fixture
def report_form(conference, county_office):
    office = county_office
    form = services.create_form(acting_user=office, conference=conference, name="季度工作进展报表",
                                first_period="2025Q1", deadline_workdays=10, lock_workdays=65)
    add = services.add_indicator
    form.activities = add(acting_user=office, form=form, label="开展关爱活动", unit="场", metric="activities")
    form.total = add(acting_user=office, form=form, label="儿童总数", unit="人", required=True)
    form.girls = add(acting_user=office, form=form, label="其中：女童人数", unit="人")
    form.funds = add(acting_user=office, form=form, label="投入资金", unit="万元", decimals=2)
    form.meeting = add(acting_user=office, form=form, label="是否召开专题会议", kind=Indicator.YES_NO)
    form.note = add(acting_user=office, form=form, label="资金使用说明", kind=Indicator.TEXT)
    services.add_rule(acting_user=office, form=form, left=[form.girls.pk], operator=ValidationRule.LE,
                      right=[form.total.pk])
    services.add_rule(acting_user=office, form=form, left=[form.funds.pk], operator=ValidationRule.PAIR,
                      right=[form.note.pk])
    form.practice = services.add_section(acting_user=office, form=form, title="主要做法")
    form.problems = services.add_section(acting_user=office, form=form, title="存在问题", required=False)
    return form


def filled(form, **overrides) -> tuple[dict, dict]:
    """Values and narrative of a complete report (by indicator/section id)."""
    values = {form.total.key: "30", form.girls.key: "12", form.funds.key: "1.5", form.note.key: "用于走访慰问",
              form.meeting.key: "是"}
    values.update({getattr(form, name).key: value for name, value in overrides.items()})
    return values, {form.practice.key: "组织教师开展家访。", form.problems.key: ""}


def submit(form, unit, period_key: str, when: str, **overrides):
    """Start, fill and submit a unit's report at ``when`` (local time)."""
    report = workflow.start_report(acting_user=unit.liaison, form=form, unit=unit, period_key=period_key,
                                   at=at(when))
    values, narrative = filled(form, **overrides)
    report = workflow.save_report(acting_user=unit.liaison, report=report, version=report.version, values=values,
                                  narrative=narrative, at=at(when))
    return workflow.submit_report(acting_user=unit.liaison, report=report, version=report.version, at=at(when))
