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


# --- the kept groups (DuplicateMember): the same as counted, after every kind of write --------------

from guanai.registry import duplicates as dups  # noqa: E402
from guanai.registry.models import DuplicateMember  # noqa: E402
from guanai.registry.transfers import move_person  # noqa: E402
from guanai.stats.tallies import invalidate_tallies, refresh_all  # noqa: E402

RECORD_USERS = ("admin", "city", "county", "township", "village")


def _shown(groups):
    return [(g.reason, [p.pk for p in g.persons]) for g in groups]


def _kept_agrees(users):
    """Every record user's kept groups are the counted ones; returns the admin's."""
    assert dups._kept_complete()
    for name in RECORD_USERS:
        assert _shown(dups._kept_groups(users[name], 200)) == _shown(dups._live_groups(users[name], 200)), name
    return _shown(probable_duplicates(users["admin"]))


def _with_id_hash(person, value):
    person.id_number_hash = value
    person.save()  # a write the kept figures hear (as an import's update or a merge)


def test_the_kept_groups_follow_every_write(users):
    refresh_all(month_ends=False)
    first, second = _twins(users)
    assert [dups.NAME_REASON, [first.pk, second.pk]] in [list(g) for g in _kept_agrees(users)]
    # A village worker sees one of the two: no pair.
    assert not any(second.pk in pks for _r, pks in _shown(probable_duplicates(users["village"])))

    elsewhere = services.create_person(user=users["county"], area_code="990101002001",
                                       data={"name": "黄小丽", "birth_date": first.birth_date},
                                       categories=["left_behind_child"])
    _with_id_hash(first, "same-number")
    _with_id_hash(elsewhere, "same-number")
    shown = _kept_agrees(users)
    assert (dups.ID_REASON, [first.pk, elsewhere.pk]) in shown
    assert (dups.NAME_REASON, [first.pk, second.pk]) not in shown  # the first shown once, in its ID group

    second = services.update_person(user=users["township"], person=second, expected_version=second.version,
                                    data={"name": "黄晓丽"})
    assert not any(second.pk in pks for _r, pks in _kept_agrees(users))
    second = services.update_person(user=users["township"], person=second, expected_version=second.version,
                                    data={"name": "黄小丽", "birth_date": date(2015, 6, 2)})
    assert not any(second.pk in pks for _r, pks in _kept_agrees(users))
    second = services.update_person(user=users["township"], person=second, expected_version=second.version,
                                    data={"birth_date": first.birth_date})
    _kept_agrees(users)

    _with_id_hash(elsewhere, "another-number")  # an ID number edited: the group is gone
    shown = _kept_agrees(users)
    assert (dups.NAME_REASON, [first.pk, second.pk]) in shown and not any(elsewhere.pk in pks for _r, pks in shown)

    moved = move_person(user=users["county"], person=elsewhere, to_area_code="990101001002", reason="迁居")
    assert (dups.NAME_REASON, [first.pk, second.pk, moved.pk]) in _kept_agrees(users)
    move_person(user=users["county"], person=moved, to_area_code="990101002001", reason="迁回")
    assert (dups.NAME_REASON, [first.pk, second.pk]) in _kept_agrees(users)

    services.exit_person(user=users["township"], person=Person.objects.get(pk=second.pk), reason="other",
                         exit_date=date(2026, 1, 10))
    assert not any(second.pk in pks for _r, pks in _kept_agrees(users))

    moved = move_person(user=users["county"], person=Person.objects.get(pk=elsewhere.pk),
                        to_area_code="990101001002", reason="迁居")
    assert (dups.NAME_REASON, [first.pk, moved.pk]) in _kept_agrees(users)
    merge_persons(user=users["township"], keep=Person.objects.get(pk=first.pk), duplicate=moved)
    assert not any(first.pk in pks for _r, pks in _kept_agrees(users))

    third = services.create_person(user=users["village"], area_code="990101001001",
                                   data={"name": "黄小丽", "birth_date": first.birth_date},
                                   categories=["left_behind_child"])
    assert (dups.NAME_REASON, [first.pk, third.pk]) in _kept_agrees(users)
    Person.objects.get(pk=third.pk).delete()
    assert not any(first.pk in pks for _r, pks in _kept_agrees(users))
    assert not DuplicateMember.objects.filter(person_id=third.pk).exists()


def test_after_an_import_the_groups_are_counted_until_the_full_refresh(users):
    refresh_all(month_ends=False)
    born = date(2016, 2, 3)
    # A large import writes in bulk (no signals) and takes the kept figures away.
    Person.objects.bulk_create([Person(area_id=code, name="李导入", birth_date=born, id_number_hash="imported")
                                for code in ("990101001001", "990101002001")])
    invalidate_tallies()
    assert not dups._kept_complete()
    imported = set(Person.objects.filter(name="李导入").values_list("pk", flat=True))
    assert any(set(pks) == imported for _r, pks in _shown(probable_duplicates(users["admin"])))
    refresh_all(month_ends=False)
    assert any(set(pks) == imported for _r, pks in _kept_agrees(users))


def test_a_new_day_still_reads_the_kept_groups(users):
    """The groups do not move with the date: before the day's first full refresh they are read
    as kept (the page of a province would otherwise take seconds each morning)."""
    from datetime import timedelta

    from django.utils import timezone

    from guanai.stats.models import AreaTally
    from guanai.stats.tallies import COMPLETE, tallies_fresh

    refresh_all(month_ends=False)
    first, second = _twins(users)
    AreaTally.objects.filter(key=COMPLETE).update(updated_at=timezone.now() - timedelta(days=1))
    assert not tallies_fresh() and dups._kept_complete()
    assert (dups.NAME_REASON, [first.pk, second.pk]) in _kept_agrees(users)


def test_before_a_first_full_refresh_the_groups_are_counted(users):
    first, second = _twins(users)
    DuplicateMember.objects.all().delete()  # as just after the migration: no group kept yet
    assert not dups._kept_complete()
    assert any({p.pk for p in g.persons} == {first.pk, second.pk} for g in probable_duplicates(users["township"]))


def test_the_kept_groups_take_a_fixed_number_of_queries(users, django_assert_num_queries):
    refresh_all(month_ends=False)
    for n in range(4):
        for village in ("990101001001", "990101001002"):
            services.create_person(user=users["township"], area_code=village,
                                   data={"name": f"重名{n}", "birth_date": date(2014, 1, n + 1)},
                                   categories=["left_behind_child"])
    with django_assert_num_queries(4):  # complete? (tallies, groups) the members in scope; their persons
        groups = probable_duplicates(users["township"])
    assert sum(1 for g in groups if g.persons[0].name.startswith("重名")) == 4


def test_the_page_says_more_follow_only_when_a_kind_filled_its_share(users, client_for, monkeypatch):
    """One name group and a share of two: no note; a share of one: the note. Each row is a card on
    a phone, every cell labelled."""
    from guanai.registry import duplicates

    _twins(users)
    client = client_for("township")
    monkeypatch.setattr(duplicates, "LIMIT", 1000)
    page = client.get("/persons/duplicates/").content.decode()
    assert "黄小丽" in page and "每类最多列出" not in page
    assert 'class="table table-sm table-cards' in page and 'data-label="出生日期"' in page
    monkeypatch.setattr(duplicates, "LIMIT", 1)
    assert "每类最多列出1组" in client.get("/persons/duplicates/").content.decode()
