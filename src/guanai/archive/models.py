"""Legacy documents (past briefings, summaries, notices) and the figures read from them.

A Document keeps its original file (under MEDIA_ROOT/archive/, named by its
sha256 and its original name), the normalised text, and a word-segmented copy
that the full-text index is built on (see ``search.py``). Its DocumentFacts are
the historical statistics: every date, count, sum of money and percentage read
from the text, with the span it came from.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Document(models.Model):
    BRIEFING, SUMMARY, NOTICE, OTHER = "briefing", "summary", "notice", "other"
    KIND_CHOICES = [(BRIEFING, _("简报")), (SUMMARY, _("总结")), (NOTICE, _("通知")), (OTHER, _("其他"))]

    title = models.CharField(_("标题"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10, choices=KIND_CHOICES, default=OTHER, db_index=True)
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True, db_index=True)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("所属区划"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    original = models.FileField(_("原始文件"), max_length=500)
    original_name = models.CharField(_("原文件名"), max_length=255)
    sha256 = models.CharField(_("文件指纹（SHA-256）"), max_length=64, unique=True)
    size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    text = models.TextField(_("规范化文本"))
    # Words of title and text from jieba's cut_for_search, joined by spaces: what
    # the full-text index reads (an FTS5 table on SQLite, a tsvector on PostgreSQL).
    search_text = models.TextField(_("分词文本"), blank=True, editable=False)
    # What normalising guessed or the reader did (restored characters, dropped
    # annotations, a .pdf that was a photo): entries of textproc.normalize.LogEntry.
    normalisation_log = models.JSONField(_("规范化记录"), default=list, db_default=[], blank=True)
    places = models.JSONField(_("提及的地名"), default=list, blank=True)
    organisations = models.JSONField(_("提及的单位"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    # Scoping (areas.scoping): an archived document belongs to its area's subtree.
    area_path = "area"
    personal_data = False

    class Meta:
        ordering = ["-year", "-created_at", "-id"]
        verbose_name = _("档案文档")
        verbose_name_plural = _("档案文档")
        indexes = [models.Index(fields=["area", "year"], name="archive_doc_area_year")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        from .search import index_text

        # The segmented copy always follows title and text, whoever saves.
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            self.search_text = index_text(self.title, self.text)
        elif {"title", "text"} & set(update_fields):
            self.search_text = index_text(self.title, self.text)
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)


class DocumentPage(models.Model):
    """One page of a scanned document as OCR read it: the page image shown beside
    its text, and how sure the reading was."""

    document = models.ForeignKey(Document, verbose_name=_("文档"), on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField(_("页码"))
    image = models.FileField(_("页面图像"), max_length=500)
    text = models.TextField(_("识别文字"), blank=True)
    confidence = models.FloatField(_("识别可信度"), default=0)
    needs_check = models.BooleanField(_("需要核对"), default=False)

    area_path = "document__area"
    personal_data = False

    class Meta:
        ordering = ["document_id", "number"]
        verbose_name = _("扫描页")
        verbose_name_plural = _("扫描页")
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="archive_page_unique")]

    def __str__(self):
        return f"{self.document_id}-{self.number}"


class DocumentFact(models.Model):
    """One figure or date read from a document: a historical statistic."""

    DATE, QUANTITY, MONEY, PERCENT = "date", "quantity", "money", "percent"
    KIND_CHOICES = [(DATE, _("日期")), (QUANTITY, _("数量")), (MONEY, _("金额")), (PERCENT, _("百分比"))]

    document = models.ForeignKey(Document, verbose_name=_("文档"), on_delete=models.CASCADE, related_name="facts")
    kind = models.CharField(_("类型"), max_length=10, choices=KIND_CHOICES, db_index=True)
    value_number = models.DecimalField(_("数值"), max_digits=24, decimal_places=6, null=True, blank=True)
    value_text = models.CharField(_("日期值"), max_length=10, blank=True)  # YYYY-MM-DD, X where unknown
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    subject = models.CharField(_("对象"), max_length=100, blank=True)
    approx = models.CharField(_("约数标记"), max_length=10, blank=True)
    span = models.CharField(_("原文"), max_length=100)
    start = models.PositiveIntegerField(_("起始位置"))
    end = models.PositiveIntegerField(_("结束位置"))
    # The year the figure belongs to: a date's own year, else the document's.
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True, db_index=True)
    # A date whose year or month was not written (5日, 上月) but worked out.
    inferred = models.BooleanField(_("推断"), default=False, db_default=False)
    range_start = models.CharField(_("起始日期"), max_length=10, blank=True, default="", db_default="")
    range_end = models.CharField(_("截止日期"), max_length=10, blank=True, default="", db_default="")

    area_path = "document__area"
    personal_data = False

    class Meta:
        ordering = ["document_id", "start"]
        verbose_name = _("文档数据")
        verbose_name_plural = _("文档数据")

    def __str__(self):
        return self.span

    @property
    def value(self):
        """The value as ``extract_facts`` gave it: a date string, or an int when whole."""
        if self.kind == self.DATE:
            return self.value_text
        number = self.value_number
        if number is None:
            return None
        if not isinstance(number, Decimal):
            number = Decimal(str(number))
        return int(number) if number == number.to_integral_value() else float(number)

    @property
    def shown_value(self):
        """The value as a page shows it: a date in Chinese with its unknown parts left out
        (2023-XX-XX → 2023年, XXXX-05-XX → 5月)."""
        if self.kind != self.DATE:
            return self.value
        parts = (self.value_text or "").split("-")
        if len(parts) != 3:
            return self.value_text
        return "".join(f"{int(part)}{unit}" for part, unit in zip(parts, "年月日") if part.isdigit()) or "日期不详"

    def as_json(self) -> dict:
        return {"kind": self.kind, "value": self.value, "unit": self.unit, "subject": self.subject,
                "approx": self.approx, "span": self.span}
