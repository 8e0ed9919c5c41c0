from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import categories as cat


class Household(models.Model):
    """A household (户): persons living together, with their relation to the head."""

    area = models.ForeignKey("areas.Area", verbose_name=_("所在村（社区）"), on_delete=models.PROTECT)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    head_name = models.CharField(_("户主姓名"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)

    # Bumped by every write to the household, its head, members or guardians (registry.households):
    # an edit made on a page opened before another's save is refused, not lost.
    version = models.PositiveIntegerField(_("版本"), default=1, db_default=1, editable=False)

    area_path = "area"
    personal_data = True

    class Meta:
        verbose_name = _("家庭户")
        verbose_name_plural = _("家庭户")

    def __str__(self):
        return f"{self.head_name or '—'}户"


class HouseholdMember(models.Model):
    """A member of a household who is not in care (not a Person on file): a grandmother, an uncle,
    a parent away for work. The head (户主) is one of them when the head is not on file; households
    made before the head could be entered have a Person with relation_to_head "head" instead."""

    household = models.ForeignKey(Household, verbose_name=_("家庭户"), on_delete=models.CASCADE,
                                  related_name="others")
    is_head = models.BooleanField(_("户主"), default=False)
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(_("与儿童关系"), max_length=24, choices=cat.MEMBER_RELATIONS, blank=True)
    # Encrypted, hashed and masked as Person's (registry.crypto, via services.prepare_id).
    id_number_encrypted = models.TextField(_("身份证号（加密）"), blank=True, editable=False)
    id_number_hash = models.CharField(_("身份证号检索码"), max_length=64, blank=True, db_index=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    away_for_work = models.BooleanField(_("外出务工"), default=False)
    away_place = models.CharField(_("务工地"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    area_path = "household__area"
    personal_data = True

    class Meta:
        ordering = ["-is_head", "pk"]
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        constraints = [models.UniqueConstraint(fields=["household"], condition=models.Q(is_head=True),
                                               name="one_head_member_per_household")]

    def __str__(self):
        return self.name


class Guardian(models.Model):
    """A child's guardian (监护人): a member of the household (on file or not) or a person entered
    here, with their relation to the child and the guardianship type. One per child, as the national
    registration form has one 委托监护人; services keep that form's guardian fields in step."""

    child = models.OneToOneField("Person", verbose_name=_("儿童"), on_delete=models.CASCADE, related_name="guardian")
    member = models.ForeignKey(HouseholdMember, verbose_name=_("家庭成员"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="wards")
    person = models.ForeignKey("Person", verbose_name=_("在册人员"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="wards")
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    relation = models.CharField(_("与儿童关系"), max_length=24, choices=cat.GUARDIAN_RELATIONS)
    guardianship_type = models.CharField(_("监护类型"), max_length=24, choices=cat.GUARDIANSHIP_TYPES)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    area_path = "child__area"
    personal_data = True

    class Meta:
        verbose_name = _("监护人")
        verbose_name_plural = _("监护人")

    @property
    def display_name(self) -> str:
        return self.member.name if self.member_id else self.person.name if self.person_id else self.name

    @property
    def display_phone(self) -> str:
        return self.member.phone if self.member_id else self.person.phone if self.person_id else self.phone

    def __str__(self):
        return self.display_name


class Person(models.Model):
    """A person on file (建档立卡): one row per human, known again by ID number."""

    # What services record beside the fields (audit.models.field_label names them on the record's history).
    AUDIT_LABELS = {"categories": _("人员类别"), "area": _("所在村（社区）"), "household": _("家庭户")}
    AUDIT_ALSO = ("registry.childprofile",)

    SEX_CHOICES = [("男", _("男")), ("女", _("女"))]
    ACTIVE, EXITED = "active", "exited"
    STATUS_CHOICES = [(ACTIVE, _("在册")), (EXITED, _("已退出"))]
    RELATION_CHOICES = [("head", "户主"), ("spouse", "配偶"), ("child", "子女"), ("grandchild", "孙子女"),
                        ("father", "父亲"), ("mother", "母亲"), ("grandparent", "祖父母/外祖父母"),
                        ("sibling", "兄弟姐妹"), ("other", "其他")]

    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=SEX_CHOICES, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number_encrypted = models.TextField(_("身份证号（加密）"), blank=True, editable=False)
    id_number_hash = models.CharField(_("身份证号检索码"), max_length=64, blank=True, db_index=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    # Keyed hash of the ID number's last four characters (crypto.suffix_hash): a search for
    # “0119”, as officials read numbers aloud, without decrypting anything.
    id_suffix_hash = models.CharField(_("身份证后四位检索码"), max_length=16, blank=True, default="", db_default="",
                                      editable=False)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, db_index=True)
    area = models.ForeignKey("areas.Area", verbose_name=_("所在村（社区）"), on_delete=models.PROTECT,
                             related_name="persons")
    # The level of the current risk assessment, written only by services.assess_risk
    # (and merges), so that lists filter on it without joining the assessments.
    current_risk = models.CharField(_("当前风险等级"), max_length=8, blank=True, editable=False)
    address = models.CharField(_("现住址"), max_length=200, blank=True)
    hukou_registered = models.BooleanField(_("有户籍"), default=True)
    hukou_place = models.CharField(_("户籍所在地"), max_length=200, blank=True)
    household = models.ForeignKey(Household, verbose_name=_("家庭户"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="members")
    relation_to_head = models.CharField(_("与户主关系"), max_length=16, choices=RELATION_CHOICES, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=STATUS_CHOICES, default=ACTIVE)
    exit_reason = models.CharField(_("退出原因"), max_length=20, choices=cat.EXIT_REASONS, blank=True)
    exit_date = models.DateField(_("退出日期"), null=True, blank=True)
    pinyin_full = models.CharField(_("姓名全拼"), max_length=200, blank=True, db_index=True, editable=False)
    pinyin_initials = models.CharField(_("姓名首字母"), max_length=50, blank=True, db_index=True, editable=False)
    # Rarely queried: no index of its own (each index costs every import of a million rows).
    merged_into = models.ForeignKey("self", verbose_name=_("已合并至"), null=True, blank=True, editable=False, db_index=False,
                                    on_delete=models.PROTECT, related_name="merged_from")
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("建档人"), null=True, blank=True, db_index=False,
                                   on_delete=models.SET_NULL, related_name="+")

    area_path = "area"
    personal_data = True
    # A volunteer sees the persons paired with them (care.Pairing.person, related_name "pairings")
    # while the pairing is active.
    volunteer_path = "pairings__helper__user"
    volunteer_active_path = "pairings"

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        indexes = [
            # Lists filter on status, range over the area code and sort by name:
            # this index serves the filter, the range and the order at once.
            models.Index(fields=["status", "area", "name"]),
            models.Index(fields=["current_risk", "status", "area"]),
            models.Index(fields=["name"]),
            models.Index(fields=["id_suffix_hash"], name="registry_person_id_suffix"),
            # Probable duplicates (registry.duplicates): the same ID number, or the same name and
            # birth date, among active records, grouped in index order without a sort or the rows.
            models.Index(fields=["status", "id_number_hash"], name="registry_person_dup_id"),
            models.Index(fields=["status", "name", "birth_date", "area"], name="registry_person_dup_name"),
        ]

    def __str__(self):
        return self.name


class PersonCategory(models.Model):
    """A care category a person belongs to (a person may have several)."""

    # The unique (person, category) index serves look-ups by person and joins by category.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="categories", db_index=False)
    category = models.CharField(_("人员类别"), max_length=24, choices=cat.CATEGORY_CHOICES)
    subtype = models.CharField(_("细类"), max_length=20, blank=True)
    since = models.DateField(_("认定日期"), null=True, blank=True)

    area_path = "person__area"
    personal_data = True

    class Meta:
        verbose_name = _("人员类别")
        verbose_name_plural = _("人员类别")
        constraints = [models.UniqueConstraint(fields=["person", "category"], name="unique_person_category")]

    def __str__(self):
        return self.get_category_display()


class ChildProfile(models.Model):
    """The national registration form of a left-behind child / child in difficulty."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="child_profile")
    health = models.CharField(_("健康状况"), max_length=10, choices=cat.HEALTH, default="healthy")
    disability = models.CharField(_("残疾类别及等级"), max_length=50, blank=True)
    illness = models.CharField(_("所患疾病"), max_length=100, blank=True)
    boarding = models.BooleanField(_("寄宿"), default=False)
    schooling = models.CharField(_("就学情况"), max_length=16, choices=cat.SCHOOLING, blank=True)
    school = models.CharField(_("就读学校"), max_length=100, blank=True)
    father_name = models.CharField(_("父亲姓名"), max_length=50, blank=True)
    father_phone = models.CharField(_("父亲电话"), max_length=20, blank=True)
    father_workplace = models.CharField(_("父亲务工地（省市）"), max_length=100, blank=True)
    mother_name = models.CharField(_("母亲姓名"), max_length=50, blank=True)
    mother_phone = models.CharField(_("母亲电话"), max_length=20, blank=True)
    mother_workplace = models.CharField(_("母亲务工地（省市）"), max_length=100, blank=True)
    both_parents_away = models.BooleanField(_("父母均外出"), default=False)
    one_parent_incapable = models.BooleanField(_("一方外出另一方无监护能力"), default=False)
    guardian_name = models.CharField(_("委托监护人姓名"), max_length=50, blank=True)
    guardian_phone = models.CharField(_("委托监护人电话"), max_length=20, blank=True)
    guardian_relation = models.CharField(_("与儿童关系"), max_length=20, blank=True)
    guardian_age = models.PositiveSmallIntegerField(_("监护人年龄"), null=True, blank=True)
    guardian_health = models.CharField(_("监护人健康状况"), max_length=50, blank=True)
    guardian_address = models.CharField(_("监护人住址"), max_length=200, blank=True)
    guardianship_rating = models.CharField(_("监护情况"), max_length=20, choices=cat.GUARDIANSHIP_RATING, blank=True)
    income_sources = models.CharField(_("家庭收入来源"), max_length=100, blank=True)
    assistance = models.CharField(_("享受救助情况"), max_length=100, blank=True)

    area_path = "person__area"
    personal_data = True

    class Meta:
        verbose_name = _("儿童信息")
        verbose_name_plural = _("儿童信息")

    @property
    def lacks_effective_guardianship(self) -> bool:
        return self.guardianship_rating in cat.WEAK_GUARDIANSHIP


class ElderProfile(models.Model):
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="elder_profile")
    living = models.CharField(_("居住情况"), max_length=10, choices=cat.LIVING, blank=True)
    marital_status = models.CharField(_("婚姻状况"), max_length=10, blank=True)
    children_count = models.PositiveSmallIntegerField(_("子女数"), null=True, blank=True)
    self_care = models.CharField(_("自理能力"), max_length=10, choices=cat.SELF_CARE, blank=True)
    income_sources = models.CharField(_("收入来源"), max_length=100, blank=True)
    health = models.CharField(_("健康状况"), max_length=100, blank=True)
    needs = models.CharField(_("服务需求"), max_length=200, blank=True)

    area_path = "person__area"
    personal_data = True

    class Meta:
        verbose_name = _("老人信息")
        verbose_name_plural = _("老人信息")


class RiskAssessment(models.Model):
    """A risk judgement on the five dimensions, plus flags, giving a level."""

    LEVELS = [("red", "红"), ("orange", "橙"), ("yellow", "黄"), ("green", "绿")]
    DIMENSIONS = [("schooling", "学业失教"), ("daily_care", "生活失助"), ("family_bonds", "亲情失落"),
                  ("mental", "心理失衡"), ("safety", "安全失保")]
    FLAGS = [("no_guardian", "无人监护"), ("guardian_incapable", "监护人无监护能力"), ("dropout", "辍学"),
             ("no_hukou", "无户籍"), ("living_alone", "独自居住")]

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField(_("评估日期"))
    schooling = models.PositiveSmallIntegerField(_("学业失教"), default=0)
    daily_care = models.PositiveSmallIntegerField(_("生活失助"), default=0)
    family_bonds = models.PositiveSmallIntegerField(_("亲情失落"), default=0)
    mental = models.PositiveSmallIntegerField(_("心理失衡"), default=0)
    safety = models.PositiveSmallIntegerField(_("安全失保"), default=0)
    flags = models.JSONField(_("风险标记"), default=list, blank=True)
    level = models.CharField(_("风险等级"), max_length=8, choices=LEVELS, db_index=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评估人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    is_current = models.BooleanField(_("当前评估"), default=True, db_index=True)

    area_path = "person__area"
    personal_data = True

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("风险评估")
        verbose_name_plural = _("风险评估")


class ScreeningCampaign(models.Model):
    """A round of household screening (摸底排查) over an area for some categories."""

    name = models.CharField(_("排查名称"), max_length=100)
    area = models.ForeignKey("areas.Area", verbose_name=_("排查范围"), on_delete=models.PROTECT)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("截止日期"))
    categories = models.JSONField(_("排查类别"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    area_path = "area"
    personal_data = False

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("摸底排查")
        verbose_name_plural = _("摸底排查")

    def __str__(self):
        return self.name


class ScreeningReport(models.Model):
    """A village's result for a campaign: households checked and persons found by category."""

    campaign = models.ForeignKey(ScreeningCampaign, on_delete=models.CASCADE, related_name="reports")
    village = models.ForeignKey("areas.Area", verbose_name=_("村（社区）"), on_delete=models.PROTECT)
    households_checked = models.PositiveIntegerField(_("排查户数"), default=0)
    counts = models.JSONField(_("发现人数（按类别）"), default=dict)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField(_("填报时间"), auto_now=True)

    area_path = "village"
    personal_data = False

    class Meta:
        verbose_name = _("排查结果")
        verbose_name_plural = _("排查结果")
        constraints = [models.UniqueConstraint(fields=["campaign", "village"], name="one_report_per_village")]


class TransferRequest(models.Model):
    """转移申请: a worker asks that a person on file elsewhere be moved to their village.

    The request goes to the lowest area that contains both villages, whose staff (who see
    both) approve, moving the person, or refuse with a reason. The requester learns nothing
    of where the person lives.
    """

    PENDING, APPROVED, REFUSED = "pending", "approved", "refused"
    STATUS_CHOICES = [(PENDING, _("待审批")), (APPROVED, _("已同意")), (REFUSED, _("未同意"))]

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="transfers")
    from_area = models.ForeignKey("areas.Area", verbose_name=_("原村（社区）"), on_delete=models.PROTECT, related_name="+")
    to_area = models.ForeignKey("areas.Area", verbose_name=_("转入村（社区）"), on_delete=models.PROTECT, related_name="+")
    # The lowest area over both villages: its staff decide. Scoping runs on it.
    common_area = models.ForeignKey("areas.Area", verbose_name=_("审批区划"), on_delete=models.PROTECT,
                                    related_name="+")
    reason = models.CharField(_("申请理由"), max_length=300)
    status = models.CharField(_("状态"), max_length=10, choices=STATUS_CHOICES, default=PENDING, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)

    area_path = "common_area"
    personal_data = True

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("转移申请")
        verbose_name_plural = _("转移申请")

    def __str__(self):
        return f"{self.person}转移申请"


class DuplicateMember(models.Model):
    """A member of a probable-duplicate group, kept (registry.duplicates): every active person
    sharing an ID number hash ("id") or a name and birth date within one township ("name") with
    at least one other active person anywhere. Kept by the kept figures' refreshes, in the
    writer's transaction (stats.tallies.after_refresh), so the duplicates page of a province
    reads a few hundred rows instead of grouping a million records."""

    ID, NAME = "id", "name"
    COMPLETE = "complete"  # one row (person 0, no area): a full rebuild filled the table

    # Plain, not a foreign key: a deleted person's rows go with the refresh of its village.
    person_id = models.IntegerField(db_index=True)
    kind = models.CharField(max_length=8)
    # The ID number's hash, or "name|birth date|township code".
    key = models.CharField(max_length=120)
    area = models.ForeignKey("areas.Area", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                             related_name="+")

    area_path = "area"
    personal_data = True

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key", "person_id"], name="registry_dupmember_unique")]
        # A scope's groups: its range of area codes, grouped by key.
        indexes = [models.Index(fields=["kind", "area", "key"], name="registry_dupmember_area")]
