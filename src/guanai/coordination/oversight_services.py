"""What supervision, assessment and projects share: who may do what, reading figures
and dates people typed, areas of a conference, edit conflicts and the audit trail.

Every write is a service function in oversight_supervision, oversight_assessment or
oversight_projects: it takes the acting user (keyword-only), validates fully with Chinese
messages naming the field, writes in one transaction and records its audit event there.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import F

from guanai.accounts import roles
from guanai.areas.models import Area
from guanai.areas.scoping import area_for_user, user_role
from guanai.audit.models import AuditEvent
from guanai.audit.services import audit, snapshot  # noqa: F401  (the services below import them from here)
from guanai.core import clock
from guanai.core.validation import check_date

from .models import CONFERENCE_LEVELS

# The largest figure a field takes (the columns hold 14 digits, 2 of them decimals).
LARGEST = Decimal("999999999999")
# The office organises supervision, assessment and projects; the admin may do anything.
OFFICE_ROLES = (roles.ADMIN, roles.OFFICE)


today = clock.today


def require_office(user, what: str) -> None:
    if user_role(user) not in OFFICE_ROLES:
        raise ValidationError(f"只有领导小组办公室可以{what}")


def number(value, *, field: str, label: str, allow_blank: bool = True, minimum: Decimal | None = Decimal(0),
           errors: dict | None = None) -> Decimal | None:
    """A figure a person typed (or a Decimal): 1,200 and 1，200 read as 1200. Text, a value
    below ``minimum`` or a blank where one is required give a message naming ``label``;
    with ``errors`` the message is collected there and None returned."""
    message = None
    result = None
    if value is None or (isinstance(value, str) and not value.strip()):
        if not allow_blank:
            message = f"请填写{label}"
    else:
        try:
            result = Decimal(str(value).strip().replace(",", "").replace("，", ""))
        except InvalidOperation:
            result = None
        if result is None or not result.is_finite():
            message, result = f"{label}应为数字，实为“{value}”", None
        elif minimum is not None and result < minimum:
            message, result = f"{label}不能为负数" if minimum == 0 else f"{label}不能小于{minimum}", None
        elif abs(result) > LARGEST:
            message, result = f"{label}（{value}）超出可填写的范围", None
    if message is None:
        return result
    if errors is None:
        raise ValidationError({field: message})
    errors.setdefault(field, message)
    return None


def date_span(errors: dict, start, end, *, fields: tuple[str, str], labels: tuple[str, str]) -> None:
    """Both dates given, and the end not before the start (messages into ``errors``)."""
    for day, field, label in ((start, fields[0], labels[0]), (end, fields[1], labels[1])):
        if day is None:
            errors[field] = f"请填写{label}"
        else:
            try:
                check_date(day, "planned", label=label)  # the range of every planned date
            except ValidationError as exc:
                errors[field] = exc.messages[0]
    if start is not None and end is not None and end < start and not errors.get(fields[1]):
        errors[fields[1]] = f"{labels[1]}（{end}）不能早于{labels[0]}（{start}）"


def conference_area(user, code: str | None, *, field: str = "area", label: str = "区划",
                    levels=CONFERENCE_LEVELS) -> Area:
    """The area a round, scheme or project belongs to: one of ``levels`` and in the user's jurisdiction."""
    return area_for_user(user, code, field=field, levels=set(levels), label=label)


def claim_version(obj, expected_version, *, what: str) -> None:
    """Take the edit of ``obj`` if nobody saved it since ``expected_version``; two people
    editing one record at once cannot both win (the second is told, nothing is saved)."""
    model = type(obj)
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        expected = -1
    claimed = model.objects.filter(pk=obj.pk, version=expected).update(version=F("version") + 1)
    if not claimed:
        current = model.objects.filter(pk=obj.pk).values_list("version", flat=True).first()
        raise ValidationError(
            {NON_FIELD_ERRORS: f"此{what}在您编辑期间已被他人修改（现为第{current}版，您编辑的是第{expected_version}版），"
                        f"您的修改未保存。请刷新页面后重新填写。"},
            code="conflict")
    obj.version = expected + 1


CREATE, UPDATE = AuditEvent.CREATE, AuditEvent.UPDATE
