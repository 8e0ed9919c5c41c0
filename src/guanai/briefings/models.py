"""Briefings (工作简报) and summaries (工作总结) composed from facts.

A ``Briefing`` keeps its body as structured blocks (``body.py``): headings,
paragraphs whose runs are text or a fact token, and charts drawn from facts.
Each figure is a ``BriefingFact``: a metric's value for an area, a period and
parameters, with the time it was computed: its provenance, recomputable at any
time through ``stats.metrics.compute``. Publishing freezes both and numbers the
issue (第N期) per issuing office (the briefing's area) per year.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Briefing(models.Model):
    JIANBAO, ZONGJIE = "jianbao", "zongjie"
    KIND_CHOICES = [(JIANBAO, _("工作简报")), (ZONGJIE, _("工作总结"))]
    DRAFT, PUBLISHED = "draft", "published"
    STATUS_CHOICES = [(DRAFT, _("草稿")), (PUBLISHED, _("已印发"))]

    kind = models.CharField(_("类型"), max_length=8, choices=KIND_CHOICES, default=JIANBAO)
    area = models.ForeignKey("areas.Area", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    period_key = models.CharField(_("期间"), max_length=8)
    masthead = models.CharField(_("报头"), max_length=50, default="关爱工作简报")
    title = models.CharField(_("标题"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=STATUS_CHOICES, default=DRAFT)
    issue_year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    issue_number = models.PositiveIntegerField(_("期号"), null=True, blank=True)
    office_name = models.CharField(_("编印单位"), max_length=100)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    report_to = models.CharField(_("报"), max_length=300, blank=True)
    send_to = models.CharField(_("送"), max_length=300, blank=True)
    distribute_to = models.CharField(_("发"), max_length=300, blank=True)
    copies = models.PositiveIntegerField(_("印数（份）"), default=30)
    body = models.JSONField(_("正文"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("起草人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签发人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("印发时间"), null=True, blank=True)

    area_path = "area"
    personal_data = False

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("工作简报")
        verbose_name_plural = _("工作简报")
        constraints = [
            models.UniqueConstraint(fields=["area", "issue_year", "issue_number"], name="unique_issue_per_office_year",
                                    condition=models.Q(issue_number__isnull=False)),
        ]
        indexes = [models.Index(fields=["area", "status"])]

    def __str__(self):
        return f"{self.title}（{self.issue_label}）"

    @property
    def is_published(self) -> bool:
        return self.status == self.PUBLISHED

    @property
    def issue_label(self) -> str:
        return f"第{self.issue_number}期" if self.issue_number else "草稿"

    @property
    def period(self):
        from guanai.stats.periods import parse_period

        return parse_period(self.period_key)


class BriefingFact(models.Model):
    """One figure of a briefing and where it came from."""

    VALUE, YOY = "", "yoy"
    DERIVATION_CHOICES = [(VALUE, _("指标值")), (YOY, _("同比变化（%）"))]

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="facts")
    token = models.CharField(_("标记"), max_length=12)
    metric = models.CharField(_("指标"), max_length=50)
    area_code = models.CharField(_("区划代码"), max_length=12)
    period_key = models.CharField(_("期间"), max_length=8)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    derivation = models.CharField(_("计算方式"), max_length=8, choices=DERIVATION_CHOICES, default=VALUE, blank=True)
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=10, blank=True)
    label = models.CharField(_("名称"), max_length=100)
    text = models.CharField(_("文中写法"), max_length=50)
    computed_at = models.DateTimeField(_("计算时间"))

    area_path = "briefing__area"
    personal_data = False

    class Meta:
        ordering = ["briefing", "pk"]
        verbose_name = _("简报数据")
        verbose_name_plural = _("简报数据")
        constraints = [models.UniqueConstraint(fields=["briefing", "token"], name="unique_fact_token")]

    def __str__(self):
        return f"{self.label}：{self.text}"
