import pytest
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError

from guanai.areas.models import Area
from guanai.audit.models import AuditEvent
from guanai.coordination.models import MemberUnit


def test_create_update_delete_are_recorded_with_changed_fields(users):
    unit = MemberUnit.objects.create(name="示范市科技局", area_id="990100000000")
    unit.name = "示范市科学技术局"
    unit.save()
    pk = unit.pk
    unit.delete()
    events = list(AuditEvent.objects.filter(object_type="coordination.memberunit", object_id=str(pk)).order_by("id"))
    assert [e.action for e in events] == ["create", "update", "delete"]
    assert events[1].changes == {"name": ["示范市科技局", "示范市科学技术局"]}


def test_password_never_enters_the_trail(users):
    user = users["volunteer"]
    user.set_password("another-pass-2026")
    user.save()
    event = AuditEvent.objects.filter(object_type="accounts.user", object_id=str(user.pk)).latest("id")
    assert event.changes["password"] == ["***", "***"]


def test_events_cannot_be_changed_or_deleted_through_the_application(db):
    event = AuditEvent.objects.create(action=AuditEvent.VIEW, username="x")
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(username="y")


def test_database_refuses_raw_updates_and_deletes(db):
    event = AuditEvent.objects.create(action=AuditEvent.VIEW, username="x")
    for sql in ("UPDATE audit_auditevent SET username = 'y' WHERE id = %s", "DELETE FROM audit_auditevent WHERE id = %s"):
        with pytest.raises((IntegrityError, DatabaseError)):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).username == "x"


def test_admin_can_browse_audit_but_not_change(client_for):
    AuditEvent.objects.create(action=AuditEvent.VIEW, username="someone", object_repr="示例记录")
    client = client_for("admin")
    response = client.get("/admin/audit/auditevent/?action__exact=view")
    assert response.status_code == 200 and "示例记录" in response.content.decode()
    event = AuditEvent.objects.latest("id")
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_non_admin_cannot_reach_the_audit_log(client_for):
    response = client_for("office").get("/admin/audit/auditevent/")
    assert response.status_code == 302  # to the admin login: not staff
    assert Area.objects.exists()
