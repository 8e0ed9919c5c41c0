"""Every household and guardian service records its own event with the acting user (not a
save signal's guess): the object, the fields before and after, and why; queryset updates (the
household's head name, a former head's relation, the national form's cleared guardian) too."""

import pytest

from guanai.audit.models import AuditEvent
from guanai.portal import factories as f
from guanai.registry import households
from guanai.registry.models import ChildProfile, Household, HouseholdMember, Person

pytestmark = pytest.mark.usefixtures("frozen_day")
HEAD_ID = "110105196805120035"


def _household(user):
    return households.create_household(user=user, area_code=f.VILLAGE, address="大坪村3组", head={
        "name": "王建国", "relation": "father", "id_number": HEAD_ID, "phone": "13800138000"})


def _check(event, user, action, expected):
    assert (event.action, event.user_id, event.username) == (action, user.pk, user.username)
    assert expected.items() <= event.changes.items(), event.changes
    assert event.detail  # the reason


def test_create_household_records_the_household_and_its_head(village_worker):
    since = f.last_event_id()
    household = _household(village_worker)
    _check(f.only_event(household, since), village_worker, "create",
           {"head_name": [None, "王建国"], "area_id": [None, f.VILLAGE], "address": [None, "大坪村3组"]})
    head = household.others.get(is_head=True)
    event = f.only_event(head, since)
    _check(event, village_worker, "create", {"name": [None, "王建国"], "relation": [None, "father"]})
    assert HEAD_ID not in str(event.changes) and event.changes["id_number_masked"][1].endswith("0035")


def test_save_head_records_the_head_the_household_and_a_former_head_on_file(village_worker):
    household = _household(village_worker)
    former = f.person(village_worker, age=40, categories=["low_income"])
    Person.objects.filter(pk=former.pk).update(household=household, relation_to_head="head")
    former.refresh_from_db()
    household.refresh_from_db()
    since = f.last_event_id()
    head = households.save_head(user=village_worker, household=household, expected_version=household.version,
                                head={"name": "王志强", "phone": "13900139000"}, address="大坪村4组")
    _check(f.only_event(head, since), village_worker, "update",
           {"name": ["王建国", "王志强"], "phone": ["13800138000", "13900139000"]})
    _check(f.only_event(household, since), village_worker, "update",
           {"head_name": ["王建国", "王志强"], "address": ["大坪村3组", "大坪村4组"]})
    _check(f.only_event(former, since), village_worker, "update",
           {"relation_to_head": ["head", "other"], "version": [former.version, former.version + 1]})


def test_add_member_records_the_member(village_worker):
    household = _household(village_worker)
    since = f.last_event_id()
    member = households.add_member(user=village_worker, household=household, expected_version=household.version,
                                   data={"name": "李桂兰", "relation": "grandparent"})
    _check(f.only_event(member, since), village_worker, "create",
           {"name": [None, "李桂兰"], "relation": [None, "grandparent"], "is_head": [None, False]})


def test_update_member_records_the_member_and_the_childs_form(village_worker):
    household = _household(village_worker)
    member = households.add_member(user=village_worker, household=household, expected_version=household.version,
                                   data={"name": "李桂兰", "relation": "grandparent"})
    child = f.person(village_worker)
    household.refresh_from_db()
    households.add_person(user=village_worker, household=household, expected_version=household.version,
                          person=child, relation="child")
    child.refresh_from_db()
    households.set_guardian(user=village_worker, child=child, expected_version=child.version,
                            chosen=f"m{member.pk}", relation="grandparent", guardianship_type="both_parents_away")
    household.refresh_from_db()
    since = f.last_event_id()
    households.update_member(user=village_worker, member=member, expected_version=household.version,
                             data={"name": "李桂英", "relation": "grandparent", "phone": "13912345678"})
    _check(f.only_event(member, since), village_worker, "update",
           {"name": ["李桂兰", "李桂英"], "phone": ["", "13912345678"]})
    profile = ChildProfile.objects.get(person=child)
    _check(f.only_event(profile, since), village_worker, "update",
           {"guardian_name": ["李桂兰", "李桂英"], "guardian_phone": ["", "13912345678"]})


def test_update_of_the_head_records_the_households_head_name(village_worker):
    household = _household(village_worker)
    head = household.others.get(is_head=True)
    since = f.last_event_id()
    households.update_member(user=village_worker, member=head, expected_version=household.version,
                             data={"name": "王建军", "relation": "father"})
    _check(f.only_event(head, since), village_worker, "update", {"name": ["王建国", "王建军"]})
    _check(f.only_event(household, since), village_worker, "update", {"head_name": ["王建国", "王建军"]})


def test_remove_member_records_the_member_its_guardianship_and_the_cleared_form(village_worker):
    household = _household(village_worker)
    member = households.add_member(user=village_worker, household=household, expected_version=household.version,
                                   data={"name": "李桂兰", "relation": "grandparent"})
    child = f.person(village_worker)
    household.refresh_from_db()
    households.add_person(user=village_worker, household=household, expected_version=household.version,
                          person=child, relation="child")
    child.refresh_from_db()
    guardian = households.set_guardian(user=village_worker, child=child, expected_version=child.version,
                                       chosen=f"m{member.pk}", relation="grandparent",
                                       guardianship_type="both_parents_away")
    household.refresh_from_db()
    since = f.last_event_id()
    households.remove_member(user=village_worker, member=member, expected_version=household.version)
    assert not HouseholdMember.objects.filter(pk=member.pk).exists()
    _check(f.only_event(member, since), village_worker, "delete", {"name": ["李桂兰", None]})
    _check(f.only_event(guardian, since), village_worker, "delete", {"member_id": [member.pk, None]})
    _check(f.only_event(ChildProfile.objects.get(person=child), since), village_worker, "update",
           {"guardian_name": ["李桂兰", ""], "guardian_relation": ["祖父母", ""]})


def test_add_person_records_the_persons_membership(village_worker):
    household = _household(village_worker)
    child = f.person(village_worker)
    since = f.last_event_id()
    households.add_person(user=village_worker, household=household, expected_version=household.version,
                          person=child, relation="child")
    _check(f.only_event(child, since), village_worker, "update",
           {"household_id": [None, household.pk], "relation_to_head": ["", "child"], "version": [1, 2]})


def test_set_guardian_records_the_guardian_and_the_national_form(village_worker):
    household = _household(village_worker)
    child = f.person(village_worker)
    households.add_person(user=village_worker, household=household, expected_version=household.version,
                          person=child, relation="child")
    child.refresh_from_db()
    since = f.last_event_id()
    guardian = households.set_guardian(user=village_worker, child=child, expected_version=child.version,
                                       name="周建华", phone="13712345678", relation="relative",
                                       guardianship_type="one_parent_away")
    _check(f.only_event(guardian, since), village_worker, "create",
           {"child_id": [None, child.pk], "name": [None, "周建华"], "guardianship_type": [None, "one_parent_away"]})
    _check(f.only_event(ChildProfile.objects.get(person=child), since), village_worker, "create",
           {"guardian_name": [None, "周建华"], "one_parent_incapable": [None, True]})
    child.refresh_from_db()
    since = f.last_event_id()
    households.set_guardian(user=village_worker, child=child, expected_version=child.version,
                            name="周建华", phone="13712345678", relation="relative",
                            guardianship_type="both_parents_away")
    _check(f.only_event(guardian, since), village_worker, "update",
           {"guardianship_type": ["one_parent_away", "both_parents_away"]})


def test_no_save_signal_adds_an_event_without_the_user(village_worker):
    since = f.last_event_id()
    household = _household(village_worker)
    households.add_member(user=village_worker, household=household, expected_version=household.version,
                          data={"name": "李桂兰", "relation": "grandparent"})
    assert not AuditEvent.objects.filter(pk__gt=since, user__isnull=True).exists()
    assert Household.objects.filter(pk=household.pk).exists()
