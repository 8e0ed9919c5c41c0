"""Every registry service records exactly one audit event per record it writes, inside its
transaction: the acting user, the object, the fields before and after, and why. Writes made
with queryset updates (household membership, current_risk, version) are no gap."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from guanai.accounts import roles
from guanai.audit.models import AuditEvent
from guanai.portal import factories as f
from guanai.registry import duplicates, households, screening, services, transfers
from guanai.registry.models import Household, Person, TransferRequest

TOWNSHIP = "522601104000"
OTHER_VILLAGE = "522601104202"
pytestmark = pytest.mark.usefixtures("frozen_day")


def _create(w):
    return services.create_person(user=w, area_code=f.VILLAGE, data={"name": "吴桂兰", "birth_date": date(2016, 3, 1)},
                                  categories=["left_behind_child"])


# (name, setup(village_worker) -> context, call(village_worker, context) -> audited object, action, expected changes (subset))
CASES = [
    ("create_person", lambda w: None, lambda w, c: _create(w), "create",
     {"name": [None, "吴桂兰"], "area_id": [None, f.VILLAGE], "categories": [None, "left_behind_child"]}),
    ("update_person", lambda w: f.person(w, name="周子涵"),
     lambda w, p: services.update_person(user=w, person=p, expected_version=p.version,
                                         data={"name": "周梓涵", "phone": "13812345678"}),
     "update", {"name": ["周子涵", "周梓涵"], "phone": ["", "13812345678"], "version": [1, 2]}),
    ("exit_person", lambda w: f.person(w),
     lambda w, p: services.exit_person(user=w, person=p, reason="moved_away", exit_date=date(2026, 6, 30)),
     "update", {"status": ["active", "exited"], "exit_reason": ["", "moved_away"],
                "exit_date": [None, "2026-06-30"]}),
    ("assess_risk", lambda w: f.person(w),
     lambda w, p: services.assess_risk(user=w, person=p, assessed_on=date(2026, 6, 1),
                                       scores={"safety": 3}, flags=[]).person,
     "update", {"current_risk": ["", "red"]}),
    ("save_profile", lambda w: f.person(w),
     lambda w, p: services.save_profile(user=w, person=p, data={"guardian_name": "周建国"}),
     "create", {"guardian_name": [None, "周建国"]}),
    ("create_household_for_person", lambda w: f.person(w, name="郑建国", age=40, categories=["low_income"]),
     lambda w, p: services.create_household_for_person(user=w, head=p), "create", {"head_name": [None, "郑建国"]}),
    ("add_person", lambda w: (services.create_household_for_person(user=w, head=f.person(w, age=40, categories=["low_income"])),
                              f.person(w)),
     lambda w, c: (households.add_person(user=w, household=c[0], expected_version=None, person=c[1], relation="child"),
                   Person.objects.get(pk=c[1].pk))[1],
     "update", {"relation_to_head": ["", "child"], "version": [1, 2]}),
    ("remove_from_household", lambda w: _household_with_child(w),
     lambda w, p: (services.remove_from_household(user=w, person=p), p)[1],
     "update", {"relation_to_head": ["child", ""]}),
]


def _household_with_child(w):
    household = services.create_household_for_person(user=w, head=f.person(w, age=40, categories=["low_income"]))
    child = f.person(w)
    households.add_person(user=w, household=household, expected_version=None, person=child, relation="child")
    return Person.objects.get(pk=child.pk)


@pytest.mark.parametrize("name, setup, call, action, expected", CASES, ids=[c[0] for c in CASES])
def test_a_service_write_is_one_event_with_its_user_object_and_changes(village_worker, name, setup, call, action, expected):
    context = setup(village_worker)
    since = f.last_event_id()
    obj = call(village_worker, context)
    event = f.only_event(obj, since)
    assert (event.action, event.user_id, event.username) == (action, village_worker.pk, village_worker.username)
    assert expected.items() <= event.changes.items(), event.changes
    assert event.detail  # the reason


def test_a_refused_write_leaves_no_event(village_worker):
    person = f.person(village_worker)
    since = f.last_event_id()
    with pytest.raises(ValidationError):
        services.exit_person(user=village_worker, person=person, reason="no-such-reason", exit_date=date(2026, 6, 30))
    assert not AuditEvent.objects.filter(id__gt=since).exists()


def test_a_merge_records_the_kept_and_the_exited_record(village_worker):
    keep = f.person(village_worker, name="陈欣怡")
    duplicate = f.person(village_worker, name="陈欣怡", phone="13912345678")
    since = f.last_event_id()
    duplicates.merge_persons(user=village_worker, keep=keep, duplicate=duplicate)
    kept, gone = f.only_event(keep, since), f.only_event(duplicate, since)
    assert kept.user_id == gone.user_id == village_worker.pk
    assert kept.changes["phone"] == ["", "13912345678"] and kept.changes["merged"] == [None, duplicate.pk]
    assert gone.changes["status"] == ["active", "exited"] and gone.changes["merged_into_id"] == [None, keep.pk]


def test_a_transfer_request_its_decision_and_the_move_are_each_one_event(village_worker):
    child = f.person(village_worker, with_id=True, name="黄浩然")
    other_worker = f.user(roles.VILLAGE, area_code=OTHER_VILLAGE)
    staff = f.user(roles.STAFF, area_code=TOWNSHIP)
    number = services.reveal_id_number(staff, child)
    since = f.last_event_id()
    request = transfers.request_transfer(user=other_worker, id_number=number, to_area_code=OTHER_VILLAGE,
                                         reason="随父母迁入本村")
    created = f.only_event(request, since)
    assert created.user_id == other_worker.pk and created.changes["to_area_id"] == [None, OTHER_VILLAGE]
    since = f.last_event_id()
    transfers.decide_transfer(user=staff, transfer=request, approve=True)
    decided = f.only_event(TransferRequest.objects.get(pk=request.pk), since)
    moved = f.only_event(child, since)
    assert decided.user_id == moved.user_id == staff.pk
    assert decided.changes["status"] == ["pending", "approved"]
    assert moved.changes["area"] == [f.VILLAGE, OTHER_VILLAGE]


def test_a_screening_campaign_and_a_village_report_are_audited(village_worker):
    staff = f.user(roles.STAFF, area_code=TOWNSHIP)
    f.area(f.VILLAGE)
    since = f.last_event_id()
    campaign = screening.create_campaign(user=staff, name="2026年摸底排查", area_code=TOWNSHIP,
                                         start_date=date(2026, 7, 1), end_date=date(2026, 7, 31),
                                         categories=["left_behind_child"])
    assert f.only_event(campaign, since).changes["name"] == [None, "2026年摸底排查"]
    since = f.last_event_id()
    first = screening.submit_report(user=village_worker, campaign=campaign, village_code=f.VILLAGE, households_checked=30,
                                    counts={"left_behind_child": 4})
    assert f.only_event(first, since).changes["households_checked"] == [None, 30]
    since = f.last_event_id()
    screening.submit_report(user=village_worker, campaign=campaign, village_code=f.VILLAGE, households_checked=32,
                            counts={"left_behind_child": 4})
    again = f.only_event(first, since)
    assert again.action == "update" and again.changes == {"households_checked": [30, 32]}


def test_the_household_is_gone_with_its_last_member_and_the_member_event_says_so(village_worker):
    head = f.person(village_worker, age=40, categories=["low_income"])
    household = services.create_household_for_person(user=village_worker, head=head)
    since = f.last_event_id()
    services.remove_from_household(user=village_worker, person=Person.objects.get(pk=head.pk))
    event = f.only_event(head, since)
    assert event.changes["household_id"] == [household.pk, None] and not Household.objects.filter(pk=household.pk).exists()
    gone = AuditEvent.objects.get(pk__gt=since, object_type="registry.household", object_id=str(household.pk))
    assert gone.action == AuditEvent.DELETE and gone.user_id == village_worker.pk
