"""Forms of the conference pages: they parse input; the services validate and write."""

from __future__ import annotations


from django import forms
from django.utils import timezone

from guanai.areas.models import Area
from guanai.areas.scoping import scope_queryset
from guanai.core.forms import SpreadsheetField, StyledForm
from guanai.stats.forms import PeriodField

from . import checks, services
from .models import Duty, Indicator, MemberUnit, PERIOD_TYPE_CHOICES, ValidationRule

DATE = {"type": "date"}


class ConferenceForm(StyledForm):
    area = forms.ChoiceField(label="所属区划", error_messages={"required": "请选择区划"})
    name = forms.CharField(label="名称", max_length=200, required=False, help_text="不填则按区划自动命名")
    office_name = forms.CharField(label="办公室", max_length=100, required=False,
                                  help_text="如：示范市民政局（联席会议办公室设在民政局）")
    office_phone = forms.CharField(label="办公室电话", max_length=30, required=False)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["area"]
            self.fields["name"].required = True
            self.fields["office_name"].required = True
            return
        areas = scope_queryset(Area.objects.filter(level__in=services.CONFERENCE_LEVELS), user).order_by("code")
        self.fields["area"].choices = [(a.code, f"{a.name}（{a.code}）") for a in areas[:3000]
                                       if services.office_manages(user, a.code)]


class UnitForm(StyledForm):
    name = forms.CharField(label="单位名称", max_length=100, error_messages={"required": "请填写单位名称"})
    is_lead = forms.BooleanField(label="牵头单位", required=False)
    contact_name = forms.CharField(label="联络员", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    position = forms.IntegerField(label="排序", required=False, min_value=0, max_value=999,
                                  error_messages={"invalid": "排序应为整数"})


class CloseUnitForm(StyledForm):
    closed_on = forms.DateField(label="撤销日期", widget=forms.DateInput(attrs=DATE),
                                error_messages={"required": "请填写撤销日期", "invalid": "请输入有效日期，如 2026-05-03"})
    closed_reason = forms.CharField(label="撤销原因", max_length=100, error_messages={"required": "请填写撤销原因"},
                                    help_text="如：机构改革合并至某单位。撤销后不再要求该单位报送，报送率的分子分母都不再计入。")


class LiaisonForm(StyledForm):
    account = forms.ModelChoiceField(label="联络员账号", queryset=MemberUnit.objects.none(),
                                     error_messages={"required": "请选择账号", "invalid_choice": "请选择列表中的账号"})

    def __init__(self, *args, user, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = services.liaison_candidates(user, unit)
        self.fields["account"].label_from_instance = lambda u: f"{u.username}（{u}）{'，现属' + u.unit.name if u.unit_id else ''}"


class DutiesForm(StyledForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2099,
                              error_messages={"required": "请填写年度", "invalid": "年度应为四位数字"})
    kind = forms.ChoiceField(label="类别", choices=Duty.KIND_CHOICES)
    unit = forms.ModelChoiceField(label="成员单位", queryset=MemberUnit.objects.none(), required=False,
                                  empty_label="（联席会议工作要点）")
    items = forms.CharField(label="内容", required=False, widget=forms.Textarea(attrs={"rows": 8}),
                            help_text="每行一项；清空则删除该年度该类别的全部内容。")

    def __init__(self, *args, conference, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = conference.units.all()
        self.fields["year"].initial = timezone.localdate().year


class ReportFormForm(StyledForm):
    name = forms.CharField(label="报表名称", max_length=100, error_messages={"required": "请填写报表名称"})
    period_type = forms.ChoiceField(label="报送周期", choices=PERIOD_TYPE_CHOICES, initial="quarter")
    first_period = PeriodField(label="起始期间", allow_future=True, as_key=True,
                               error_messages={"required": "请选择起始期间"},
                               help_text="与报送周期一致：季度报表选某一季度，月报选某月，半年报选上半年或下半年，年报选全年")
    deadline_workdays = forms.IntegerField(label="报送期限（期末后工作日）", initial=10, min_value=1,
                                           error_messages={"required": "请填写报送期限", "invalid": "请填写整数",
                                                           "min_value": "报送期限至少为1个工作日"})
    lock_workdays = forms.IntegerField(label="填报锁定（期末后工作日）", initial=65, min_value=0,
                                       help_text="期末后超过该工作日数即锁定填报；0 为不锁定",
                                       error_messages={"required": "请填写锁定期限", "invalid": "请填写整数",
                                                       "min_value": "不能为负数"})
    instructions = forms.CharField(label="填报说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    active = forms.BooleanField(label="启用", required=False, initial=True)


class IndicatorForm(StyledForm):
    label = forms.CharField(label="指标名称", max_length=100, error_messages={"required": "请填写指标名称"})
    kind = forms.ChoiceField(label="类型", choices=Indicator.KIND_CHOICES)
    unit = forms.CharField(label="计量单位", max_length=10, required=False, help_text="如：次、人、万元")
    decimals = forms.IntegerField(label="小数位数", initial=0, min_value=0, max_value=services.MAX_DECIMALS,
                                  error_messages={"invalid": "请填写整数", "min_value": "不能为负数",
                                                  "max_value": f"最多{services.MAX_DECIMALS}位"})
    allow_negative = forms.BooleanField(label="允许负数", required=False)
    required = forms.BooleanField(label="必填", required=False)
    metric = forms.ChoiceField(label="从系统记录取数", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [("", "（手工填报）")] + services.bindable_metrics()


class SectionForm(StyledForm):
    title = forms.CharField(label="栏目名称", max_length=50, error_messages={"required": "请填写栏目名称"},
                            help_text="如：主要做法、存在问题、下步打算")
    hint = forms.CharField(label="填写提示", max_length=200, required=False)
    required = forms.BooleanField(label="必填", required=False, initial=True)


class RuleForm(StyledForm):
    left = forms.MultipleChoiceField(label="左侧（多项相加）", widget=forms.SelectMultiple(attrs={"size": 6}),
                                     error_messages={"required": "请至少选择一项指标"})
    operator = forms.ChoiceField(label="关系", choices=ValidationRule.OPERATOR_CHOICES)
    right = forms.MultipleChoiceField(label="右侧（多项相加）", widget=forms.SelectMultiple(attrs={"size": 6}),
                                      error_messages={"required": "请至少选择一项指标"})
    missing = forms.ChoiceField(label="缺失值处理", choices=ValidationRule.MISSING_CHOICES)

    def __init__(self, *args, form_obj, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(i.pk), str(i)) for i in form_obj.indicators.all()]
        self.fields["left"].choices = choices
        self.fields["right"].choices = choices


class DeadlineForm(StyledForm):
    period_key = PeriodField(label="期间", allow_future=True, as_key=True, error_messages={"required": "请选择期间"})
    due_on = forms.DateField(label="截止日期", widget=forms.DateInput(attrs=DATE),
                             error_messages={"required": "请填写截止日期", "invalid": "请输入有效日期，如 2026-10-20"})
    reason = forms.CharField(label="调整原因", max_length=200, error_messages={"required": "请填写调整原因"})


class OpenEntryForm(StyledForm):
    unit = forms.ModelChoiceField(label="成员单位", queryset=MemberUnit.objects.none(),
                                  error_messages={"required": "请选择成员单位", "invalid_choice": "请选择列表中的单位"})
    period_key = PeriodField(label="期间", allow_future=True, as_key=True, error_messages={"required": "请选择期间"})
    until = forms.DateField(label="开放至", widget=forms.DateInput(attrs=DATE),
                            error_messages={"required": "请填写开放截止日期", "invalid": "请输入有效日期"})
    reason = forms.CharField(label="理由", max_length=500, error_messages={"required": "请填写开放填报理由"})

    def __init__(self, *args, form_obj, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = form_obj.conference.units.filter(closed_on__isnull=True)


class UploadForm(StyledForm):
    file = SpreadsheetField(label="成员单位及职责分工表", error_messages={"required": "请选择文件"},
                           help_text="Excel（.xlsx、.xls）或 CSV；列：成员单位（必填）、牵头单位、联络员、联系电话、职责分工、"
                                     "区划代码、年度。职责分工每项一行（或以“；”分隔）。")
    area = forms.CharField(label="联席会议所在区划代码", max_length=12, required=False,
                           help_text="表中没有“区划代码”列时必填")
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2099,
                              help_text="表中没有“年度”列时按此年度，不填为今年",
                              error_messages={"invalid": "年度应为四位数字"})

    def clean_area(self):
        code = (self.cleaned_data.get("area") or "").strip()
        if code and not (code.isdigit() and len(code) == 12):
            raise forms.ValidationError("请填写12位区划代码。")
        return code


def report_entry_form(report, data=None) -> forms.Form:
    """The fields of one report: an input per indicator (text, so what was typed reaches the
    service and a wrong entry is named there), a text area per narrative section."""
    fields = {}
    for indicator in report.form.indicators.filter(active=True):
        value = report.values.get(indicator.key)
        label = f"{indicator.label}（{indicator.unit}）" if indicator.unit else indicator.label
        if indicator.kind == Indicator.YES_NO:
            field = forms.ChoiceField(label=label, required=False, choices=[("", "未填"), ("是", "是"), ("否", "否")],
                                      initial={True: "是", False: "否"}.get(value, ""))
        elif indicator.kind == Indicator.TEXT:
            field = forms.CharField(label=label, required=False, initial=value or "",
                                    widget=forms.Textarea(attrs={"rows": 2}))
        else:
            field = forms.CharField(label=label, required=False, initial=value or "",
                                    widget=forms.TextInput(attrs={"inputmode": "decimal"}))
        if indicator.required:
            field.help_text = "必填"
        fields[checks.field_name(indicator)] = field
    for section in report.form.sections.all():
        fields[checks.section_field(section)] = forms.CharField(
            label=section.title, required=False, initial=report.narrative.get(section.key, ""), help_text=section.hint,
            widget=forms.Textarea(attrs={"rows": 5}))
    return type("ReportEntryForm", (StyledForm,), fields)(data)


def entry_from(report, data) -> tuple[dict, dict]:
    """(values by indicator id, narrative by section id) as typed."""
    values = {i.key: data.get(checks.field_name(i), "") for i in report.form.indicators.filter(active=True)}
    narrative = {s.key: data.get(checks.section_field(s), "") for s in report.form.sections.all()}
    return values, narrative
