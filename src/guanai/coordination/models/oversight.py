"""Oversight of the joint conference: supervision rounds and their rectification items
(督导检查, 整改), assessment schemes and scores (考核), projects and their progress (项目).
Records are keyed by the conference's area (city, county or township) and by MemberUnit."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanai.areas import codes

from .reports import MemberUnit

CONFERENCE_LEVELS = (codes.CITY, codes.COUNTY, codes.TOWNSHIP)


class SupervisionRound(models.Model):
    """督导检查: a team drawn from member units visits areas and units, records what it
    found, and lists what must be put right (RectificationItem)."""

    METHOD_CHOICES = [("documents", _("查阅资料")), ("briefing", _("听取汇报")), ("site_visit", _("实地走访")),
                      ("spot_check", _("随机抽查"))]

    title = models.CharField(_("督导名称"), max_length=100)
    area = models.ForeignKey("areas.Area", verbose_name=_("组织区划"), on_delete=models.PROTECT, related_name="+",
                             limit_choices_to={"level__in": CONFERENCE_LEVELS})
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"))
    methods = models.JSONField(_("督导方式"), default=list, blank=True)  # codes of METHOD_CHOICES
    team_users = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("督导组成员"), blank=True,
                                        related_name="supervision_rounds")
    team_units = models.ManyToManyField(MemberUnit, verbose_name=_("督导组成员单位"), blank=True,
                                        related_name="supervision_teams")
    visited_areas = models.ManyToManyField("areas.Area", verbose_name=_("督导地区"), blank=True, related_name="+")
    visited_units = models.ManyToManyField(MemberUnit, verbose_name=_("督导单位"), blank=True,
                                           related_name="supervisions_received")
    findings = models.TextField(_("督导发现"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    area_path = "area"
    personal_data = False

    class Meta:
        ordering = ["-started_on", "-pk"]
        verbose_name = _("督导检查")
        verbose_name_plural = _("督导检查")
        indexes = [models.Index(fields=["area", "started_on"])]

    def __str__(self):
        return self.title

    @property
    def method_labels(self) -> list[str]:
        labels = dict(self.METHOD_CHOICES)
        return [str(labels[code]) for code in self.methods if code in labels]


class RectificationItem(models.Model):
    """One line of a round's 整改清单. Stored status is what the responsible reported;
    逾期 is computed from the deadline (``overdue_q``), never only stored."""

    PENDING, IN_PROGRESS, DONE = "pending", "in_progress", "done"
    STATUS_CHOICES = [(PENDING, _("未整改")), (IN_PROGRESS, _("整改中")), (DONE, _("已整改"))]
    OVERDUE = "overdue"
    DISPLAY_LABELS = {PENDING: "未整改", IN_PROGRESS: "整改中", DONE: "已整改", OVERDUE: "逾期"}

    round = models.ForeignKey(SupervisionRound, verbose_name=_("督导检查"), on_delete=models.PROTECT,
                              related_name="items")
    number = models.PositiveSmallIntegerField(_("序号"))
    problem = models.TextField(_("存在问题"))
    measure = models.TextField(_("整改措施"), blank=True)
    responsible_unit = models.ForeignKey(MemberUnit, verbose_name=_("责任单位"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="rectification_items")
    responsible_area = models.ForeignKey("areas.Area", verbose_name=_("责任地区"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    # Where the item belongs for scoping: the responsible area, or the responsible unit's area.
    area = models.ForeignKey("areas.Area", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(_("整改状态"), max_length=12, choices=STATUS_CHOICES, default=PENDING)
    progress_note = models.TextField(_("整改情况"), blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    verified_on = models.DateField(_("核验日期"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核验人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    area_path = "area"
    unit_path = "responsible_unit"
    personal_data = False

    class Meta:
        ordering = ["round_id", "number"]
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        indexes = [models.Index(fields=["area", "deadline"]), models.Index(fields=["responsible_unit", "deadline"])]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="unique_item_number_per_round"),
            models.CheckConstraint(
                condition=(Q(responsible_unit__isnull=False, responsible_area__isnull=True)
                           | Q(responsible_unit__isnull=True, responsible_area__isnull=False)),
                name="item_has_one_responsible"),
        ]

    def __str__(self):
        return f"{self.round.title} 第{self.number}项"

    @staticmethod
    def overdue_q(day) -> Q:
        """Past its deadline on ``day`` and not put right by then (逾期)."""
        return Q(deadline__lt=day) & (~Q(status=RectificationItem.DONE) | Q(completed_on__gt=day))

    def display_status(self, day) -> str:
        if self.deadline < day and (self.status != self.DONE or (self.completed_on and self.completed_on > day)):
            return self.OVERDUE
        return self.status

    def display_label(self, day) -> str:
        return self.DISPLAY_LABELS[self.display_status(day)]

    @property
    def done_late(self) -> bool:
        return self.status == self.DONE and self.completed_on is not None and self.completed_on > self.deadline

    @property
    def responsible_name(self) -> str:
        return self.responsible_unit.name if self.responsible_unit_id else self.responsible_area.name


def _evidence_path(instance, filename):
    return f"rectification/{instance.item_id}/{filename}"


class RectificationEvidence(models.Model):
    """A file showing a rectification was done (photo, scanned document, PDF, Word/Excel file)."""

    item = models.ForeignKey(RectificationItem, verbose_name=_("整改事项"), on_delete=models.PROTECT,
                             related_name="evidence")
    file = models.FileField(_("文件"), upload_to=_evidence_path)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    area_path = "item__area"
    unit_path = "item__responsible_unit"
    personal_data = False

    class Meta:
        ordering = ["item_id", "pk"]
        verbose_name = _("整改佐证材料")
        verbose_name_plural = _("整改佐证材料")

    def __str__(self):
        return self.name


class AssessmentScheme(models.Model):
    """考核方案: a year's scoring sheet of a conference area, for its member units or its townships."""

    UNITS, TOWNSHIPS = "unit", "township"
    SUBJECT_CHOICES = [(UNITS, _("成员单位")), (TOWNSHIPS, _("乡镇（街道）"))]
    TOTAL_CHOICES = [(100, "100分"), (200, "200分")]

    title = models.CharField(_("方案名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("考核年度"))
    area = models.ForeignKey("areas.Area", verbose_name=_("考核区划"), on_delete=models.PROTECT, related_name="+",
                             limit_choices_to={"level__in": CONFERENCE_LEVELS})
    subject = models.CharField(_("考核对象"), max_length=10, choices=SUBJECT_CHOICES, default=UNITS)
    total_points = models.PositiveSmallIntegerField(_("总分"), choices=TOTAL_CHOICES, default=100)
    computed_at = models.DateTimeField(_("最近计算时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    area_path = "area"
    personal_data = False

    class Meta:
        ordering = ["-year", "area_id", "subject"]
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        constraints = [models.UniqueConstraint(fields=["area", "year", "subject"], name="unique_scheme_per_year")]

    def __str__(self):
        return self.title


class AssessmentIndicator(models.Model):
    """A row of the scheme: 考核指标 | 目标要求 | 分值 | 评分规则, measured by a metric
    (``stats.metrics`` by name) or entered by the office with a note."""

    FULL, PROPORTIONAL, DEDUCTION, MANUAL = "full", "proportional", "deduction", "manual"
    RULE_CHOICES = [(FULL, _("达到目标得满分")), (PROPORTIONAL, _("按完成比例得分")),
                    (DEDUCTION, _("按差额扣分")), (MANUAL, _("直接评分"))]

    scheme = models.ForeignKey(AssessmentScheme, verbose_name=_("考核方案"), on_delete=models.CASCADE,
                               related_name="indicators")
    order = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("考核指标"), max_length=100)
    requirement = models.TextField(_("目标要求和评分标准"), blank=True)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    rule = models.CharField(_("评分规则"), max_length=12, choices=RULE_CHOICES, default=FULL)
    target = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2, null=True, blank=True)
    deduct_per = models.DecimalField(_("每差1扣分"), max_digits=6, decimal_places=2, null=True, blank=True)
    higher_is_better = models.BooleanField(_("数值越高越好"), default=True)
    metric = models.CharField(_("数据来源（统计指标）"), max_length=60, blank=True)
    metric_params = models.JSONField(_("统计指标参数"), default=dict, blank=True)

    area_path = "scheme__area"
    personal_data = False

    class Meta:
        ordering = ["scheme_id", "order"]
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        constraints = [models.UniqueConstraint(fields=["scheme", "order"], name="unique_indicator_order")]

    def __str__(self):
        return self.name


class AssessmentScore(models.Model):
    """The score of one subject (a member unit or a township) on one indicator: computed
    from the records, or entered with a note."""

    COMPUTED, ENTERED = "computed", "entered"
    SOURCE_CHOICES = [(COMPUTED, _("系统计算")), (ENTERED, _("人工录入"))]

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(AssessmentIndicator, verbose_name=_("考核指标"), on_delete=models.CASCADE,
                                  related_name="scores")
    unit = models.ForeignKey(MemberUnit, verbose_name=_("成员单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="assessment_scores")
    township = models.ForeignKey("areas.Area", verbose_name=_("乡镇"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    # The subject's area, for scoping: the township, or the unit's area.
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("实际值"), max_digits=14, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=SOURCE_CHOICES, default=COMPUTED)
    note = models.TextField(_("说明"), blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    area_path = "area"
    unit_path = "unit"
    personal_data = False

    class Meta:
        ordering = ["indicator_id", "pk"]
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit"], condition=Q(unit__isnull=False),
                                    name="unique_score_per_unit"),
            models.UniqueConstraint(fields=["indicator", "township"], condition=Q(township__isnull=False),
                                    name="unique_score_per_township"),
        ]

    def __str__(self):
        return f"{self.indicator.name}：{self.subject_name}"

    @property
    def subject_name(self) -> str:
        return self.unit.name if self.unit_id else self.township.name


# Measure words of project target lines. 万元 lines hold the planned investment; money
# spent is reported on each progress update.
MEASURES = [("户", "户"), ("间", "间"), ("公里", "公里"), ("亩", "亩"), ("座", "座"), ("人", "人"), ("万元", "万元")]
MONEY_MEASURE = "万元"


class Project(models.Model):
    """项目: a plan with target lines (ProjectLine) and progress reported over time (ProjectUpdate)."""

    name = models.CharField(_("项目名称"), max_length=100)
    area = models.ForeignKey("areas.Area", verbose_name=_("实施区划"), on_delete=models.PROTECT, related_name="+")
    responsible_unit = models.ForeignKey(MemberUnit, verbose_name=_("责任单位"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="projects")
    planned_start = models.DateField(_("计划开工日期"))
    planned_end = models.DateField(_("计划完工日期"))
    description = models.TextField(_("项目内容"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    area_path = "area"
    unit_path = "responsible_unit"
    personal_data = False

    class Meta:
        ordering = ["-planned_start", "pk"]
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        indexes = [models.Index(fields=["area", "planned_start"])]

    def __str__(self):
        return self.name


class ProjectLine(models.Model):
    """A target of the plan: 改建 圈舍 160 户 (action, subject, planned, measure)."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="lines")
    order = models.PositiveSmallIntegerField(_("序号"))
    action = models.CharField(_("建设方式"), max_length=20, blank=True)  # 改建, 改造, 新建 ...
    subject = models.CharField(_("建设内容"), max_length=40)  # 圈舍, 危旧房, 道路 ...
    measure = models.CharField(_("计量单位"), max_length=4, choices=MEASURES)
    planned = models.DecimalField(_("计划数"), max_digits=14, decimal_places=2)

    area_path = "project__area"
    unit_path = "project__responsible_unit"
    personal_data = False

    class Meta:
        ordering = ["project_id", "order"]
        verbose_name = _("项目目标")
        verbose_name_plural = _("项目目标")
        constraints = [models.UniqueConstraint(fields=["project", "order"], name="unique_line_order")]

    def __str__(self):
        return f"{self.action}{self.subject}（{self.measure}）"

    @property
    def is_money(self) -> bool:
        return self.measure == MONEY_MEASURE


class ProjectUpdate(models.Model):
    """Progress as of a day: cumulative figures per line, and money spent so far."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="updates")
    reported_on = models.DateField(_("进度日期"))
    spent_wan = models.DecimalField(_("累计完成投资（万元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("进度说明"), blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    area_path = "project__area"
    unit_path = "project__responsible_unit"
    personal_data = False

    class Meta:
        ordering = ["project_id", "reported_on", "pk"]
        verbose_name = _("项目进度")
        verbose_name_plural = _("项目进度")

    def __str__(self):
        return f"{self.project.name} {self.reported_on}"


class ProjectLineProgress(models.Model):
    """One line's cumulative figures in an update; 在建 = started − finished."""

    update = models.ForeignKey(ProjectUpdate, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(ProjectLine, verbose_name=_("项目目标"), on_delete=models.CASCADE,
                             related_name="progress")
    started = models.DecimalField(_("已开工"), max_digits=14, decimal_places=2, null=True, blank=True)
    finished = models.DecimalField(_("已完成"), max_digits=14, decimal_places=2, null=True, blank=True)

    area_path = "update__project__area"
    unit_path = "update__project__responsible_unit"
    personal_data = False

    class Meta:
        ordering = ["update_id", "line_id"]
        verbose_name = _("分项进度")
        verbose_name_plural = _("分项进度")
        constraints = [models.UniqueConstraint(fields=["update", "line"], name="unique_progress_per_line")]
