"""Test records made through the real services, in villages of their own so that
figures can be counted by hand."""

from datetime import datetime, time

from django.utils import timezone

from guanai.areas.models import Area
from guanai.registry import services as registry

TOWNSHIP = "990101001000"


def fresh_village(code: str = "990101001081", name: str = "测试村") -> Area:
    return Area.objects.create(code=code, name=name, level=5, parent_id=code[:9] + "000")


def person(user, name: str, area: str, categories=("left_behind_child",), registered=None):
    """A person filed through the registry service, optionally registered on an earlier day."""
    from guanai.registry.models import Person

    created = registry.create_person(user=user, area_code=area, data={"name": name}, categories=list(categories))
    if registered is not None:
        Person.objects.filter(pk=created.pk).update(
            created_at=timezone.make_aware(datetime.combine(registered, time(10))))
        created.refresh_from_db()
    return created
