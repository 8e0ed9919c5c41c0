from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanai.accounts import roles
from guanai.audit.models import AuditEvent
from guanai.portal import factories
from guanai.registry import categories as cat
from guanai.registry import households, services
from guanai.registry.models import ChildProfile, Person

VILLAGE = "990101001001"
OTHER_VILLAGE = "990102001001"
ID_A = "11010519491231002X"
ID_B = "440524188001010014"


def _make(user, name="张三", area=VILLAGE, categories=("left_behind_child",), id_number=None, **data):
    return services.create_person(user=user, area_code=area, data={"name": name, **data},
                                  categories=list(categories), id_number=id_number)


def test_id_number_is_encrypted_hashed_masked_and_derives_birth_and_sex(users):
    person = _make(users["village"], "王秀英", categories=["solitary_elder"], id_number="11010519491231002x")
    stored = Person.objects.get(pk=person.pk)
    assert ID_A not in stored.id_number_encrypted and stored.id_number_hash
    assert stored.id_number_masked == "110105********002X"
    assert stored.birth_date == date(1949, 12, 31) and stored.sex == "女"
    assert services.reveal_id_number(users["village"], stored) == ID_A
    assert AuditEvent.objects.filter(object_id=str(stored.pk), action="view", detail="查看完整身份证号").exists()


def test_wrong_check_digit_and_contradicting_birth_date_are_refused_in_chinese(users):
    with pytest.raises(ValidationError) as err:
        _make(users["village"], id_number="110105194912310021")
    assert "校验位" in str(err.value.message_dict["id_number"])
    with pytest.raises(ValidationError) as err:
        _make(users["village"], id_number=ID_A, birth_date=date(1950, 1, 1))
    assert "出生日期" in str(err.value.message_dict["id_number"])


def test_same_id_number_cannot_be_filed_twice(users):
    _make(users["village"], "甲", categories=["solitary_elder"], id_number=ID_B)
    with pytest.raises(ValidationError) as err:
        _make(users["village"], "乙", categories=["solitary_elder"], id_number=ID_B)
    assert "已登记" in str(err.value.message_dict["id_number"])


def test_a_worker_cannot_file_a_person_outside_their_village(users):
    with pytest.raises(ValidationError) as err:
        _make(users["village"], area=OTHER_VILLAGE)
    assert "管辖范围" in str(err.value.message_dict["area"])


@pytest.mark.parametrize("query", ["张三丰", "zhangsanfeng", "zhangsan", "zsf", "ZSF", "13912345678", ID_B, "1391234"])
def test_search_by_name_pinyin_initials_id_and_phone(users, query):
    person = _make(users["village"], "张三丰", phone="13912345678", id_number=ID_B, categories=["disabled_person"])
    assert person in services.search_persons(users["village"], query)


def test_search_is_scoped(users):
    person = _make(users["county"], "李四", area="990101002001")
    assert person in services.search_persons(users["county"], "lisi")
    assert person not in services.search_persons(users["village"], "lisi")
    assert not services.search_persons(users["office"], "lisi").exists()


def test_edit_that_would_overwrite_someone_elses_change_is_refused(village_worker):
    township_staff = factories.user(roles.STAFF, area_code="522601104000")
    person = factories.person(village_worker, name="赵六")
    version = person.version
    services.update_person(user=village_worker, person=Person.objects.get(pk=person.pk),
                           expected_version=version, data={"address": "一组1号"})
    with pytest.raises(services.ConflictError) as err:
        services.update_person(user=township_staff, person=Person.objects.get(pk=person.pk),
                               expected_version=version, data={"address": "二组2号"})
    assert "已被他人修改" in str(err.value)
    assert Person.objects.get(pk=person.pk).address == "一组1号"


@pytest.mark.parametrize("scores,flags,level", [
    ({"schooling": 0, "daily_care": 0, "family_bonds": 0, "mental": 0, "safety": 0}, [], "green"),
    ({"schooling": 1, "daily_care": 1, "family_bonds": 1, "mental": 0, "safety": 0}, [], "yellow"),
    ({"schooling": 2, "daily_care": 2, "family_bonds": 2, "mental": 0, "safety": 0}, [], "orange"),
    ({"schooling": 0, "daily_care": 0, "family_bonds": 0, "mental": 0, "safety": 3}, [], "red"),
    ({"schooling": 0, "daily_care": 0, "family_bonds": 0, "mental": 0, "safety": 0}, ["no_guardian"], "red"),
    ({"schooling": 0, "daily_care": 0, "family_bonds": 0, "mental": 0, "safety": 0}, ["dropout"], "orange"),
])
def test_risk_levels_follow_the_rules(scores, flags, level):
    assert services.risk_level(scores, flags) == level


def test_risk_rules_are_configuration(settings):
    settings.GUANAI_RISK_RULES = {**services.DEFAULT_RISK_RULES, "yellow_total_at_least": 1}
    assert services.risk_level({"schooling": 1}, []) == "yellow"
    settings.GUANAI_RISK_RULES = {**services.DEFAULT_RISK_RULES, "yellow_total_at_least": 2}
    assert services.risk_level({"schooling": 1}, []) == "green"


def test_children_without_effective_guardianship_and_aging_out_lists(village_worker, frozen_day):
    # On 1 July 2026 (frozen_day) a child born 15 August 2010 turns 16 within the 90 days.
    child = factories.person(village_worker, name="孙小明", birth_date=date(2010, 8, 15))
    younger = factories.person(village_worker, name="孙小红", birth_date=date(2010, 10, 15))
    ChildProfile.objects.create(person=child, guardianship_rating="none")
    assert list(services.without_effective_guardianship(village_worker)) == [child]
    assert list(services.about_to_age_out(village_worker)) == [child]
    assert younger not in services.about_to_age_out(village_worker)
    assert cat.age_problems(["left_behind_child"], date(2009, 6, 30)) != []  # 17 years old


def test_person_pages_create_detail_edit(client_for, users):
    client = client_for("village")
    form = client.get("/persons/create/").content.decode()
    assert VILLAGE in form and OTHER_VILLAGE not in form
    response = client.post("/persons/create/", {"name": "周小红", "sex": "女", "area": VILLAGE,
                                                "categories": ["left_behind_child"], "id_number": "", "hukou_registered": "on"})
    assert response.status_code == 302
    person = Person.objects.get(name="周小红")
    detail = client.get(response.url).content.decode()
    assert "周小红" in detail and "农村留守儿童" in detail
    edit = client.post(f"/persons/{person.pk}/edit/", {"name": "周小红", "sex": "女", "area": VILLAGE, "address": "三组",
                                                       "categories": ["left_behind_child"], "version": person.version})
    assert edit.status_code == 302 and Person.objects.get(pk=person.pk).address == "三组"
    stale = client.post(f"/persons/{person.pk}/edit/", {"name": "周小红", "sex": "女", "area": VILLAGE, "address": "四组",
                                                        "categories": ["left_behind_child"], "version": person.version})
    assert stale.status_code == 200 and "已被他人修改" in stale.content.decode()


def test_create_form_errors_are_chinese_and_nothing_is_saved(client_for):
    before = Person.objects.count()
    response = client_for("village").post("/persons/create/", {"name": "", "area": VILLAGE, "id_number": "123"})
    body = response.content.decode()
    assert response.status_code == 200 and "请至少选择一个人员类别" in body
    assert Person.objects.count() == before


def test_list_live_search_partial_and_pinyin(client_for, users):
    _make(users["village"], "张三")
    client = client_for("village")
    partial = client.get("/persons/?q=zs", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "张三" in partial


def test_reveal_full_id_is_audited_and_masked_on_list(client_for, users):
    person = _make(users["village"], "吴七", categories=["solitary_elder"], id_number=ID_A)
    client = client_for("village")
    assert ID_A not in client.get("/persons/?q=wuqi").content.decode()
    assert client.post(f"/persons/{person.pk}/id-number/").content.decode() == ID_A
    assert AuditEvent.objects.filter(object_id=str(person.pk), detail="查看完整身份证号").count() == 1


def test_assessment_page(client_for, users):
    person = _make(users["village"], "郑八")
    response = client_for("village").post(f"/persons/{person.pk}/assess/", {
        "assessed_on": timezone.localdate().isoformat(), "schooling": 0, "daily_care": 0, "family_bonds": 0, "mental": 0,
        "safety": 0, "flags": ["no_guardian"]})
    assert response.status_code == 302
    assert person.assessments.get().level == "red"
    future = client_for("village").post(f"/persons/{person.pk}/assess/", {
        "assessed_on": (timezone.localdate() + timedelta(days=3)).isoformat(), "schooling": 0, "daily_care": 0,
        "family_bonds": 0, "mental": 0, "safety": 0})
    assert "不能晚于今天" in future.content.decode()


def test_home_shows_registry_counts(client_for, users):
    body = client_for("village").get("/").content.decode()
    expected = services.search_persons(users["village"]).count()
    assert f'data-card="在册人员">{expected}<' in body


def test_child_profile_form_saves_the_national_form_fields(client_for, users):
    person = _make(users["village"], "钱小宝")
    response = client_for("village").post(f"/persons/{person.pk}/profile/", {
        "health": "healthy", "schooling": "primary", "father_name": "钱大宝", "father_workplace": "广东省深圳市",
        "both_parents_away": "on", "guardian_name": "钱爷爷", "guardian_relation": "祖父", "guardianship_rating": "insufficient"})
    assert response.status_code == 302
    profile = ChildProfile.objects.get(person=person)
    assert profile.father_workplace == "广东省深圳市" and profile.both_parents_away
    assert person in services.without_effective_guardianship(users["village"])
    assert "监护人监护能力不足" in client_for("village").get(f"/persons/{person.pk}/").content.decode()


def test_save_profile_takes_values_keeps_the_others_and_bumps_the_version(users):
    person = _make(users["village"], "孙小梅")
    profile = services.save_profile(user=users["village"], person=person,
                                    data={"schooling": "primary", "guardian_name": "孙奶奶"})
    assert isinstance(profile, ChildProfile)
    services.save_profile(user=users["village"], person=person, data={"guardianship_rating": "fair"})
    stored = ChildProfile.objects.get(person=person)
    assert (stored.schooling, stored.guardian_name, stored.guardianship_rating) == ("primary", "孙奶奶", "fair")
    assert Person.objects.get(pk=person.pk).version == person.version + 2
    elder = _make(users["village"], "周大爷", categories=["solitary_elder"])
    services.save_profile(user=users["village"], person=elder, data={"living": "alone", "self_care": "partial"})
    assert (elder.elder_profile.living, elder.elder_profile.self_care) == ("alone", "partial")


def test_save_profile_refuses_a_value_not_allowed_by_field_and_writes_nothing(users):
    person = _make(users["village"], "吴小军")
    with pytest.raises(ValidationError) as caught:
        services.save_profile(user=users["village"], person=person,
                              data={"guardian_name": "吴爷爷", "guardianship_rating": "excellent"})
    assert "guardianship_rating" in caught.value.message_dict
    assert not ChildProfile.objects.filter(person=person).exists()
    assert Person.objects.get(pk=person.pk).version == person.version
    other = _make(users["village"], "郑某", categories=["disabled_person"])
    with pytest.raises(ValidationError, match="无需填写专项信息"):
        services.save_profile(user=users["village"], person=other, data={})


def test_profile_page_shows_a_service_error_beside_its_field(client_for, users, monkeypatch):
    person = _make(users["village"], "冯小宝")

    def refuse(**_kwargs):
        raise ValidationError({"guardian_phone": "监护人电话应为11位手机号"})

    monkeypatch.setattr(services, "save_profile", refuse)
    response = client_for("village").post(f"/persons/{person.pk}/profile/", {"health": "healthy",
                                                                              "guardian_phone": "13800138000"})
    assert response.status_code == 200
    assert response.context["form"].errors["guardian_phone"] == ["监护人电话应为11位手机号"]
    assert "监护人电话应为11位手机号" in response.content.decode()


def test_list_count_is_capped_for_huge_scopes(client_for, users, monkeypatch):
    from guanai.core import pagination

    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    body = client_for("village").get("/persons/").content.decode()
    assert "超过 5 人" in body
    monkeypatch.setattr(pagination, "COUNT_CAP", 100000)
    exact = services.search_persons(users["village"]).count()
    assert f"共 {exact} 人" in client_for("village").get("/persons/").content.decode()


def test_household_groups_persons_with_their_relations(client_for, users):
    grandfather = _make(users["village"], "马德胜", categories=["solitary_elder"])
    child = _make(users["village"], "马小龙")
    client = client_for("village")
    client.post(f"/persons/{grandfather.pk}/household/", {"action": "create"})
    grandfather.refresh_from_db()
    assert grandfather.household is not None and grandfather.relation_to_head == "head"
    # The service's error by field is shown on the person's page as a message.
    response = client.post(f"/persons/{grandfather.pk}/household/", {"action": "add", "member": child.pk}, follow=True)
    assert "请选择与户主的关系" in response.content.decode()
    version = grandfather.household.version
    client.post(f"/persons/{grandfather.pk}/household/", {"action": "add", "member": child.pk, "relation": "grandchild"})
    child.refresh_from_db()
    assert child.household_id == grandfather.household_id and child.get_relation_to_head_display() == "孙子女"
    assert child.household.version == version + 1  # claimed (no version to compare on this page)
    page = client.get(f"/persons/{child.pk}/").content.decode()
    assert "马德胜" in page and "马德胜户" in page
    # The head cannot leave while others remain; a clear message says why.
    response = client.post(f"/persons/{grandfather.pk}/household/", {"action": "remove"}, follow=True)
    assert "户主不能在还有其他成员时移出" in response.content.decode()


def test_a_person_from_another_village_cannot_join(client_for, users):
    head = _make(users["township"], "冯大山", area="990101001001", categories=["solitary_elder"])
    other = _make(users["township"], "冯小山", area="990101001002")
    services.create_household_for_person(user=users["township"], head=head)
    head.refresh_from_db()
    with pytest.raises(ValidationError) as err:
        households.add_person(user=users["township"], household=head.household, expected_version=None, person=other,
                              relation="grandchild")
    assert "同一村" in str(err.value)


def test_renaming_the_head_renames_the_household(users):
    head = _make(users["village"], "卫大海", categories=["solitary_elder"])
    services.create_household_for_person(user=users["village"], head=head)
    head = Person.objects.get(pk=head.pk)
    services.update_person(user=users["village"], person=head, expected_version=head.version, data={"name": "卫大河"})
    assert str(Person.objects.get(pk=head.pk).household) == "卫大河户"
