"""What the care services share: the care home checklist, the goods offered on the visit form,
the photo limits, today's date and whether a member unit may be chosen."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError

from guanai.areas.scoping import serves_user_area
from guanai.core import clock
from guanai.coordination.models import MemberUnit


# The standard checklist of a care home, the "八有"; settings.GUANAI_CAREHOME_CHECKLIST may replace it.
DEFAULT_CAREHOME_CHECKLIST = [
    ("site", "有场所"), ("facilities", "有设施"), ("books", "有图书"), ("rules", "有制度"),
    ("staff", "有人员"), ("activities", "有活动"), ("funds", "有经费"), ("records", "有档案"),
]
# Goods people bring, offered as suggestions on the visit form (free text is allowed).
COMMON_GOODS = [("大米", "袋"), ("面粉", "袋"), ("食用油", "桶"), ("棉被", "床"), ("月饼", "盒"), ("学习用品", "套"),
                ("牛奶", "箱"), ("衣物", "件"), ("书包", "个"), ("取暖器", "台")]
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG": "image/png"}
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_VISIT_PHOTOS = 12


def checklist() -> list[tuple[str, str]]:
    return list(getattr(settings, "GUANAI_CAREHOME_CHECKLIST", None) or DEFAULT_CAREHOME_CHECKLIST)


_today = clock.today


def _unit_usable(user, unit: MemberUnit) -> bool:
    return serves_user_area(user, unit.area_id)


def _collect(errors: dict, check, *args, **kwargs):
    """Run one of core.validation's checks, putting its message into ``errors``."""
    try:
        return check(*args, **kwargs)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return None
