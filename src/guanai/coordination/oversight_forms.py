"""Forms of the oversight pages: they parse input; the services validate and write.

Figures are read as text and parsed by the services, so "十二" in a count comes back as
"…应为数字，实为“十二”", naming the field, instead of a bare "输入一个数字"."""

from __future__ import annotations

from django import forms

from guanai.accounts import roles
from guanai.accounts.models import User
from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.forms import area_choices
from guanai.areas.scoping import area_filter, scope_queryset
from guanai.core.forms import StyledForm
from guanai.textproc.numbers import trim_decimal

from .models import (CONFERENCE_LEVELS, MEASURES, AssessmentIndicator, AssessmentScheme, MemberUnit,
                     RectificationItem, SupervisionRound)
from .oversight_assessment import metric_choices
from .units import usable_units

DATE = {"type": "date"}


def _name_errors(form) -> None:
    """Messages that name the field: 请填写整改期限, 整改期限应为有效日期 …"""
    for field in form.fields.values():
        label = field.label or ""
        field.error_messages["required"] = f"请填写{label}" if not isinstance(
            field, (forms.ChoiceField, forms.ModelChoiceField)) else f"请选择{label}"
        if isinstance(field, forms.DateField):
            field.error_messages["invalid"] = f"{label}应为有效日期，如 2026-05-03"
        if isinstance(field, (forms.ChoiceField, forms.ModelChoiceField, forms.ModelMultipleChoiceField)):
            field.error_messages["invalid_choice"] = f"{label}：所选项不在可选范围内（不在您的管辖范围或本次督导的区划内）"
            field.error_messages["invalid_pk_value"] = f"{label}：所选项无效"
        if isinstance(field, forms.IntegerField):
            field.error_messages["invalid"] = f"{label}应为整数"


class OversightForm(StyledForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _name_errors(self)


class VersionedForm(OversightForm):
    # The version the form was filled from; a stale one is an edit conflict (told by the service).
    version = forms.CharField(widget=forms.HiddenInput, required=False)


def _team_users(user):
    """Accounts a team can be drawn from: the office's, staff and unit reporters of the user's area."""
    users = User.objects.filter(is_active=True, role__in=[roles.OFFICE, roles.STAFF, roles.UNIT])
    if user.area_id:
        users = users.filter(area_filter("area", user.area_id))
    return users.order_by("area_id", "username")


class RoundForm(VersionedForm):
    title = forms.CharField(label="督导名称", max_length=100)
    area = forms.ChoiceField(label="组织区划")
    started_on = forms.DateField(label="开始日期", widget=forms.DateInput(attrs=DATE))
    ended_on = forms.DateField(label="结束日期", widget=forms.DateInput(attrs=DATE))
    methods = forms.MultipleChoiceField(label="督导方式", choices=SupervisionRound.METHOD_CHOICES,
                                        widget=forms.CheckboxSelectMultiple)
    team_users = forms.ModelMultipleChoiceField(label="督导组成员", queryset=User.objects.none(), required=False,
                                                widget=forms.SelectMultiple(attrs={"size": 6}))
    team_units = forms.ModelMultipleChoiceField(label="督导组成员单位", queryset=MemberUnit.objects.none(),
                                                required=False, widget=forms.SelectMultiple(attrs={"size": 6}))
    visited_areas = forms.ModelMultipleChoiceField(label="督导地区", queryset=Area.objects.none(), required=False,
                                                   widget=forms.SelectMultiple(attrs={"size": 6}))
    visited_units = forms.ModelMultipleChoiceField(label="督导单位", queryset=MemberUnit.objects.none(),
                                                   required=False, widget=forms.SelectMultiple(attrs={"size": 6}))
    findings = forms.CharField(label="督导发现", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(label="修改原因", required=False, max_length=200)

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices(user, levels=CONFERENCE_LEVELS)
        self.fields["team_users"].queryset = _team_users(user)
        self.fields["team_users"].label_from_instance = lambda u: f"{u}（{u.username}）"
        self.fields["team_units"].queryset = usable_units(user)
        self.fields["visited_areas"].queryset = scope_queryset(
            Area.objects.filter(level__in=[codes.COUNTY, codes.TOWNSHIP]), user).order_by("code")
        self.fields["visited_units"].queryset = scope_queryset(MemberUnit.objects.all(), user)
        if not editing:
            del self.fields["reason"]


class ItemForm(VersionedForm):
    problem = forms.CharField(label="存在问题", widget=forms.Textarea(attrs={"rows": 3}))
    measure = forms.CharField(label="整改措施", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    responsible_unit = forms.ModelChoiceField(label="责任单位", queryset=MemberUnit.objects.none(), required=False,
                                              help_text="责任单位与责任地区二者选其一")
    responsible_area = forms.ChoiceField(label="责任地区", required=False)
    deadline = forms.DateField(label="整改期限", widget=forms.DateInput(attrs=DATE))
    reason = forms.CharField(label="修改原因", required=False, max_length=200)

    def __init__(self, *args, user, supervision: SupervisionRound, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        low, high = codes.subtree_bounds(supervision.area_id)
        self.fields["responsible_unit"].queryset = MemberUnit.objects.filter(area__gte=low, area__lt=high)
        areas = [(code, name) for code, name in area_choices(user, levels=(codes.COUNTY, codes.TOWNSHIP, codes.VILLAGE))
                 if codes.is_within(code, supervision.area_id)]
        self.fields["responsible_area"].choices = [("", "——")] + areas
        if not editing:
            del self.fields["reason"]


class ProgressForm(VersionedForm):
    status = forms.ChoiceField(label="整改状态", choices=RectificationItem.STATUS_CHOICES, widget=forms.RadioSelect)
    completed_on = forms.DateField(label="完成日期", required=False, widget=forms.DateInput(attrs=DATE),
                                   help_text="已整改时填写")
    progress_note = forms.CharField(label="整改情况", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class VerifyForm(VersionedForm):
    verified_on = forms.DateField(label="核验日期", widget=forms.DateInput(attrs=DATE))
    note = forms.CharField(label="核验意见", required=False, max_length=200)


class SchemeForm(OversightForm):
    title = forms.CharField(label="方案名称", max_length=100)
    year = forms.CharField(label="考核年度", max_length=8)
    area = forms.ChoiceField(label="考核区划")
    subject = forms.ChoiceField(label="考核对象", choices=AssessmentScheme.SUBJECT_CHOICES)
    total_points = forms.ChoiceField(label="总分", choices=AssessmentScheme.TOTAL_CHOICES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices(user, levels=CONFERENCE_LEVELS)


class IndicatorForm(OversightForm):
    name = forms.CharField(label="考核指标", max_length=100)
    requirement = forms.CharField(label="目标要求和评分标准", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    points = forms.CharField(label="分值", max_length=20)
    rule = forms.ChoiceField(label="评分规则", choices=AssessmentIndicator.RULE_CHOICES)
    target = forms.CharField(label="目标值", required=False, max_length=20)
    deduct_per = forms.CharField(label="每差1扣分", required=False, max_length=20, help_text="按差额扣分时填写，如少一次扣2.5分填2.5")
    higher_is_better = forms.BooleanField(label="数值越高越好", required=False, initial=True,
                                          help_text="逾期事项数等越少越好的指标请取消勾选")
    metric = forms.ChoiceField(label="数据来源", required=False)
    metric_params = forms.CharField(label="统计指标参数", required=False, max_length=200,
                                    help_text="一般不填；写作 参数名=值，多个用分号隔开")

    def __init__(self, *args, scheme: AssessmentScheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [("", "人工录入（无法从系统取数）")] + metric_choices(scheme.subject)

    def clean_metric_params(self):
        text = (self.cleaned_data.get("metric_params") or "").replace("；", ";").strip()
        params = {}
        for part in filter(None, (p.strip() for p in text.split(";"))):
            key, sep, value = part.partition("=")
            if not sep or not key.strip() or not value.strip():
                raise forms.ValidationError(f"统计指标参数应写作 名称=值，“{part}”不符合")
            params[key.strip()] = value.strip()
        return params


class ScoreForm(VersionedForm):
    value = forms.CharField(label="实际值", required=False, max_length=20)
    score = forms.CharField(label="得分", required=False, max_length=20)
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, indicator: AssessmentIndicator, **kwargs):
        super().__init__(*args, **kwargs)
        if indicator.rule == AssessmentIndicator.MANUAL:
            del self.fields["value"]
            self.fields["score"].label = f"得分（满分{trim_decimal(indicator.points)}分）"
        else:
            del self.fields["score"]
            if indicator.target is not None:
                self.fields["value"].label = f"实际值（目标{trim_decimal(indicator.target)}）"


class ProjectForm(OversightForm):
    name = forms.CharField(label="项目名称", max_length=100)
    area = forms.ChoiceField(label="实施区划")
    responsible_unit = forms.ModelChoiceField(label="责任单位", queryset=MemberUnit.objects.none(), required=False)
    planned_start = forms.DateField(label="计划开工日期", widget=forms.DateInput(attrs=DATE))
    planned_end = forms.DateField(label="计划完工日期", widget=forms.DateInput(attrs=DATE))
    description = forms.CharField(label="项目内容", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices(user, levels=(codes.CITY, codes.COUNTY, codes.TOWNSHIP,
                                                                  codes.VILLAGE))
        self.fields["responsible_unit"].queryset = usable_units(user)


MEASURE_CHOICES = MEASURES


def line_rows_from(data) -> list[dict]:
    """The target rows of the project form (line_action, line_subject, line_measure, line_planned)."""
    columns = [data.getlist(f"line_{name}") for name in ("action", "subject", "measure", "planned")]
    return [{"action": a, "subject": s, "measure": m, "planned": p} for a, s, m, p in zip(*columns)]


class ProjectProgressForm(VersionedForm):
    reported_on = forms.DateField(label="进度日期", widget=forms.DateInput(attrs=DATE))
    spent_wan = forms.CharField(label="累计完成投资（万元）", required=False, max_length=20)
    note = forms.CharField(label="进度说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = [line for line in lines if not line.is_money]
        for line in self.lines:
            name = f"{line.action}{line.subject}"
            self.fields[f"started_{line.pk}"] = forms.CharField(
                label=f"{name}已开工（{line.measure}，计划{trim_decimal(line.planned)}）", required=False, max_length=20,
                widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"}))
            self.fields[f"finished_{line.pk}"] = forms.CharField(
                label=f"{name}已完成（{line.measure}）", required=False, max_length=20,
                widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"}))

    def figures(self) -> dict:
        return {line.pk: {"started": self.cleaned_data.get(f"started_{line.pk}"),
                          "finished": self.cleaned_data.get(f"finished_{line.pk}")} for line in self.lines}
