"""Field keys with ids, their rotation, and the search by an ID number's last four digits."""

import base64
import hashlib
import hmac

import pytest
from django.core.management import call_command

from guanai.registry import crypto, keyrotation, services
from guanai.registry.importers import import_persons
from guanai.registry.models import Person

VILLAGE = "990101001001"
OTHER_VILLAGE = "990102001001"
ID_A = "11010519491231002X"
ID_B = "440524188001010014"
ID_C = "110105194803150119"  # ends in 0119, as an official reads it aloud
KEY_1, KEY_2 = "first-field-key-for-tests", "second-field-key-for-tests"


def _make(user, name, id_number, area=VILLAGE):
    return services.create_person(user=user, area_code=area, data={"name": name},
                                  categories=["solitary_elder"], id_number=id_number)


@pytest.fixture
def key_1(settings):
    # The demo's persons were written under the suite's key (id 0): kept readable.
    settings.FIELD_OLD_KEYS = {0: settings.FIELD_ENCRYPTION_KEY}
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_KEY_ID = KEY_1, 1
    return settings


def _rotate_to_key_2(settings):
    settings.FIELD_OLD_KEYS = {**settings.FIELD_OLD_KEYS, 1: KEY_1}
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_KEY_ID = KEY_2, 2


def test_every_ciphertext_names_its_key_and_legacy_ones_read_as_key_0(settings):
    settings.FIELD_KEY_ID = 0
    token = crypto.encrypt(ID_A)
    assert token.startswith("0:") and crypto.decrypt(token) == ID_A
    # Written before keys had ids: plain base64 of nonce + ciphertext, under key 0.
    legacy = token.removeprefix("0:")
    base64.b64decode(legacy)
    assert crypto.key_id_of(legacy) == 0 and crypto.decrypt(legacy) == ID_A


def test_batch_forms_answer_as_the_single_ones(key_1):
    numbers = [ID_A, ID_B, ID_C, "11010519491231002x", ""]
    assert [crypto.decrypt(t) for t in crypto.encrypt_many(numbers)] == numbers
    assert crypto.hash_many(numbers) == [crypto.lookup_hash(n) for n in numbers]
    hasher = crypto.suffix_hasher()
    assert [hasher(n) for n in numbers] == [crypto.suffix_hash(n) for n in numbers]
    assert crypto.suffix_hash("11010519491231002x") == crypto.suffix_hash(ID_A)  # x and X are one suffix
    assert crypto.suffix_hash(ID_C) in crypto.suffix_hashes("0119")


def test_an_unknown_key_id_is_refused_in_chinese(key_1):
    token = crypto.encrypt(ID_A).replace("1:", "7:", 1)
    with pytest.raises(crypto.UnknownKeyError, match="密钥编号7"):
        crypto.decrypt(token)


@pytest.mark.parametrize("query", ["0119", "０１１９"])
def test_search_by_the_last_four_digits_of_the_id(users, query):
    person = _make(users["village"], "王秀英", ID_C)
    other = _make(users["village"], "李桂兰", ID_A)
    found = services.search_persons(users["village"], query)
    assert person in found and other not in found
    assert other in services.search_persons(users["village"], "002x")
    assert "0119" not in Person.objects.get(pk=person.pk).id_suffix_hash


def test_search_by_the_last_four_digits_is_scoped(users):
    person = _make(users["county"], "赵凤英", ID_C, area="990101002001")
    assert person in services.search_persons(users["county"], "0119")
    assert person not in services.search_persons(users["village"], "0119")


def test_the_person_list_search_box_finds_by_the_last_four_digits(client_for, users):
    _make(users["village"], "王秀英", ID_C)
    page = client_for("village").get("/persons/?q=0119").content.decode()
    assert "王秀英" in page


def test_imported_persons_are_found_by_the_last_four_digits(users, tmp_path):
    path = tmp_path / "persons.csv"
    path.write_text(f"姓名,身份证号,村（社区）代码,人员类别\n孙玉兰,{ID_C},{VILLAGE},空巢老人\n", encoding="utf-8")
    result = import_persons(path, user=users["village"])
    assert result.created == 1, result.errors
    assert [p.name for p in services.search_persons(users["village"], "0119")] == ["孙玉兰"]


def test_the_fill_finds_persons_stored_before_the_suffix_index(users):
    person = _make(users["village"], "王秀英", ID_C)
    Person.objects.filter(pk=person.pk).update(id_suffix_hash="")
    assert not services.search_persons(users["village"], "0119").exists()
    assert keyrotation.fill_suffix_hashes() == 1
    assert person in services.search_persons(users["village"], "0119")


def test_the_fill_command_goes_batch_by_batch_and_continues_where_it_stopped(users):
    people = [_make(users["village"], name, number)
              for name, number in (("王秀英", ID_C), ("李桂兰", ID_A), ("张建国", ID_B))]
    Person.objects.filter(pk__in=[p.pk for p in people]).update(id_suffix_hash="")
    call_command("fill_suffix_hashes", batch=1, limit=1)
    assert keyrotation.suffix_hashes_missing().count() == 2
    call_command("fill_suffix_hashes")
    assert not keyrotation.suffix_hashes_missing().exists()
    assert people[0] in services.search_persons(users["village"], "0119")


def test_the_migration_fills_a_small_registry_and_leaves_a_large_one_to_the_command(users, monkeypatch):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("guanai.registry.migrations.0009_fill_id_suffix_hash")
    people = [_make(users["village"], name, number) for name, number in (("王秀英", ID_C), ("李桂兰", ID_A))]
    Person.objects.filter(pk__in=[p.pk for p in people]).update(id_suffix_hash="")
    monkeypatch.setattr(migration, "SMALL", 1)  # "large": more than SMALL to fill
    migration.fill(apps, None)
    assert keyrotation.suffix_hashes_missing().count() == 2
    monkeypatch.setattr(migration, "SMALL", 2)
    migration.fill(apps, None)
    assert not keyrotation.suffix_hashes_missing().exists()


def test_rotation_from_key_1_to_key_2_keeps_everything_readable_and_searchable(key_1, users, client_for):
    people = [_make(users["village"], name, number)
              for name, number in (("王秀英", ID_C), ("李桂兰", ID_A), ("张建国", ID_B))]
    _rotate_to_key_2(key_1)
    # Before the rotation has run: old ciphertexts and hashes still answer.
    for person, number in zip(people, (ID_C, ID_A, ID_B)):
        stored = Person.objects.get(pk=person.pk)
        assert stored.id_number_encrypted.startswith("1:")
        assert services.reveal_id_number(users["village"], stored) == number
        assert stored in services.search_persons(users["village"], number)
    assert people[0] in services.search_persons(users["village"], "0119")
    with pytest.raises(Exception, match="已登记"):
        _make(users["village"], "重复", ID_A)  # the duplicate check sees the old key's hash

    call_command("rotate_field_key", batch=2)

    for person, number in zip(people, (ID_C, ID_A, ID_B)):
        stored = Person.objects.get(pk=person.pk)
        assert stored.id_number_encrypted.startswith("2:") and crypto.decrypt(stored.id_number_encrypted) == number
        assert stored.id_number_hash == crypto.lookup_hash(number)
        assert stored in services.search_persons(users["village"], number)
    assert people[0] in services.search_persons(users["village"], "0119")
    # The old key can go: everything is read with key 2 alone.
    key_1.FIELD_OLD_KEYS = {}
    page = client_for("village").get("/persons/?q=0119").content.decode()
    assert "王秀英" in page
    assert services.reveal_id_number(users["village"], Person.objects.get(pk=people[1].pk)) == ID_A


def test_an_import_during_a_rotation_updates_the_person_rather_than_filing_again(key_1, users, tmp_path):
    person = _make(users["village"], "王秀英", ID_C)
    _rotate_to_key_2(key_1)
    path = tmp_path / "persons.csv"
    path.write_text(f"姓名,身份证号,村（社区）代码,联系电话\n王秀英,{ID_C},{VILLAGE},13812345678\n", encoding="utf-8")
    result = import_persons(path, user=users["village"])
    assert (result.created, result.updated) == (0, 1), result.errors
    assert Person.objects.get(pk=person.pk).phone == "13812345678"


def test_an_interrupted_rotation_continues_where_it_stopped(key_1, users, monkeypatch):
    numbers = [ID_A, ID_B, ID_C]
    people = [_make(users["village"], f"人员{i}", n) for i, n in enumerate(numbers)]
    _rotate_to_key_2(key_1)

    # The first run dies in its second batch (a kill, the database gone away).
    before = keyrotation.pending().count()
    batch = max(1, before // 3)
    real = crypto.encrypt_many
    calls = []

    def dying(plains):
        calls.append(len(plains))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(plains)

    monkeypatch.setattr(crypto, "encrypt_many", dying)
    with pytest.raises(KeyboardInterrupt):
        keyrotation.rotate(batch=batch)
    monkeypatch.setattr(crypto, "encrypt_many", real)
    assert keyrotation.pending().count() == before - batch  # the first batch was kept

    done = keyrotation.rotate(batch=batch)
    assert (done.rotated, done.remaining) == (before - batch, 0)
    key_1.FIELD_OLD_KEYS = {}
    for person, number in zip(people, numbers):
        assert crypto.decrypt(Person.objects.get(pk=person.pk).id_number_encrypted) == number


def test_the_rotation_leaves_a_row_edited_meanwhile_alone(key_1, users):
    person = _make(users["village"], "王秀英", ID_C)
    _rotate_to_key_2(key_1)
    token = Person.objects.get(pk=person.pk).id_number_encrypted
    # Someone saves the person under the new key between the rotation's read and its write.
    newer = crypto.encrypt(ID_C)
    real_filter = Person.objects.filter

    def racing(*args, **kwargs):
        if kwargs.get("id_number_encrypted") == token:
            Person.objects.all().update(id_number_encrypted=newer)
        return real_filter(*args, **kwargs)

    Person.objects.filter = racing
    try:
        result = keyrotation.rotate()
    finally:
        Person.objects.filter = real_filter
    assert result.skipped == 1 and Person.objects.get(pk=person.pk).id_number_encrypted == newer


@pytest.mark.parametrize("length", [0, 1, 31, 32, 33, 63, 64, 65, 100])
def test_hmac_with_pads_hashed_once_equals_the_library_hmac(length):
    key = hashlib.sha512(str(length).encode()).digest() * 2
    key = key[:length]
    hmac_of = crypto.hmac_sha256(key)
    for message in (b"", b"0119", ID_A.encode(), "１１０１０５１９４９１２３１００２Ｘ".encode(), bytes(range(256)) * 3):
        assert hmac_of(message) == hmac.digest(key, message, "sha256")
        assert hmac_of(message) == hmac_of(message)  # the pads are copied, never consumed


def test_the_batch_hashers_answer_as_the_single_ones_under_old_keys_too(key_1):
    _rotate_to_key_2(key_1)
    numbers = [ID_A, ID_B, ID_C, "11010519491231002x"]
    for old in crypto.known_keys():
        assert [crypto.lookup_hasher(old)(n) for n in numbers] == [
            hmac.digest(old.hash_key, n.encode(), "sha256").hex() for n in numbers]
    assert sorted(crypto.lookup_hashes(ID_A)) == sorted(crypto.lookup_hasher(k)(ID_A) for k in crypto.known_keys())
