"""The joint conference (联席会议) and its member units' periodic reports.

A ``Conference`` belongs to an area (a city's or a county's conference, a township's
working group); its ``MemberUnit``s carry the yearly ``Duty`` lists (工作要点, 职责分工)
and report on the office's ``ReportForm``s: indicators, narrative sections and
validation rules. A ``UnitReport`` is one unit's report for one period; its
``ReportEvent``s are the history of every save and transition (who, when, why, the
values before and after). Writes go through ``coordination.services`` (conferences,
units, duties, forms) and ``coordination.workflow`` (reports).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanai.stats import periods


class Conference(models.Model):
    """联席会议 of a city or county; a township has a working group (工作小组)."""

    CONFERENCE, WORKING_GROUP = "conference", "working_group"
    KIND_CHOICES = [(CONFERENCE, _("联席会议")), (WORKING_GROUP, _("工作小组"))]

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=16, choices=KIND_CHOICES, default=CONFERENCE)
    area = models.OneToOneField("areas.Area", verbose_name=_("所属区划"), on_delete=models.PROTECT,
                                related_name="conference")
    office_name = models.CharField(_("办公室"), max_length=100, help_text=_("如：示范市民政局（联席会议办公室设在民政局）"))
    office_phone = models.CharField(_("办公室电话"), max_length=30, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    area_path = "area"
    personal_data = False

    class Meta:
        ordering = ["area_id"]
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")

    def __str__(self):
        return self.name


class MemberUnit(models.Model):
    """A member unit (成员单位) of an area's joint conference on left-behind children."""

    name = models.CharField(_("单位名称"), max_length=100)
    area = models.ForeignKey("areas.Area", verbose_name=_("所属区划"), on_delete=models.PROTECT)
    is_lead = models.BooleanField(_("牵头单位"), default=False)
    conference = models.ForeignKey(Conference, verbose_name=_("联席会议"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="units")
    contact_name = models.CharField(_("联络员"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    joined_on = models.DateField(_("加入日期"), null=True, blank=True)
    # A unit that left (merged, dissolved) is kept with its reports; from this day on it is
    # expected to report no more, and it leaves both sides of every rate.
    closed_on = models.DateField(_("撤销日期"), null=True, blank=True)
    closed_reason = models.CharField(_("撤销原因"), max_length=100, blank=True)

    area_path = "area"
    unit_path = "pk"
    personal_data = False

    class Meta:
        ordering = ["area_id", "-is_lead", "position", "name"]
        verbose_name = _("成员单位")
        verbose_name_plural = _("成员单位")
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="unique_unit_name_per_area")]

    def __str__(self):
        return self.name

    def member_on(self, day) -> bool:
        """Whether the unit belonged to its conference on ``day``."""
        return (self.joined_on is None or self.joined_on <= day) and (self.closed_on is None or self.closed_on > day)


class Duty(models.Model):
    """One item of a year's 工作要点 (the conference's or a unit's) or of a unit's 职责分工."""

    WORK_POINT, RESPONSIBILITY = "work_point", "responsibility"
    KIND_CHOICES = [(WORK_POINT, _("工作要点")), (RESPONSIBILITY, _("职责分工"))]

    conference = models.ForeignKey(Conference, verbose_name=_("联席会议"), on_delete=models.CASCADE,
                                   related_name="duties")
    unit = models.ForeignKey(MemberUnit, verbose_name=_("成员单位"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="duties", help_text=_("不填为联席会议的工作要点"))
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类别"), max_length=16, choices=KIND_CHOICES, default=RESPONSIBILITY)
    position = models.PositiveSmallIntegerField(_("序号"), default=1)
    text = models.TextField(_("内容"))

    area_path = "conference__area"
    personal_data = False

    class Meta:
        ordering = ["conference", "-year", "kind", "unit", "position", "pk"]
        verbose_name = _("职责与工作要点")
        verbose_name_plural = _("职责与工作要点")
        indexes = [models.Index(fields=["conference", "year"])]

    def __str__(self):
        return self.text[:50]


PERIOD_TYPE_CHOICES = [(periods.MONTH, _("月度")), (periods.QUARTER, _("季度")), (periods.HALF, _("半年")),
                       (periods.YEAR, _("年度"))]


class ReportForm(models.Model):
    """A report the office asks of every member unit of its conference, period by period."""

    conference = models.ForeignKey(Conference, verbose_name=_("联席会议"), on_delete=models.PROTECT,
                                   related_name="forms")
    name = models.CharField(_("报表名称"), max_length=100)
    period_type = models.CharField(_("报送周期"), max_length=8, choices=PERIOD_TYPE_CHOICES, default=periods.QUARTER)
    first_period = models.CharField(_("起始期间"), max_length=8, help_text=_("如 2026Q1；此前的期间不要求报送"))
    deadline_workdays = models.PositiveSmallIntegerField(_("报送期限（期末后工作日）"), default=10)
    lock_workdays = models.PositiveSmallIntegerField(
        _("填报锁定（期末后工作日）"), default=65,
        help_text=_("期末后超过该工作日数即不能再填报或修改，除非办公室重新开放；0 为不锁定"))
    instructions = models.TextField(_("填报说明"), blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    area_path = "conference__area"
    personal_data = False

    class Meta:
        ordering = ["conference", "name"]
        verbose_name = _("报表")
        verbose_name_plural = _("报表")

    def __str__(self):
        return self.name


class Indicator(models.Model):
    NUMBER, YES_NO, TEXT = "number", "yes_no", "text"
    KIND_CHOICES = [(NUMBER, _("数值")), (YES_NO, _("是/否")), (TEXT, _("文字"))]

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(_("序号"), default=1)
    label = models.CharField(_("指标名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=8, choices=KIND_CHOICES, default=NUMBER)
    unit = models.CharField(_("计量单位"), max_length=10, blank=True)
    decimals = models.PositiveSmallIntegerField(_("小数位数"), default=0)
    allow_negative = models.BooleanField(_("允许负数"), default=False)
    required = models.BooleanField(_("必填"), default=False)
    # Bound to a metric function: prefilled from the unit's own records for the period.
    metric = models.CharField(_("取数指标"), max_length=50, blank=True)
    metric_params = models.JSONField(_("取数参数"), default=dict, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    area_path = "form__conference__area"
    personal_data = False

    class Meta:
        ordering = ["form", "position", "pk"]
        verbose_name = _("报表指标")
        verbose_name_plural = _("报表指标")

    def __str__(self):
        return f"{self.label}（{self.unit}）" if self.unit else self.label

    @property
    def key(self) -> str:
        return str(self.pk)


class NarrativeSection(models.Model):
    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(_("序号"), default=1)
    title = models.CharField(_("栏目"), max_length=50)
    hint = models.CharField(_("填写提示"), max_length=200, blank=True)
    required = models.BooleanField(_("必填"), default=True)

    area_path = "form__conference__area"
    personal_data = False

    class Meta:
        ordering = ["form", "position", "pk"]
        verbose_name = _("文字栏目")
        verbose_name_plural = _("文字栏目")

    def __str__(self):
        return self.title

    @property
    def key(self) -> str:
        return str(self.pk)


class ValidationRule(models.Model):
    """Left side (a sum of indicators) operator right side; a report that breaks it cannot be submitted."""

    EQ, NE, GT, GE, LT, LE, PAIR = "eq", "ne", "gt", "ge", "lt", "le", "pair"
    OPERATOR_CHOICES = [(EQ, "="), (NE, "≠"), (GT, ">"), (GE, "≥"), (LT, "<"), (LE, "≤"),
                        (PAIR, _("同时填写或同时不填"))]
    SKIP_IF_ANY, SKIP_IF_ALL, NEVER_SKIP = "skip_any", "skip_all", "never"
    MISSING_CHOICES = [(SKIP_IF_ANY, _("任一项未填时不检查")), (SKIP_IF_ALL, _("全部未填时不检查，未填按0计")),
                       (NEVER_SKIP, _("总是检查，未填按0计"))]

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="rules")
    left = models.JSONField(_("左侧指标"), default=list)  # indicator ids, summed
    operator = models.CharField(_("关系"), max_length=4, choices=OPERATOR_CHOICES)
    right = models.JSONField(_("右侧指标"), default=list)
    missing = models.CharField(_("缺失值处理"), max_length=8, choices=MISSING_CHOICES, default=SKIP_IF_ANY)

    area_path = "form__conference__area"
    personal_data = False

    class Meta:
        ordering = ["form", "pk"]
        verbose_name = _("校验规则")
        verbose_name_plural = _("校验规则")

    def __str__(self):
        return f"校验规则{self.pk or ''}"


class DeadlineOverride(models.Model):
    """A period whose deadline the office set by hand (a working day), instead of the form's rule."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="deadline_overrides")
    period_key = models.CharField(_("期间"), max_length=8)
    due_on = models.DateField(_("截止日期"))
    reason = models.CharField(_("调整原因"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    area_path = "form__conference__area"
    personal_data = False

    class Meta:
        verbose_name = _("截止日期调整")
        verbose_name_plural = _("截止日期调整")
        constraints = [models.UniqueConstraint(fields=["form", "period_key"], name="unique_deadline_per_period")]


class UnitReport(models.Model):
    """One member unit's report on one form for one period."""

    DRAFT, SUBMITTED, RETURNED, RESUBMITTED, APPROVED = "draft", "submitted", "returned", "resubmitted", "approved"
    STATUS_CHOICES = [(DRAFT, _("草稿")), (SUBMITTED, _("已报送")), (RETURNED, _("退回")),
                      (RESUBMITTED, _("再次报送")), (APPROVED, _("已审核"))]
    EDITABLE = (DRAFT, RETURNED)
    AWAITING_REVIEW = (SUBMITTED, RESUBMITTED)

    form = models.ForeignKey(ReportForm, verbose_name=_("报表"), on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey(MemberUnit, verbose_name=_("成员单位"), on_delete=models.PROTECT, related_name="reports")
    area = models.ForeignKey("areas.Area", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    period_key = models.CharField(_("期间"), max_length=8)
    status = models.CharField(_("状态"), max_length=12, choices=STATUS_CHOICES, default=DRAFT)
    # {indicator id: value}: numbers as canonical decimal strings, yes/no as true/false, text as text.
    values = models.JSONField(_("指标值"), default=dict, blank=True)
    narrative = models.JSONField(_("文字内容"), default=dict, blank=True)  # {section id: text}
    # The values the records give for the bound indicators, as of the last save.
    recorded = models.JSONField(_("系统记录值"), default=dict, blank=True)
    # Values far outside the unit's own history, found at submission: for the office, not refused.
    flags = models.JSONField(_("异常提示"), default=dict, blank=True)
    submitted_snapshot = models.JSONField(_("上次报送内容"), default=dict, blank=True)
    changes_since_submission = models.PositiveIntegerField(_("上次报送后修改处数"), default=0)
    submission_count = models.PositiveSmallIntegerField(_("报送次数"), default=0)
    first_submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    entry_open_until = models.DateField(_("重新开放填报至"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    area_path = "area"
    unit_path = "unit"
    personal_data = False

    class Meta:
        ordering = ["-period_key", "unit__position", "unit__name", "pk"]
        verbose_name = _("成员单位报表")
        verbose_name_plural = _("成员单位报表")
        constraints = [models.UniqueConstraint(fields=["form", "unit", "period_key"], name="unique_report_per_period")]
        indexes = [models.Index(fields=["area", "period_key"]), models.Index(fields=["form", "period_key"])]

    def __str__(self):
        return f"{self.unit.name} {self.period.label}{self.form.name}"

    @property
    def period(self):
        return periods.parse_period(self.period_key)


class ReportEvent(models.Model):
    """One step of a report's history."""

    CREATE, SAVE, SUBMIT, RETURN, APPROVE, REOPEN, UNLOCK = (
        "create", "save", "submit", "return", "approve", "reopen", "unlock")
    ACTION_CHOICES = [(CREATE, _("开始填报")), (SAVE, _("保存")), (SUBMIT, _("报送")), (RETURN, _("退回")),
                      (APPROVE, _("审核通过")), (REOPEN, _("重新打开")), (UNLOCK, _("开放填报"))]

    report = models.ForeignKey(UnitReport, verbose_name=_("报表"), on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("操作"), max_length=8, choices=ACTION_CHOICES)
    from_status = models.CharField(_("原状态"), max_length=12, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"))
    reason = models.TextField(_("理由"), blank=True)
    # {field label: [before, after]} of what this step changed.
    changes = models.JSONField(_("修改内容"), default=dict, blank=True)
    change_count = models.PositiveIntegerField(_("修改处数"), default=0)

    area_path = "report__area"
    unit_path = "report__unit"
    personal_data = False

    class Meta:
        ordering = ["report", "at", "pk"]
        verbose_name = _("报表流转记录")
        verbose_name_plural = _("报表流转记录")

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"

    @property
    def status_label(self) -> str:
        return dict(UnitReport.STATUS_CHOICES).get(self.to_status, "")
