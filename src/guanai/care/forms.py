"""Forms of the care pages: they parse input; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from guanai.accounts import roles
from guanai.accounts.models import User
from guanai.areas import codes
from guanai.areas.forms import area_choices
from guanai.areas.scoping import area_filter
from guanai.coordination.models import MemberUnit
from guanai.coordination.units import usable_units
from guanai.core.forms import StyledForm
from guanai.core.validation import CountField, MoneyField, PhoneField, RangedDateField
from guanai.registry import categories as cat

from .models import Activity, CareHome, Helper, Visit


class VisitForm(StyledForm):
    person = forms.IntegerField(label="走访对象", widget=forms.HiddenInput, required=False)
    visit_date = RangedDateField(label="走访日期", rule="past")
    mode = forms.ChoiceField(label="走访方式", choices=Visit.MODE_CHOICES, initial=Visit.HOME,
                             error_messages={"required": "请选择走访方式", "invalid_choice": "请选择走访方式"})
    findings = forms.CharField(label="走访情况", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    needs = forms.CharField(label="困难和需求", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    risk_level = forms.ChoiceField(label="风险再评估", required=False, choices=[("", "不变")] + Visit.RISK_CHOICES)
    next_visit_on = RangedDateField(label="下次走访日期", rule="planned", required=False, help_text="按回访规则预填，可修改")
    other_visitors = forms.CharField(label="同行人员", required=False, max_length=200)
    # Photos come as request.FILES["photos"] (several inputs: the camera, the album).
    keep_location = forms.BooleanField(label="保留照片的拍摄位置", required=False,
                                       help_text="默认删除照片中的定位信息；确需证明走访地点时才勾选")
    signature = forms.CharField(label="对象签字", required=False, widget=forms.HiddenInput)
    signature_declined = forms.BooleanField(label="对象拒绝签字", required=False)
    signature_note = forms.CharField(label="未签字说明", required=False, max_length=200)


def aid_rows_from(post) -> list[dict]:
    """The aid rows of the visit form (parallel lists), without the empty ones."""
    columns = [post.getlist(f"aid_{name}") for name in ("kind", "description", "quantity", "unit", "value")]
    rows = []
    for kind, description, quantity, unit, value in zip(*columns, strict=False):
        if not any(x.strip() for x in (description, quantity, unit, value)):
            continue
        rows.append({"kind": kind, "description": description, "quantity": quantity, "unit": unit, "value_yuan": value})
    return rows


def material_rows_from(post) -> list[dict]:
    columns = [post.getlist(f"material_{name}") for name in ("item", "quantity", "unit")]
    return [{"item": item, "quantity": quantity, "unit": unit}
            for item, quantity, unit in zip(*columns, strict=False) if any(x.strip() for x in (item, quantity, unit))]


class HelperForm(StyledForm):
    name = forms.CharField(label="姓名", max_length=50)
    kind = forms.ChoiceField(label="类型", choices=Helper.KIND_CHOICES)
    phone = PhoneField(label="联系电话", required=False)
    area = forms.ChoiceField(label="服务区域")
    unit = forms.ModelChoiceField(label="所属成员单位", queryset=MemberUnit.objects.none(), required=False,
                                  empty_label="（无）")
    account = forms.ModelChoiceField(label="志愿者登录账号", queryset=User.objects.none(), required=False,
                                     empty_label="（无）", help_text="关联后，志愿者登录即可看到自己的结对对象")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices(user, (codes.CITY, codes.COUNTY, codes.TOWNSHIP, codes.VILLAGE))
        self.fields["unit"].queryset = usable_units(user)
        volunteers = User.objects.filter(role=roles.VOLUNTEER, is_active=True, helper__isnull=True)
        if user.area_id:
            volunteers = volunteers.filter(area_filter("area", user.area_id))
        self.fields["account"].queryset = volunteers.order_by("username")


class PairingForm(StyledForm):
    helper = forms.ModelChoiceField(label="帮扶人", queryset=Helper.objects.none(),
                                    error_messages={"required": "请选择帮扶人"})
    start_date = RangedDateField(label="结对日期", rule="past")
    end_date = RangedDateField(label="结束日期", rule="planned", required=False, help_text="长期结对可不填")
    note = forms.CharField(label="帮扶内容", max_length=200, required=False)

    def __init__(self, *args, helpers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = helpers.filter(active=True)


class ActivityForm(StyledForm):
    title = forms.CharField(label="活动名称", max_length=100)
    kind = forms.ChoiceField(label="活动类型", choices=Activity.KIND_CHOICES)
    held_on = RangedDateField(label="活动日期", rule="past")
    area = forms.ChoiceField(label="所在区划")
    place = forms.CharField(label="活动地点", max_length=100, required=False)
    organisers = forms.ModelMultipleChoiceField(label="组织单位", queryset=MemberUnit.objects.none(), required=False,
                                                widget=forms.CheckboxSelectMultiple)
    volunteers_count = CountField(label="参与志愿者（人）", initial=0, required=False)
    participants_count = CountField(label="参与群众（人次）", initial=0, required=False)
    beneficiaries_count = CountField(label="受益人数（人）", initial=0, required=False)
    consultations_count = CountField(label="咨询人数（人次）", initial=0, required=False)
    funds_yuan = MoneyField(label="投入资金（元）", initial=0, required=False)
    description = forms.CharField(label="活动内容", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices(user, (codes.CITY, codes.COUNTY, codes.TOWNSHIP, codes.VILLAGE))
        self.fields["organisers"].queryset = usable_units(user)
        if user.area_id:
            self.fields["area"].initial = user.area_id
        self.fields["held_on"].initial = timezone.localdate()


class CareHomeForm(StyledForm):
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=CareHome.KIND_CHOICES)
    area = forms.ChoiceField(label="所在区划")
    sponsor_unit = forms.ModelChoiceField(label="共建单位", queryset=MemberUnit.objects.none(), required=False,
                                          empty_label="（无）")
    address = forms.CharField(label="地址", max_length=200, required=False)
    opened_on = RangedDateField(label="建成日期", rule="founded", required=False)
    manager = forms.CharField(label="负责人", max_length=50, required=False)
    phone = PhoneField(label="联系电话", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices(user, (codes.TOWNSHIP, codes.VILLAGE))
        self.fields["sponsor_unit"].queryset = usable_units(user)


class InspectionForm(StyledForm):
    inspected_on = RangedDateField(label="检查日期", rule="past")
    notes = forms.CharField(label="问题和整改意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for code, label in items:
            self.fields[f"item_{code}"] = forms.ChoiceField(
                label=label, choices=[("1", "达标"), ("0", "未达标")], widget=forms.RadioSelect,
                error_messages={"required": f"请选择“{label}”是否达标"})
        self.fields["inspected_on"].initial = timezone.localdate()
        self.order_fields(["inspected_on"] + [f"item_{code}" for code, _label in items] + ["notes"])

    def results(self) -> dict[str, bool]:
        return {code: self.cleaned_data[f"item_{code}"] == "1" for code, _label in self.items}


CATEGORY_FILTER = [("", "全部类别")] + cat.CATEGORY_CHOICES

