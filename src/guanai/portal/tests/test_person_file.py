"""A person's printed file (档案): read through the person's selector, which audits the sight."""

from guanai.areas.scoping import scope_queryset
from guanai.audit.models import AuditEvent
from guanai.registry.models import Person


def test_the_printed_file_shows_the_person_and_its_sight_is_audited(users, client_for):
    person = scope_queryset(Person.objects.all(), users["village"]).order_by("pk").first()
    response = client_for("village").get(f"/persons/{person.pk}/file/")
    assert response.status_code == 200
    assert person.name in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.VIEW, object_type="registry.person", object_id=str(person.pk),
                                     user=users["village"], detail="打印档案").exists()


def test_a_file_outside_ones_villages_is_not_found_and_not_recorded(users, client_for):
    outside = Person.objects.exclude(pk__in=scope_queryset(Person.objects.all(), users["village"])).order_by("pk").first()
    before = AuditEvent.objects.filter(action=AuditEvent.VIEW, object_id=str(outside.pk)).count()
    assert client_for("village").get(f"/persons/{outside.pk}/file/").status_code == 404
    assert AuditEvent.objects.filter(action=AuditEvent.VIEW, object_id=str(outside.pk)).count() == before
