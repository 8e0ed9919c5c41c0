"""Protection cases: a mandatory report (强制报告) opens a case; its steps each carry
a time limit; a case is closed with a reason and never deleted.

Writes go through ``protection.services``. ``Case.open_at_q`` and
``CaseStep.late_at_q`` are the one definition of "open" and "late" that the
metrics, the lists and the home cards share.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SITUATION_CHOICES = [
    ("alone", _("独自居住/生活")),
    ("missing", _("失踪")),
    ("unguarded", _("无人监护")),
    ("harmed", _("受到侵害")),
]

EMERGENCY, ASSESSMENT, HELP_PLAN, GUARDIANSHIP, CLOSURE = "emergency", "assessment", "help_plan", "guardianship", "closure"
STEP_CHOICES = [
    (EMERGENCY, _("应急处置")),
    (ASSESSMENT, _("调查评估")),
    (HELP_PLAN, _("帮扶计划")),
    (GUARDIANSHIP, _("监护干预")),
    (CLOSURE, _("结案")),
]

CLOSE_REASONS = [
    ("resolved", _("已妥善处置，儿童得到有效监护")),
    ("guardian_restored", _("监护已恢复")),
    ("transferred", _("已移交公安、司法机关")),
    ("false_report", _("经核实情况不属实")),
    ("moved_away", _("儿童已迁离本地并已转介")),
    ("other", _("其他")),
]


class UndeletableQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionError("强制报告及其处置记录不得删除，只能说明原因后结案")


class Case(models.Model):
    OPEN, CLOSED = "open", "closed"
    STATUS_CHOICES = [(OPEN, _("办理中")), (CLOSED, _("已结案"))]

    number = models.CharField(_("编号"), max_length=20, blank=True, db_index=True)
    area = models.ForeignKey("areas.Area", verbose_name=_("发现地村（社区）"), on_delete=models.PROTECT, related_name="+")
    situation = models.CharField(_("情形"), max_length=12, choices=SITUATION_CHOICES)
    child = models.ForeignKey("registry.Person", verbose_name=_("儿童"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="protection_cases")
    child_name = models.CharField(_("儿童姓名"), max_length=50, blank=True)
    child_age = models.PositiveSmallIntegerField(_("年龄"), null=True, blank=True)
    location = models.CharField(_("发现地点"), max_length=200, blank=True)
    found_at = models.DateTimeField(_("发现时间"))
    description = models.TextField(_("情况描述"))
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报告人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    reporter_name = models.CharField(_("报告人姓名"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("报告人电话"), max_length=20, blank=True)
    reporter_unit = models.ForeignKey("coordination.MemberUnit", verbose_name=_("报告单位"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("报告时间"), db_index=True)
    needs_guardianship = models.BooleanField(_("需要监护干预"), default=False)
    status = models.CharField(_("状态"), max_length=8, choices=STATUS_CHOICES, default=OPEN)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("结案人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    close_reason = models.CharField(_("结案原因"), max_length=20, choices=CLOSE_REASONS, blank=True)
    close_note = models.TextField(_("结案说明"), blank=True)

    area_path = "area"
    unit_path = "reporter_unit"
    volunteer_path = "reporter"  # a volunteer sees the reports they made
    personal_data = True

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("保护个案")
        verbose_name_plural = _("保护个案")
        indexes = [models.Index(fields=["area", "reported_at"])]

    def __str__(self):
        return f"{self.number} {self.display_child}"

    def delete(self, *args, **kwargs):
        raise PermissionError("强制报告不得删除，只能说明原因后结案")

    @property
    def display_child(self) -> str:
        return self.child.name if self.child_id else (self.child_name or "姓名不详")

    @staticmethod
    def open_at_q(at) -> Q:
        return Q(reported_at__lt=at) & (Q(closed_at__isnull=True) | Q(closed_at__gte=at))


class CaseStep(models.Model):
    """One step of handling: who did what, when, against which time limit."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(_("环节"), max_length=16, choices=STEP_CHOICES)
    opened_at = models.DateTimeField(_("开始时间"))
    due_at = models.DateTimeField(_("办理时限"), db_index=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    handler = models.CharField(_("经办人/单位"), max_length=100, blank=True)
    action = models.TextField(_("处置情况"), blank=True)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    # Copied from the case so that "late and still open" is one table's filter.
    case_closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    area_path = "area"
    volunteer_path = "case__reporter"
    unit_path = "case__reporter_unit"
    personal_data = True

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        ordering = ["opened_at", "pk"]
        verbose_name = _("处置环节")
        verbose_name_plural = _("处置环节")

    def __str__(self):
        return self.get_kind_display()

    def delete(self, *args, **kwargs):
        raise PermissionError("处置记录不得删除")

    @staticmethod
    def late_at_q(at) -> Q:
        """Past its time limit at ``at`` and not done by then, in a case not closed by then."""
        return (Q(due_at__lt=at) & (Q(completed_at__isnull=True) | Q(completed_at__gt=at))
                & (Q(case_closed_at__isnull=True) | Q(case_closed_at__gt=at)))

    def is_late(self, at) -> bool:
        return (self.due_at < at and (self.completed_at is None or self.completed_at > at)
                and (self.case_closed_at is None or self.case_closed_at > at))
