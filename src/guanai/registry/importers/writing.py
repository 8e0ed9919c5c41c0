"""Writing a batch of valid rows: compare with what is stored, create and update in bulk
(database-specific fast paths on SQLite and PostgreSQL, the ORM elsewhere)."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.utils import timezone

from guanai.accounts import roles
from guanai.accounts.roles import user_role
from guanai.areas.scoping import may_see_area
from guanai.audit.models import AuditEvent
from guanai.audit.services import ObjectRef, record_many
from guanai.core.db import insert_many, sql_literal, sqlite_secondary_indexes
from guanai.importing import ImportResult, RowError
from guanai.textproc import idcard
from guanai.textproc.pinyin import PinyinKeyCache

from .. import crypto
from ..models import ChildProfile, Person, PersonCategory
from ..transfers import REGISTERED_ELSEWHERE
from .columns import COLUMN_LABELS, UPDATABLE
from .validation import Row

# --- writing ----------------------------------------------------------------


class _FastInsert:
    """INSERT of many rows of one model in multi-row statements: what bulk_create does,
    without building model instances (the import's hot path).

    The caller gives tuples of the ``given`` fields, in that order; ``fixed`` fields
    have one value for every row (the importing user); every other column gets the
    field's default (auto_now fields the import's time), so fields added to the model
    later still get their values.
    """

    def __init__(self, model, given: list[str], now, fixed: dict | None = None):
        fixed = fixed or {}
        qn = connection.ops.quote_name
        fields = {f.attname: f for f in model._meta.concrete_fields}
        rest = [f for name, f in fields.items() if name not in given and not f.primary_key]
        literals, bound, constants = [], [], []
        for f in rest:
            if f.attname in fixed:
                value = fixed[f.attname]
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            else:
                value = f.get_default()
            value = f.get_db_prep_save(value, connection)
            literal = sql_literal(value)
            if literal is None:
                bound.append(f)
                constants.append(value)
            else:
                literals.append((f, literal))
        # Constants that need no escaping are written into the statement: binding ten
        # values fewer per row halves SQLite's share of the insert.
        # (sql_literal: text without apostrophes, % signs or backslashes, numbers, NULL.)
        self.constants = tuple(constants)
        columns = [fields[name].column for name in given] + [f.column for f in bound] + [f.column for f, _ in literals]
        values = ["%s"] * (len(given) + len(bound)) + [literal for _f, literal in literals]
        self.head = f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) VALUES "
        self.row = f"({', '.join(values)})"

    def params(self, rows: list[tuple]) -> list[tuple]:
        constants = self.constants
        return [row + constants for row in rows]

    def run(self, rows: list[tuple]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 5000):
                insert_many(cursor, self.head, self.row, self.params(rows[start:start + 5000]))


class _SqliteIndexes:
    """For a large first import on SQLite: drop the secondary indexes of the person and
    category tables (but the one people are looked up by, and unique ones) and build them
    again at the end, inside the same transaction. Building an index over the finished
    table is several times cheaper than updating a dozen B-trees on every insert; a
    rollback or a kill brings them back untouched.
    """

    KEEP = ('("id_number_hash"',)

    def __init__(self):
        self.dropped: list[tuple[str, str]] = []

    def drop(self, keep_lookup: bool = True) -> None:
        tables = [Person._meta.db_table, PersonCategory._meta.db_table]
        keep = self.KEEP if keep_lookup else ()
        with connection.cursor() as cursor:
            for name, sql in sqlite_secondary_indexes(cursor, tables):
                if any(column in sql for column in keep):
                    continue
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                self.dropped.append((name, sql))

    def restore_lookup(self) -> None:
        """Build again, now, a dropped index the import looks persons up by."""
        lookup = [(name, sql) for name, sql in self.dropped if any(column in sql for column in self.KEEP)]
        if lookup:
            with connection.cursor() as cursor:
                for name, sql in lookup:
                    cursor.execute(sql)
                    self.dropped.remove((name, sql))

    def restore(self) -> None:
        with connection.cursor() as cursor:
            for _name, sql in self.dropped:
                cursor.execute(sql)
        self.dropped = []


def _allocate_ids(model, count: int) -> list[int]:
    """Primary keys for ``count`` new rows, taken the way the database would take them."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [table, count])
            return [r[0] for r in cursor.fetchall()]
        # SQLite: the import holds the write lock, so nobody else takes ids meanwhile; the
        # AUTOINCREMENT counter is honoured so ids of deleted rows are never reused.
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
        return list(range(start, start + count))


SHEET_STRIDE = 10_000_000  # above Excel's 1,048,576 rows
_FAST_VENDORS = {"sqlite", "postgresql"}
INDEX_DEFERRAL_ROWS = 50_000
INDEX_DEFERRAL_STORED_PER_ROW = 2  # ...and a registry of at most this many persons per row of the file
INLINE_TALLY_ROWS = 5_000  # above this, the villages' tallies are refreshed in the background
PERSON_GIVEN = ["id", "name", "sex", "ethnicity", "birth_date", "id_number_encrypted", "id_number_hash",
                "id_number_masked", "phone", "area_id", "address", "hukou_place", "pinyin_full", "pinyin_initials",
                "id_suffix_hash"]
EXAMPLES = 20  # rows of each kind (created, updated) a preview shows
STORED_HASHES_UP_TO = 100_000  # persons: a registry this small has its ID hashes read once per import


class Writer:
    """Compares a batch of valid rows with the database and writes the difference."""

    EXISTING_FIELDS = ("pk", "id_number_hash", *UPDATABLE, "version")
    LOOKUP_FIELDS = ("id", "id_number_hash", *UPDATABLE, "version")

    def __init__(self, user, result: ImportResult, dry_run: bool):
        self.user = user
        self.user_id = user.pk if user is not None and user.pk else None
        self.result = result
        self.dry_run = dry_run
        self.restricted = user is not None and user_role(user) != roles.ADMIN
        self.pinyin = PinyinKeyCache()
        self.now = timezone.now()
        self.fast = connection.vendor in _FAST_VENDORS
        if self.fast and not dry_run:
            self.person_insert = _FastInsert(Person, PERSON_GIVEN, self.now, {"created_by_id": self.user_id})
            self.category_insert = _FastInsert(PersonCategory, ["person_id", "category"], self.now)
        self.indexes = _SqliteIndexes() if self.fast and connection.vendor == "sqlite" and not dry_run else None
        self.expected_rows = 0  # rows in the file, when known: decides on deferring index updates
        # Villages whose figures the import changes, each with the earliest day it changes them at
        # (a new person: today, none of the kept month ends; an updated one: None, every kept month).
        self.touched: dict[str, date | None] = {}
        self.started_empty: bool | None = None
        self.stored_hashes: set[str] | None = None
        self.stored_hashes_read = False
        self.next_id: int | None = None
        self.adapt_date = connection.ops.adapt_datefield_value
        self.suffix_hash = crypto.suffix_hasher()
        self.created_changes: dict[tuple, dict] = {}  # (village, categories) -> a created person's changes
        # During a key rotation a stored person's hash may be under an old key.
        self.old_hashers = [crypto.lookup_hasher(k) for k in crypto.known_keys()[1:]]

    def apply(self, rows: list[Row]) -> None:
        if self.started_empty is None:
            # Checked once, inside the import's transaction: into an empty registry (a first
            # load) every row creates a person, and duplicates within the file are caught by
            # the caller, so there is nothing to look up.
            self.started_empty = not Person.objects.exists()
            if (not self.started_empty and self.indexes is not None
                    and self.expected_rows < INDEX_DEFERRAL_ROWS):
                self.indexes = None
        existing = {} if self.started_empty else self._existing(rows)
        creates: list[Row] = []
        if not existing:
            creates = rows
        else:
            creates = self._compare(rows, existing)
        self.result.created += len(creates)
        self._example_created(creates)
        if self.dry_run or not creates:
            return
        today = timezone.localdate(self.now)
        for row in creates:
            self.touched.setdefault(row.area_id, today)
        if (self.indexes is not None and self.result.created == len(creates) and not self.indexes.dropped
                and len(creates) >= 0.9 * len(rows) and self.expected_rows >= INDEX_DEFERRAL_ROWS
                and (self.started_empty
                     or Person.objects.count() <= INDEX_DEFERRAL_STORED_PER_ROW * self.expected_rows)):
            # With nothing to look up, even the ID-hash index can wait for the end: into an
            # empty registry, or when the stored hashes are known (a batch then looks up only
            # rows the set holds, as a rule none; the first that does brings the index back).
            self.indexes.drop(keep_lookup=not self.started_empty and self._stored_hashes() is None)
        if self.fast:
            self._create_fast(creates)
        else:
            self._create_orm(creates)

    def _ids(self, count: int) -> list[int]:
        if connection.vendor != "sqlite":
            return _allocate_ids(Person, count)
        # SQLite: the import holds the write lock for its whole transaction, so after the
        # first look the next ids are simply counted on.
        if self.next_id is None:
            self.next_id = _allocate_ids(Person, 1)[0]
        start, self.next_id = self.next_id, self.next_id + count
        return list(range(start, start + count))

    def _create_fast(self, rows: list[Row]) -> None:
        ids = self._ids(len(rows))
        pinyin, adapt_date = self.pinyin, self.adapt_date
        suffix = self.suffix_hash
        numbers = [row.id_number for row in rows if row.id_number]
        ciphertexts = iter(crypto.encrypt_many(numbers))
        people, categories, profiles = [], [], []
        for pk, row in zip(ids, rows):
            number = row.id_number  # 18 characters, as validated: masked as mask_id_number does
            full, initials = pinyin(row.name)
            people.append((pk, row.name, row.sex, row.ethnicity, adapt_date(row.birth_date),
                           next(ciphertexts) if number else "", row.id_hash,
                           number[:6] + "********" + number[14:] if number else "",
                           row.phone, row.area_id, row.address, row.hukou_place, full, initials, suffix(number)))
            for code in row.categories:
                categories.append((pk, code))
            if row.child:
                profiles.append(ChildProfile(person_id=pk, **row.child))
        self.person_insert.run(people)
        self.category_insert.run(categories)
        if profiles:
            ChildProfile.objects.bulk_create(profiles, batch_size=500)
        self._note_created(ids)
        self.written(list(zip(ids, rows)), [])

    def _create_orm(self, rows: list[Row]) -> None:
        people = []
        for row in rows:
            full, initials = self.pinyin(row.name)
            number = row.id_number
            people.append(Person(
                name=row.name, sex=row.sex, ethnicity=row.ethnicity, birth_date=row.birth_date,
                id_number_encrypted=crypto.encrypt(number) if number else "", id_number_hash=row.id_hash,
                id_number_masked=idcard.mask_id_number(number) if number else "", phone=row.phone,
                id_suffix_hash=self.suffix_hash(number),
                area_id=row.area_id, address=row.address, hukou_place=row.hukou_place,
                pinyin_full=full, pinyin_initials=initials, created_by_id=self.user_id))
        Person.objects.bulk_create(people, batch_size=500)
        PersonCategory.objects.bulk_create(
            [PersonCategory(person_id=p.pk, category=c) for r, p in zip(rows, people) for c in r.categories],
            batch_size=1000)
        ChildProfile.objects.bulk_create(
            [ChildProfile(person_id=p.pk, **r.child) for r, p in zip(rows, people) if r.child], batch_size=500)
        self._note_created([p.pk for p in people])
        self.written([(p.pk, r) for p, r in zip(people, rows)], [])

    def written(self, created: list[tuple[int, Row]], updated: list[tuple[int, dict, str]]) -> None:
        """Called once per batch, inside the import's transaction, after the batch is written:
        ``created`` the new persons (pk, row), ``updated`` the changed ones (pk, {field: (old,
        new)}, categories and child profile fields included, name). The one place for what
        follows each written person: one audit event each, written in bulk."""
        username = "" if self.user else "（命令行）"
        if created:
            # One changes dict per (village, categories), shared by the persons created so:
            # record_many encodes each once.
            shared = self.created_changes
            record_many(self.user, AuditEvent.CREATE, (
                (ObjectRef("registry.person", pk, row.name),
                 shared.get((row.area_id, row.categories))
                 or shared.setdefault((row.area_id, row.categories),
                                      {"area_id": (None, row.area_id), "categories": (None, list(row.categories))}))
                for pk, row in created), detail="导入人员", username=username)
        if updated:
            record_many(self.user, AuditEvent.UPDATE, (
                (ObjectRef("registry.person", pk, name), changes) for pk, changes, name in updated),
                detail="导入人员", username=username)

    def _note_created(self, ids: list[int]) -> None:
        """Keep the created persons' pks as runs [first, last] (one run per batch, as a rule)."""
        ranges = self.result.created_ranges
        for pk in sorted(ids):
            if ranges and ranges[-1][1] == pk - 1:
                ranges[-1][1] = pk
            else:
                ranges.append([pk, pk])

    def _example_created(self, rows: list[Row]) -> None:
        room = EXAMPLES - len(self.result.examples.setdefault("created", []))
        for row in rows[:max(room, 0)]:
            self.result.examples["created"].append({
                "row": row.number, "name": row.name, "sex": row.sex, "birth_date": _iso(row.birth_date),
                "id_number": idcard.mask_id_number(row.id_number) if row.id_number else "",
                "area_id": row.area_id, "phone": row.phone, "categories": list(row.categories)})

    def _example_updated(self, row: Row, changes: dict) -> None:
        examples = self.result.examples.setdefault("updated", [])
        if len(examples) < EXAMPLES:
            examples.append({"row": row.number, "name": row.name, "changes": [
                [f, _shown(old), _shown(new)] for f, (old, new) in changes.items()]})

    def _compare(self, rows: list[Row], existing: dict) -> list[Row]:
        """Count and write updates; return the rows that create a person."""
        pks = [e["pk"] for e in existing.values()]
        cats: dict[int, set[str]] = {}
        for person_id, code in PersonCategory.objects.filter(person_id__in=pks).values_list("person_id", "category"):
            cats.setdefault(person_id, set()).add(code)
        profiles = {}
        if any(r.child for r in rows):
            profiles = {p.person_id: p for p in ChildProfile.objects.filter(person_id__in=pks)}

        creates: list[Row] = []
        updates: list[Person] = []
        changed_people: list[tuple[int, dict, str]] = []
        new_categories: list[PersonCategory] = []
        new_profiles: list[ChildProfile] = []
        changed_profiles: list[ChildProfile] = []
        profile_fields: set[str] = set()
        for row in rows:
            old = existing.get(row.key)
            if old is None:
                creates.append(row)
                continue
            if self.restricted and not may_see_area(self.user, old["area_id"]):
                self.result.errors.append(RowError(
                    row.number, row.labels.get("id_number") or COLUMN_LABELS["id_number"], REGISTERED_ELSEWHERE))
                continue
            changes = {}
            for f in UPDATABLE:
                value = getattr(row, f)
                if value != "" and value is not None and value != old[f]:
                    changes[f] = value
            diff: dict = {}
            have = cats.get(old["pk"], ())
            missing_categories = [c for c in row.categories if c not in have]
            profile_changed = False
            if row.child:
                profile = profiles.get(old["pk"])
                if profile is None:
                    new_profiles.append(ChildProfile(person_id=old["pk"], **row.child))
                    profile_changed = True
                    diff = {k: ("", v) for k, v in row.child.items()}
                else:
                    diff = {k: (getattr(profile, k), v) for k, v in row.child.items() if getattr(profile, k) != v}
                    if diff:
                        for k, (_old, v) in diff.items():
                            setattr(profile, k, v)
                        profile_fields.update(diff)
                        changed_profiles.append(profile)
                        profile_changed = True
            if not changes and not missing_categories and not profile_changed:
                self.result.unchanged += 1
                continue
            self.result.updated += 1
            changed = {f: (old[f], v) for f, v in changes.items()} | diff
            if missing_categories:
                changed["categories"] = (sorted(have), sorted({*have, *missing_categories}))
            changed_people.append((old["pk"], changed, row.name))
            self._example_updated(row, changed)
            new_categories.extend(PersonCategory(person_id=old["pk"], category=c) for c in missing_categories)
            # Any change, a new category or profile included, moves the person's version on
            # (the edit form's optimistic lock).
            self.touched.update(dict.fromkeys((old["area_id"], row.area_id)))
            person = Person(pk=old["pk"], version=old["version"] + 1, updated_at=self.now,
                            **{f: changes.get(f, old[f]) for f in UPDATABLE})
            person.pinyin_full, person.pinyin_initials = self.pinyin(person.name)
            updates.append(person)
        if not self.dry_run:
            if updates:
                Person.objects.bulk_update(updates, [*UPDATABLE, "pinyin_full", "pinyin_initials", "version",
                                                     "updated_at"], batch_size=500)
            if new_categories:
                PersonCategory.objects.bulk_create(new_categories, batch_size=1000)
            if new_profiles:
                ChildProfile.objects.bulk_create(new_profiles, batch_size=500)
            if changed_profiles:
                ChildProfile.objects.bulk_update(changed_profiles, sorted(profile_fields), batch_size=500)
            if changed_people:
                self.written([], changed_people)
        return creates

    def _existing(self, rows: list[Row]) -> dict:
        found: dict = {}
        hashes = [r.id_hash for r in rows if r.id_hash]
        alias = {}  # a hash under an old key -> the row's hash under the current one
        for hasher in self.old_hashers:
            alias.update((hasher(r.id_number), r.id_hash) for r in rows if r.id_hash)
        hashes += alias
        stored = self._stored_hashes()
        if stored is not None:
            hashes = [h for h in hashes if h in stored]
        without = [r for r in rows if not r.id_hash]
        if (hashes or without) and self.indexes is not None:
            self.indexes.restore_lookup()  # a look-up ahead: by the ID-hash index, not a table scan
        if hashes:
            # Plain SQL, joining a list of values: SQLite's planner scans the whole table for
            # a long IN (...) list, and the ORM's per-parameter work costs more than the look-up.
            qn = connection.ops.quote_name
            columns = ", ".join("p." + qn(Person._meta.get_field(f).column) for f in self.LOOKUP_FIELDS)
            sql = (f"WITH k(h) AS (VALUES {', '.join(['(%s)'] * len(hashes))}) "
                   f"SELECT {columns} FROM k JOIN {qn(Person._meta.db_table)} p ON p.{qn('id_number_hash')} = k.h")
            with connection.cursor() as cursor:
                cursor.execute(sql, hashes)
                for values in cursor.fetchall():
                    record = dict(zip(self.EXISTING_FIELDS, values))
                    if record["birth_date"] is not None:
                        record["birth_date"] = _as_date(record["birth_date"])
                    found[alias.get(record["id_number_hash"], record["id_number_hash"])] = record
        if without:
            qs = Person.objects.filter(id_number_hash="", area_id__in={r.area_id for r in without},
                                       name__in={r.name for r in without})
            for values in qs.values(*self.EXISTING_FIELDS):
                found.setdefault(("", values["area_id"], values["name"], values["birth_date"]), values)
        return found


    def _stored_hashes(self) -> set[str] | None:
        """The ID hashes of the persons stored when the import began, read once, or None (look
        each batch up): on SQLite inside the import's transaction, which reads one snapshot, so
        the set holds every hash a look-up could find; the persons the import creates are never
        looked up again (the caller refuses a second row of the same person). For a registry of
        at most STORED_HASHES_UP_TO persons; a batch then asks only for the hashes in the set,
        as a rule none."""
        if not self.stored_hashes_read:
            self.stored_hashes_read = True
            if (connection.vendor == "sqlite" and connection.in_atomic_block
                    and Person.objects.count() <= STORED_HASHES_UP_TO):
                self.stored_hashes = set(Person.objects.exclude(id_number_hash="")
                                         .values_list("id_number_hash", flat=True).iterator(chunk_size=10_000))
        return self.stored_hashes


def _iso(value) -> str:
    return value.isoformat() if value else ""


def _shown(value) -> str:
    if isinstance(value, (list, tuple, set)):
        return "、".join(str(v) for v in value)
    return _iso(value) if isinstance(value, date) else str(value or "")


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
