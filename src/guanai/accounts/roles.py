"""The roles of DESIGN.md §2, what each may see, and a user's role. No Django models here."""

from django.utils.translation import gettext_lazy as _

ADMIN = "admin"
OFFICE = "office"
UNIT = "unit"
STAFF = "staff"
VILLAGE = "village"
VOLUNTEER = "volunteer"
LEADER = "leader"

CHOICES = [
    (ADMIN, _("系统管理员")),
    (OFFICE, _("领导小组办公室")),
    (UNIT, _("成员单位联络员")),
    (STAFF, _("督导员/民政/妇联工作人员")),
    (VILLAGE, _("儿童主任/网格员")),
    (VOLUNTEER, _("志愿者/爱心家长")),
    (LEADER, _("领导")),
]
ALL = frozenset(code for code, _label in CHOICES)

# Roles that see personal records of their area's subtree.
AREA_RECORD_ROLES = frozenset({ADMIN, STAFF, VILLAGE})
# Roles that see aggregate figures of their area but no personal details.
AGGREGATE_ONLY_ROLES = frozenset({OFFICE, LEADER})
# Roles that may see full ID numbers (each sight audited).
FULL_ID_ROLES = frozenset({ADMIN, STAFF, VILLAGE})


def user_role(user) -> str | None:
    """The role ``user`` acts in: None when not logged in or deactivated; a superuser is the admin."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return ADMIN
    return user.role
