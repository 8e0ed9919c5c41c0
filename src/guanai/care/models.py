"""Care work: helpers and pairings, visits with aid, activities, care homes.

Every model copies the area code it belongs to (a visit takes its recipient's
village at save), so scoping is a range on that column and needs no join.
Writes go through ``care.services``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanai.core.uploads import sealed_storage


class Helper(models.Model):
    """Someone who helps: a volunteer, a 爱心家长, a cadre or a member unit's staff."""

    VOLUNTEER, CARING_PARENT, CADRE, UNIT_STAFF = "volunteer", "caring_parent", "cadre", "unit_staff"
    KIND_CHOICES = [(VOLUNTEER, _("志愿者")), (CARING_PARENT, _("爱心家长")), (CADRE, _("干部")),
                    (UNIT_STAFF, _("成员单位职工"))]

    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(_("类型"), max_length=16, choices=KIND_CHOICES, default=VOLUNTEER)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    area = models.ForeignKey("areas.Area", verbose_name=_("服务区域"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("coordination.MemberUnit", verbose_name=_("所属成员单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="helpers")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="helper")
    active = models.BooleanField(_("在岗"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    area_path = "area"
    unit_path = "unit"
    volunteer_path = "user"
    personal_data = True

    class Meta:
        ordering = ["area_id", "name", "pk"]
        verbose_name = _("帮扶人")
        verbose_name_plural = _("帮扶人")

    def __str__(self):
        return self.name


class Pairing(models.Model):
    """结对帮扶: one helper with one recipient, from a start date to an optional end."""

    helper = models.ForeignKey(Helper, verbose_name=_("帮扶人"), on_delete=models.PROTECT, related_name="pairings")
    person = models.ForeignKey("registry.Person", verbose_name=_("帮扶对象"), on_delete=models.PROTECT,
                               related_name="pairings")
    area = models.ForeignKey("areas.Area", verbose_name=_("所在村（社区）"), on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(_("结对日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=100, blank=True)
    note = models.CharField(_("帮扶内容"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    area_path = "area"
    unit_path = "helper__unit"
    volunteer_path = "helper__user"
    volunteer_active_path = ""  # a volunteer's own pairings while they run
    personal_data = True

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("结对帮扶")
        verbose_name_plural = _("结对帮扶")
        indexes = [models.Index(fields=["area", "start_date"])]

    def __str__(self):
        return f"{self.helper} — {self.person}"

    def is_active(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)


class Visit(models.Model):
    """走访慰问: who went, to whom, how, what they found and brought, when to come back."""

    HOME, PHONE, VIDEO, SCHOOL = "home", "phone", "video", "school"
    MODE_CHOICES = [(HOME, _("入户")), (PHONE, _("电话")), (VIDEO, _("视频")), (SCHOOL, _("到校"))]
    RISK_CHOICES = [("red", "红"), ("orange", "橙"), ("yellow", "黄"), ("green", "绿")]

    visit_date = models.DateField(_("走访日期"))
    mode = models.CharField(_("走访方式"), max_length=8, choices=MODE_CHOICES, default=HOME)
    person = models.ForeignKey("registry.Person", verbose_name=_("走访对象"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="visits")
    household = models.ForeignKey("registry.Household", verbose_name=_("走访家庭"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="visits")
    area = models.ForeignKey("areas.Area", verbose_name=_("所在村（社区）"), on_delete=models.PROTECT, related_name="+")
    visitors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("走访人"), related_name="care_visits",
                                      blank=True)
    other_visitors = models.CharField(_("同行人员"), max_length=200, blank=True)
    findings = models.TextField(_("走访情况"), blank=True)
    needs = models.TextField(_("困难和需求"), blank=True)
    risk_level = models.CharField(_("风险再评估"), max_length=8, choices=RISK_CHOICES, blank=True)
    next_visit_on = models.DateField(_("下次走访日期"), null=True, blank=True)
    # The recipient signs on the phone (a VisitPhoto of kind signature), or declines: noted here.
    signature_declined = models.BooleanField(_("对象拒绝签字"), default=False, db_default=False)
    signature_note = models.CharField(_("未签字说明"), max_length=200, blank=True, default="", db_default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    area_path = "area"
    volunteer_path = "visitors"
    personal_data = True

    class Meta:
        ordering = ["-visit_date", "-pk"]
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        indexes = [
            models.Index(fields=["area", "visit_date"]),
            models.Index(fields=["person", "visit_date"]),
            models.Index(fields=["household", "visit_date"]),
            # The newest visits of a county, a city or a province (the keyset list), read in order.
            # Partial on a condition only that list states (id > 0), so no other query of visits
            # by date can pick it in place of its person's, household's or area's index.
            models.Index(fields=["visit_date", "id"], name="care_visit_newest", condition=models.Q(id__gt=0)),
        ]

    def __str__(self):
        return f"{self.visit_date:%Y-%m-%d} 走访{self.recipient_name}"

    @property
    def recipient_name(self) -> str:
        if self.person_id:
            return self.person.name
        if self.household_id:
            return str(self.household)
        return "—"


class AidItem(models.Model):
    """Help brought at a visit: cash or goods, with its value in yuan."""

    CASH, GOODS = "cash", "goods"
    KIND_CHOICES = [(CASH, _("现金")), (GOODS, _("物资"))]

    visit = models.ForeignKey(Visit, verbose_name=_("走访"), on_delete=models.CASCADE, related_name="aid_items")
    kind = models.CharField(_("类型"), max_length=8, choices=KIND_CHOICES)
    description = models.CharField(_("名称"), max_length=50)
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=10, blank=True)
    value_yuan = models.DecimalField(_("折合金额（元）"), max_digits=12, decimal_places=2)
    # Copied from the visit so that sums by area and period read one table.
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    given_on = models.DateField(_("发放日期"))

    area_path = "area"
    volunteer_path = "visit__visitors"
    personal_data = True

    class Meta:
        verbose_name = _("救助物资")
        verbose_name_plural = _("救助物资")
        indexes = [models.Index(fields=["area", "given_on"])]

    def __str__(self):
        if self.kind == self.CASH:
            return f"{self.description} {self.value_yuan}元"
        return f"{self.description} {self.quantity:g}{self.unit}（{self.value_yuan}元）"


def _visit_photo_path(instance, filename):
    return f"visits/{instance.visit_id}/{filename}"


class VisitPhoto(models.Model):
    """走访照片 kept as evidence, or the recipient's signature: stored as resized copies without
    their EXIF (the place it was taken only when the visitor kept it on purpose), served only
    through scope (care:visit_photo)."""

    PHOTO, SIGNATURE = "photo", "signature"
    KIND_CHOICES = [(PHOTO, _("走访照片")), (SIGNATURE, _("对象签字"))]

    visit = models.ForeignKey(Visit, verbose_name=_("走访"), on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("类型"), max_length=10, choices=KIND_CHOICES, default=PHOTO)
    image = models.FileField(_("照片"), upload_to=_visit_photo_path, storage=sealed_storage)
    content_type = models.CharField(max_length=40, default="image/jpeg")
    width = models.PositiveIntegerField(_("宽（像素）"), default=0)
    height = models.PositiveIntegerField(_("高（像素）"), default=0)
    location_kept = models.BooleanField(_("保留拍摄位置"), default=False)
    # Copied from the visit, so that scoping is a range on this table's own column.
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    area_path = "area"
    volunteer_path = "visit__visitors"
    personal_data = True

    class Meta:
        ordering = ["visit_id", "kind", "pk"]
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")

    def __str__(self):
        return f"{self.get_kind_display()}（走访{self.visit_id}）"


class Activity(models.Model):
    """活动: a festival visit, publicity, free clinic, training, games, pairing or donation event."""

    KIND_CHOICES = [("condolence", _("慰问")), ("publicity", _("宣传")), ("clinic", _("义诊")),
                    ("training", _("培训")), ("recreation", _("文体")), ("pairing", _("结对")),
                    ("donation", _("捐赠")), ("other", _("其他"))]

    @classmethod
    def kind_words(cls) -> list[str]:
        """The kinds as prose names them and the activities metric takes them (its labels), "other" aside."""
        return [str(label) for code, label in cls.KIND_CHOICES if code != "other"]

    title = models.CharField(_("活动名称"), max_length=100)
    kind = models.CharField(_("活动类型"), max_length=12, choices=KIND_CHOICES)
    held_on = models.DateField(_("活动日期"))
    place = models.CharField(_("活动地点"), max_length=100, blank=True)
    area = models.ForeignKey("areas.Area", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    organisers = models.ManyToManyField("coordination.MemberUnit", verbose_name=_("组织单位"), blank=True,
                                        related_name="activities")
    volunteers_count = models.PositiveIntegerField(_("参与志愿者（人）"), default=0)
    participants_count = models.PositiveIntegerField(_("参与群众（人次）"), default=0)
    beneficiaries_count = models.PositiveIntegerField(_("受益人数（人）"), default=0)
    consultations_count = models.PositiveIntegerField(_("咨询人数（人次）"), default=0)
    funds_yuan = models.DecimalField(_("投入资金（元）"), max_digits=12, decimal_places=2, default=0)
    description = models.TextField(_("活动内容"), blank=True)
    beneficiaries = models.ManyToManyField("registry.Person", verbose_name=_("受益对象"), blank=True,
                                           related_name="activities")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    area_path = "area"
    unit_path = "organisers"
    personal_data = False  # counts and places; the named beneficiaries are scoped as persons

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        indexes = [models.Index(fields=["area", "held_on"])]

    def __str__(self):
        return self.title


class ActivityMaterial(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="materials")
    item = models.CharField(_("物品"), max_length=50)
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=10, blank=True)

    area_path = "activity__area"
    personal_data = False

    class Meta:
        verbose_name = _("发放物品")
        verbose_name_plural = _("发放物品")

    def __str__(self):
        return f"{self.item}{self.quantity:g}{self.unit}"


def _photo_path(instance, filename):
    return f"activities/{instance.activity_id}/{filename}"


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to=_photo_path, storage=sealed_storage)
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    content_type = models.CharField(max_length=40, default="image/jpeg")

    area_path = "activity__area"
    unit_path = "activity__organisers"
    personal_data = False

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")


class CareHome(models.Model):
    """爱心家园 / 儿童之家: a facility built and run to the standard checklist."""

    LOVE_HOME, CHILDREN_HOME = "love_home", "children_home"
    KIND_CHOICES = [(LOVE_HOME, _("爱心家园")), (CHILDREN_HOME, _("儿童之家"))]

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=KIND_CHOICES, default=CHILDREN_HOME)
    area = models.ForeignKey("areas.Area", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    sponsor_unit = models.ForeignKey("coordination.MemberUnit", verbose_name=_("共建单位"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="care_homes")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    opened_on = models.DateField(_("建成日期"), null=True, blank=True)
    manager = models.CharField(_("负责人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    area_path = "area"
    unit_path = "sponsor_unit"
    personal_data = False

    class Meta:
        ordering = ["area_id", "name"]
        verbose_name = _("爱心家园/儿童之家")
        verbose_name_plural = _("爱心家园/儿童之家")

    def __str__(self):
        return self.name


class Inspection(models.Model):
    """A check of a care home against the standard checklist as it stood that day."""

    home = models.ForeignKey(CareHome, verbose_name=_("场所"), on_delete=models.CASCADE, related_name="inspections")
    inspected_on = models.DateField(_("检查日期"))
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("检查人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    # [{"code": "site", "label": "有场所", "ok": true}, ...]: labels kept, so a later
    # change of the checklist does not rewrite old results.
    results = models.JSONField(_("检查结果"), default=list)
    passed = models.PositiveSmallIntegerField(_("达标项数"), default=0)
    total = models.PositiveSmallIntegerField(_("检查项数"), default=0)
    notes = models.TextField(_("问题和整改意见"), blank=True)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    area_path = "area"
    unit_path = "home__sponsor_unit"
    personal_data = False

    class Meta:
        ordering = ["-inspected_on", "-pk"]
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")

    @property
    def failed_labels(self) -> list[str]:
        return [row["label"] for row in self.results if not row.get("ok")]
