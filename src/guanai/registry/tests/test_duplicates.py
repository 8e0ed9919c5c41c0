from datetime import date

from guanai.audit.models import AuditEvent
from guanai.registry import services
from guanai.registry.duplicates import merge_persons, probable_duplicates
from guanai.registry.models import Person


def _twins(users):
    born = date(2015, 6, 1)
    first = services.create_person(user=users["village"], area_code="990101001001",
                                   data={"name": "黄小丽", "birth_date": born, "phone": "13800001111"},
                                   categories=["left_behind_child"])
    second = services.create_person(user=users["township"], area_code="990101001002",
                                    data={"name": "黄小丽", "birth_date": born}, categories=["child_in_difficulty"])
    services.assess_risk(user=users["township"], person=second, assessed_on=date(2026, 1, 5),
                         scores={"safety": 2}, flags=[])
    return first, second


def test_same_name_and_birth_date_in_a_township_are_flagged(users):
    first, second = _twins(users)
    groups = probable_duplicates(users["township"])
    assert any({p.pk for p in g.persons} == {first.pk, second.pk} for g in groups)
    # A village worker sees only their own village's record, so no pair.
    assert not any(second.pk in {p.pk for p in g.persons} for g in probable_duplicates(users["village"]))


def test_merge_keeps_history_and_moves_categories_and_assessments(users):
    first, second = _twins(users)
    merge_persons(user=users["township"], keep=first, duplicate=second)
    second.refresh_from_db()
    assert second.status == Person.EXITED and second.exit_reason == "merged" and second.merged_into_id == first.pk
    assert set(first.categories.values_list("category", flat=True)) == {"left_behind_child", "child_in_difficulty"}
    assert first.assessments.count() == 1 and first.assessments.get().is_current
    assert AuditEvent.objects.filter(object_id=str(first.pk), detail__contains="合并重复档案").exists()


def test_merge_through_the_page(users, client_for):
    first, second = _twins(users)
    client = client_for("township")
    assert "黄小丽" in client.get("/persons/duplicates/").content.decode()
    response = client.post("/persons/duplicates/merge/", {"keep": first.pk, "duplicate": second.pk})
    assert response.status_code == 302
    assert Person.objects.get(pk=second.pk).merged_into_id == first.pk
    again = client.post("/persons/duplicates/merge/", {"keep": first.pk, "duplicate": second.pk}, follow=True)
    assert "只能合并在册人员的档案" in again.content.decode()


def test_a_village_worker_cannot_merge_a_record_outside_their_village(users, client_for):
    first, second = _twins(users)
    response = client_for("village").post("/persons/duplicates/merge/", {"keep": first.pk, "duplicate": second.pk})
    assert response.status_code == 404
    assert Person.objects.get(pk=second.pk).status == Person.ACTIVE


def test_finding_duplicates_takes_a_fixed_number_of_queries(users, django_assert_max_num_queries):
    for n in range(4):
        for village in ("990101001001", "990101001002"):
            services.create_person(user=users["township"], area_code=village,
                                   data={"name": f"重名{n}", "birth_date": date(2014, 1, n + 1)},
                                   categories=["left_behind_child"])
    with django_assert_max_num_queries(4):
        groups = probable_duplicates(users["township"])
    assert sum(1 for g in groups if g.persons[0].name.startswith("重名")) == 4


def test_the_same_name_and_birth_date_in_two_townships_is_no_pair_but_a_third_in_one_is(users):
    """The pairs are found by name and birth date with fewer townships than records (one grouped
    scan of an index); a namesake in another township is not shown, one in the same township is."""
    born = date(2014, 3, 9)
    here = services.create_person(user=users["village"], area_code="990101001001",
                                  data={"name": "陈一鸣", "birth_date": born}, categories=["left_behind_child"])
    elsewhere = services.create_person(user=users["county"], area_code="990101002001",
                                       data={"name": "陈一鸣", "birth_date": born}, categories=["left_behind_child"])
    names = [{p.pk for p in g.persons} for g in probable_duplicates(users["admin"])]
    assert not any(here.pk in group or elsewhere.pk in group for group in names)
    again = services.create_person(user=users["township"], area_code="990101001002",
                                   data={"name": "陈一鸣", "birth_date": born}, categories=["left_behind_child"])
    names = [{p.pk for p in g.persons} for g in probable_duplicates(users["admin"])]
    assert {here.pk, again.pk} in names and not any(elsewhere.pk in group for group in names)
