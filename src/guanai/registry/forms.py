from django import forms

from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import scope_queryset

from . import categories as cat
from .models import ChildProfile, ElderProfile, Person, RiskAssessment


class PersonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    sex = forms.ChoiceField(label="性别", choices=[("", "—")] + Person.SEX_CHOICES, required=False)
    ethnicity = forms.CharField(label="民族", max_length=20, required=False, initial="汉族")
    birth_date = forms.DateField(label="出生日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                 error_messages={"invalid": "请输入有效日期，如 2015-05-03"})
    id_number = forms.CharField(label="身份证号", max_length=30, required=False,
                                help_text="18位；出生日期和性别可由身份证号自动得出")
    phone = forms.CharField(label="联系电话", max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    area = forms.ChoiceField(label="所在村（社区）")
    address = forms.CharField(label="现住址", max_length=200, required=False)
    hukou_registered = forms.BooleanField(label="有户籍", required=False, initial=True)
    hukou_place = forms.CharField(label="户籍所在地", max_length=200, required=False)
    categories = forms.MultipleChoiceField(label="人员类别", choices=cat.CATEGORY_CHOICES,
                                           widget=forms.CheckboxSelectMultiple,
                                           error_messages={"required": "请至少选择一个人员类别"})
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        villages = scope_queryset(Area.objects.filter(level=codes.VILLAGE), user).select_related("parent")
        self.fields["area"].choices = [(a.code, f"{a.parent.name if a.parent else ''}{a.name}") for a in villages]
        for name, field in self.fields.items():
            if not isinstance(field.widget, (forms.CheckboxSelectMultiple, forms.CheckboxInput, forms.HiddenInput)):
                field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select) else "form-control")


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(label="评估日期", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}))
    schooling = forms.IntegerField(label="学业失教", min_value=0, max_value=3, initial=0)
    daily_care = forms.IntegerField(label="生活失助", min_value=0, max_value=3, initial=0)
    family_bonds = forms.IntegerField(label="亲情失落", min_value=0, max_value=3, initial=0)
    mental = forms.IntegerField(label="心理失衡", min_value=0, max_value=3, initial=0)
    safety = forms.IntegerField(label="安全失保", min_value=0, max_value=3, initial=0)
    flags = forms.MultipleChoiceField(label="风险标记", choices=RiskAssessment.FLAGS, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label="说明", max_length=300, required=False, widget=forms.TextInput(attrs={"class": "form-control"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, _label in RiskAssessment.DIMENSIONS:
            self.fields[code].widget.attrs.update({"class": "form-control", "inputmode": "numeric"})
            self.fields[code].help_text = "0 无 · 1 轻 · 2 中 · 3 重"


class _StyledModelForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            else:
                field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select) else "form-control")


class ChildProfileForm(_StyledModelForm):
    class Meta:
        model = ChildProfile
        exclude = ["person"]


class ElderProfileForm(_StyledModelForm):
    class Meta:
        model = ElderProfile
        exclude = ["person"]
