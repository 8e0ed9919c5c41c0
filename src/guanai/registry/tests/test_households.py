"""Issue 15.6: a household whose head is an adult not in care, members in care and not, and a
child's guardian chosen from the household or entered, written through to the national form."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanai.audit.models import AuditEvent
from guanai.registry import crypto, households, services
from guanai.registry.models import ChildProfile, Guardian, Household, HouseholdMember, Person
from guanai.registry.services import ConflictError

VILLAGE = "990101001001"
OTHER_COUNTY_VILLAGE = "990102001001"
HEAD_ID = "110105196805120035"  # a man born 1968-05-12


def _child(user, name="张小宝", area=VILLAGE):
    return services.create_person(user=user, area_code=area, data={"name": name}, categories=["left_behind_child"])


def _household(user, area=VILLAGE, **head):
    return households.create_household(user=user, area_code=area, address="张家湾12号", head={
        "name": "张建国", "relation": "father", "id_number": HEAD_ID, "phone": "13800138000",
        "away_for_work": True, "away_place": "广东省东莞市", **head})


def test_a_household_has_a_head_not_in_care_with_the_id_kept_as_a_persons(users):
    household = _household(users["village"])
    head = household.others.get(is_head=True)
    assert str(household) == "张建国户" and household.area_id == VILLAGE and household.version == 1
    assert HEAD_ID not in head.id_number_encrypted and crypto.decrypt(head.id_number_encrypted) == HEAD_ID
    assert head.id_number_hash == crypto.lookup_hash(HEAD_ID) and head.id_number_masked.endswith("0035")
    assert HEAD_ID not in head.id_number_masked
    assert head.away_for_work and head.away_place == "广东省东莞市" and head.get_relation_display() == "父亲"
    # Audited, the ID's secrets masked.
    event = AuditEvent.objects.filter(object_type="registry.householdmember", object_id=str(head.pk)).get()
    assert HEAD_ID not in str(event.changes)


def test_bad_head_values_are_refused_in_chinese_and_nothing_is_saved(users):
    before = Household.objects.count(), HouseholdMember.objects.count()
    with pytest.raises(ValidationError) as err:
        _household(users["village"], name="", id_number="110105196805120032", phone="123")
    errors = err.value.message_dict
    assert "请填写户主姓名" in errors["name"][0] and "校验" in errors["id_number"][0] and "联系电话" in errors["phone"][0]
    with pytest.raises(ValidationError) as err:
        _household(users["village"], area=OTHER_COUNTY_VILLAGE)
    assert "不在您的管辖范围内" in err.value.message_dict["area"][0]
    with pytest.raises(ValidationError):
        _household(users["volunteer"])
    assert (Household.objects.count(), HouseholdMember.objects.count()) == before


def test_members_in_care_and_not_and_a_guardian_from_the_household(users):
    village = users["village"]
    household = _household(village)
    grandmother = households.add_member(user=village, household=household, expected_version=household.version,
                                        data={"name": "李桂兰", "relation": "grandparent", "phone": "13912345678"})
    child = _child(village)
    households.add_person(user=village, household=household, expected_version=household.version, person=child,
                          relation="child")
    child.refresh_from_db()
    assert child.household_id == household.pk
    assert (f"m{grandmother.pk}", "李桂兰（祖父母）") in households.guardian_choices(village, child)
    guardian = households.set_guardian(user=village, child=child, expected_version=child.version,
                                       chosen=f"m{grandmother.pk}", relation="grandparent",
                                       guardianship_type="both_parents_away")
    assert guardian.display_name == "李桂兰" and guardian.display_phone == "13912345678"
    # The national registration form (which the national table counts) says the same.
    profile = ChildProfile.objects.get(person=child)
    assert (profile.guardian_name, profile.guardian_phone, profile.guardian_relation) == ("李桂兰", "13912345678", "祖父母")
    assert profile.both_parents_away and not profile.one_parent_incapable
    # Editing the member keeps the form in step; removing them leaves the child without a guardian.
    household.refresh_from_db()
    households.update_member(user=village, member=grandmother, expected_version=household.version,
                             data={"name": "李桂英", "relation": "grandparent", "phone": "13912345678"})
    assert ChildProfile.objects.get(person=child).guardian_name == "李桂英"
    household.refresh_from_db()
    households.remove_member(user=village, member=grandmother, expected_version=household.version)
    assert not Guardian.objects.filter(child=child).exists()
    assert ChildProfile.objects.get(person=child).guardian_name == ""


def test_a_guardian_may_be_entered_and_bad_choices_are_refused(users):
    village = users["village"]
    child = _child(village, "王小丫")
    with pytest.raises(ValidationError) as err:
        households.set_guardian(user=village, child=child, expected_version=child.version, relation="aunt",
                                guardianship_type="x")
    assert set(err.value.message_dict) == {"relation", "guardianship_type", "name"}
    stranger = HouseholdMember.objects.create(household=_household(village), name="外户成员")
    with pytest.raises(ValidationError) as err:
        households.set_guardian(user=village, child=child, expected_version=child.version, chosen=f"m{stranger.pk}",
                                relation="relative", guardianship_type="entrusted")
    assert "本户成员" in err.value.message_dict["chosen"][0]
    guardian = households.set_guardian(user=village, child=child, expected_version=child.version, name="王大姑",
                                       phone="13700001111", relation="relative", guardianship_type="one_parent_away")
    profile = ChildProfile.objects.get(person=child)
    assert guardian.display_name == "王大姑" and profile.guardian_relation == "其他亲属"
    assert profile.one_parent_incapable and not profile.both_parents_away
    elder = services.create_person(user=village, area_code=VILLAGE, data={"name": "孤老人"}, categories=["solitary_elder"])
    with pytest.raises(ValidationError):
        households.set_guardian(user=village, child=elder, expected_version=elder.version, name="某人",
                                relation="other", guardianship_type="entrusted")


def test_stale_edits_are_refused_and_out_of_scope_households_are_not_touched(users):
    village = users["village"]
    household = _household(village)
    households.add_member(user=village, household=household, expected_version=1, data={"name": "张二叔"})
    with pytest.raises(ConflictError):
        households.add_member(user=village, household=household, expected_version=1, data={"name": "张三叔"})
    assert list(household.others.values_list("name", flat=True)) == ["张建国", "张二叔"]
    foreign = _household(users["admin"], area=OTHER_COUNTY_VILLAGE)
    with pytest.raises(ValidationError):
        households.add_member(user=village, household=foreign, expected_version=None, data={"name": "越权"})
    with pytest.raises(ValidationError):
        households.add_person(user=village, household=household, expected_version=None,
                              person=_child(users["admin"], "外县童", OTHER_COUNTY_VILLAGE), relation="child")
    child = _child(village, "赵小北")
    with pytest.raises(ConflictError):
        households.set_guardian(user=village, child=child, expected_version=child.version + 5, name="赵奶奶",
                                relation="grandparent", guardianship_type="entrusted")


def test_an_existing_household_with_a_head_on_file_stays_valid(users):
    """Households made the old way (a person on file as 户主) keep working; entering a head
    who is not on file makes the former head an ordinary member."""
    village = users["village"]
    elder = services.create_person(user=village, area_code=VILLAGE, data={"name": "钱老汉"},
                                   categories=["solitary_elder"])
    household = services.create_household_for_person(user=village, head=elder)
    household.refresh_from_db()
    assert str(household) == "钱老汉户" and household.version == 1
    households.save_head(user=village, household=household, expected_version=1,
                         head={"name": "钱大江", "relation": "father"})
    household.refresh_from_db()
    elder.refresh_from_db()
    assert str(household) == "钱大江户" and elder.relation_to_head == "other"


def test_the_pages_create_a_household_add_members_and_a_guardian_seen_on_the_childs_page(users, client_for):
    client = client_for("village")
    child = _child(users["village"], "刘小宝")
    page = client.get("/persons/households/create/").content.decode()
    assert "990101001001" in page and "990102001001" not in page  # villages of the user's own tree
    response = client.post("/persons/households/create/", {
        "area": VILLAGE, "address": "刘家湾3号", "name": "刘大军", "relation": "father", "id_number": HEAD_ID,
        "phone": "13800138000", "away_for_work": "on", "away_place": "浙江省义乌市"})
    household = Household.objects.get(head_name="刘大军")
    assert response.status_code == 302 and response["Location"] == f"/persons/households/{household.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "刘大军" in page and "外出务工（浙江省义乌市）" in page and HEAD_ID not in page
    client.post(f"/persons/households/{household.pk}/members/create/", {
        "name": "赵秀兰", "relation": "grandparent", "phone": "13912345678", "version": "1"})
    client.post(f"/persons/households/{household.pk}/", {"add-person": child.pk, "add-relation_to_head": "child",
                                                          "add-version": "2"})
    child.refresh_from_db()
    assert child.household_id == household.pk
    grandmother = household.others.get(name="赵秀兰")
    form = client.get(f"/persons/{child.pk}/guardian/").content.decode()
    assert "赵秀兰（祖父母）" in form and "父母双方外出" in form
    response = client.post(f"/persons/{child.pk}/guardian/", {
        "chosen": f"m{grandmother.pk}", "relation": "grandparent", "guardianship_type": "both_parents_away",
        "version": str(child.version)})
    assert response.status_code == 302
    page = client.get(f"/persons/{child.pk}/").content.decode()
    assert "刘大军户" in page and "赵秀兰" in page and "父母双方外出" in page
    # A stale page's edit is refused and said so.
    response = client.post(f"/persons/households/{household.pk}/members/create/", {"name": "迟到者", "version": "1"})
    assert response.status_code == 200 and "已被他人修改" in response.content.decode()
    assert not household.others.filter(name="迟到者").exists()


def test_a_volunteer_has_no_household_pages(client_for, users):
    household = _household(users["village"])
    client = client_for("volunteer")
    for url in ("/persons/households/", "/persons/households/create/", f"/persons/households/{household.pk}/"):
        assert client.get(url).status_code == 403


def test_a_guardian_recorded_here_is_counted_by_the_national_table(users):
    """The national table reads the child's registration form, which the guardian writes through."""
    from guanai.stats.metrics import compute
    from guanai.stats.periods import parse_period

    period = parse_period(str(timezone.localdate().year))
    keys = ("both_parents_away", "one_parent_away", "entrusted", "unguarded")
    village = users["village"]
    child = _child(village, "国表童")
    ChildProfile.objects.create(person=child)  # a form with no guardian: 无人监护
    before = {k: compute("left_behind_children", VILLAGE, period, column=k) for k in keys}
    households.set_guardian(user=village, child=child, expected_version=child.version, name="国表奶奶",
                            relation="grandparent", guardianship_type="both_parents_away")
    after = {k: compute("left_behind_children", VILLAGE, period, column=k) for k in keys}
    assert {k: after[k] - before[k] for k in keys} == {"both_parents_away": 1, "one_parent_away": 0,
                                                       "entrusted": 1, "unguarded": -1}


def test_a_child_is_no_longer_made_the_head(users):
    child = _child(users["village"], "张小头")
    with pytest.raises(ValidationError) as err:
        services.create_household_for_person(user=users["village"], head=child)
    assert "儿童不能作为户主" in err.value.messages[0]
    child.refresh_from_db()
    assert child.household_id is None
