"""``record_many`` (the importer's bulk events) stores exactly what ``record`` stores, one
event per object, whatever the values and however the rows are split into statements."""

from datetime import date

import pytest

from guanai.audit.models import AuditEvent
from guanai.audit.services import ObjectRef, record, record_many

pytestmark = pytest.mark.django_db

ODD_CHANGES = [
    None,
    {},
    {"area_id": (None, "990101001001"), "categories": (None, ["left_behind_child", "disabled"])},
    {"name": ("张三", "张　三"), "phone": ("", "１３８００１３８０００")},  # full-width, as typed
    {"flag": (None, True)},
    {"flag": (None, 1)},  # equal to True in Python, not in the trail
    {"birth_date": (date(2010, 5, 3), None), "tags": ({"b", "a"}, ("x",))},
    {"note": ("引号\"与\\反斜杠", "换行\n制表\t"), "emoji": (None, "😀")},
    {"amount": (1.5, 0)},
]


def _events(action, count):
    rows = AuditEvent.objects.filter(action=action).order_by("-id")[:count]
    return [(e.user_id, e.username, e.object_type, e.object_id, e.object_repr, e.changes, e.ip, e.path, e.detail)
            for e in reversed(rows)]


def test_record_many_stores_what_record_stores(users):
    user = users["admin"]
    for i, changes in enumerate(ODD_CHANGES):
        record(AuditEvent.UPDATE, user=user, object_type="registry.person", object_id=str(i),
               object_repr=f"人{i}", changes=changes, detail="导入人员")
    slow = _events(AuditEvent.UPDATE, len(ODD_CHANGES))
    count = record_many(user, AuditEvent.CREATE, [
        (ObjectRef("registry.person", i, f"人{i}"), changes) for i, changes in enumerate(ODD_CHANGES)],
        detail="导入人员")
    assert count == len(ODD_CHANGES)
    assert _events(AuditEvent.CREATE, len(ODD_CHANGES)) == slow


def test_a_shared_changes_dict_is_each_objects_own_event(users):
    shared = {"area_id": (None, "990101001001"), "categories": (None, ["left_behind_child"])}
    other = {"area_id": (None, "990101002002"), "categories": (None, ["solitary_elder"])}
    # 610 events in batches of 250: several multi-row statements and a short last one.
    items = [(ObjectRef("registry.person", i, f"人{i}"), shared if i % 3 else other) for i in range(610)]
    assert record_many(None, AuditEvent.CREATE, items, username="（命令行）", batch_size=250) == 610
    events = _events(AuditEvent.CREATE, 610)
    assert [e[3] for e in events] == [str(i) for i in range(610)]  # in order, one each
    assert [e[4] for e in events] == [f"人{i}" for i in range(610)]
    for i, event in enumerate(events):
        source = shared if i % 3 else other
        assert event[5] == {k: [None, "、".join(b) if isinstance(b, list) else b] for k, (_a, b) in source.items()}
        assert event[1] == "（命令行）"
