from django import forms

from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import scope_queryset
from guanai.core.forms import StyledForm, StyledModelForm
from guanai.core.validation import AGE_MAX, CountField, PhoneField, RangedDateField

from . import categories as cat
from .models import ChildProfile, ElderProfile, Person, RiskAssessment


class PersonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    sex = forms.ChoiceField(label="性别", choices=[("", "—")] + Person.SEX_CHOICES, required=False)
    ethnicity = forms.CharField(label="民族", max_length=20, required=False, initial="汉族")
    birth_date = RangedDateField(label="出生日期", rule="birth", required=False)
    id_number = forms.CharField(label="身份证号", max_length=30, required=False,
                                help_text="18位；出生日期和性别可由身份证号自动得出")
    phone = PhoneField(label="联系电话", required=False)
    area = forms.ChoiceField(label="所在村（社区）")
    address = forms.CharField(label="现住址", max_length=200, required=False)
    hukou_registered = forms.BooleanField(label="有户籍", required=False, initial=True)
    hukou_place = forms.CharField(label="户籍所在地", max_length=200, required=False)
    categories = forms.MultipleChoiceField(label="人员类别", choices=cat.CATEGORY_CHOICES,
                                           widget=forms.CheckboxSelectMultiple,
                                           error_messages={"required": "请至少选择一个人员类别"})
    version = forms.IntegerField(label="版本", widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        villages = scope_queryset(Area.objects.filter(level=codes.VILLAGE), user).select_related("parent")
        self.fields["area"].choices = [(a.code, f"{a.parent.name if a.parent else ''}{a.name}") for a in villages]
        for name, field in self.fields.items():
            if not isinstance(field.widget, (forms.CheckboxSelectMultiple, forms.CheckboxInput, forms.HiddenInput)):
                field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select) else "form-control")

    def clean(self):
        cleaned = super().clean()
        # The importer's rule: a person's age must fit their categories.
        birth, chosen = cleaned.get("birth_date"), cleaned.get("categories")
        if birth and chosen:
            for problem in cat.age_problems(chosen, birth):
                self.add_error("categories", problem)
        return cleaned


class AssessmentForm(forms.Form):
    assessed_on = RangedDateField(label="评估日期", rule="past")
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
        self.fields["assessed_on"].widget.attrs["class"] = "form-control"
        for code, _label in RiskAssessment.DIMENSIONS:
            self.fields[code].widget.attrs.update({"class": "form-control", "inputmode": "numeric"})
            self.fields[code].help_text = "0 无 · 1 轻 · 2 中 · 3 重"


class ChildProfileForm(StyledModelForm):
    father_phone = PhoneField(label="父亲电话", required=False)
    mother_phone = PhoneField(label="母亲电话", required=False)
    guardian_phone = PhoneField(label="委托监护人电话", required=False)
    guardian_age = CountField(label="监护人年龄", required=False, max_value=AGE_MAX)

    class Meta:
        model = ChildProfile
        exclude = ["person"]


class ElderProfileForm(StyledModelForm):
    children_count = CountField(label="子女数", required=False, max_value=30)

    class Meta:
        model = ElderProfile
        exclude = ["person"]


# --- households (issue 15.6) -----------------------------------------------------------------

class MemberForm(StyledForm):
    """A household's head or a member not in care (the same small fields)."""

    name = forms.CharField(label="姓名", max_length=50)
    relation = forms.ChoiceField(label="与儿童关系", choices=[("", "—")] + cat.MEMBER_RELATIONS, required=False)
    id_number = forms.CharField(label="身份证号", max_length=30, required=False,
                                help_text="可不填；保存后只显示部分号码")
    phone = PhoneField(label="联系电话", required=False)
    away_for_work = forms.BooleanField(label="外出务工", required=False)
    away_place = forms.CharField(label="务工地", max_length=100, required=False, help_text="如：广东省东莞市")
    version = forms.IntegerField(label="版本", widget=forms.HiddenInput, required=False)

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class HouseholdForm(MemberForm):
    """A new household: its village (from the user's tree), address and head."""

    area = forms.ChoiceField(label="所在村（社区）")
    address = forms.CharField(label="住址", max_length=200, required=False)

    field_order = ["area", "address", "name", "relation", "id_number", "phone", "away_for_work", "away_place"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from guanai.areas.forms import area_choices

        self.fields["area"].choices = area_choices(user, (codes.VILLAGE,))
        self.fields["name"].label = "户主姓名"
        self.fields["relation"].label = "户主与儿童关系"
        self.fields["id_number"].label = "户主身份证号"


class HeadForm(MemberForm):
    address = forms.CharField(label="住址", max_length=200, required=False)


class AddPersonForm(StyledForm):
    """Put a person on file of the household's village (a child in care) in the household."""

    person = forms.ChoiceField(label="在册人员", error_messages={"required": "请选择要加入的人员"})
    relation_to_head = forms.ChoiceField(label="与户主关系",
                                         choices=[c for c in Person.RELATION_CHOICES if c[0] != "head"])
    version = forms.IntegerField(label="版本", widget=forms.HiddenInput, required=False)

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—")] + [(str(p.pk), p.name) for p in persons]


class GuardianForm(StyledForm):
    chosen = forms.ChoiceField(label="监护人", required=False, widget=forms.RadioSelect,
                               help_text="从本户成员中选择；不在本户的，选“另行填写”并填写姓名和电话")
    name = forms.CharField(label="监护人姓名（另行填写）", max_length=50, required=False)
    phone = PhoneField(label="监护人电话（另行填写）", required=False)
    relation = forms.ChoiceField(label="与儿童关系", choices=cat.GUARDIAN_RELATIONS)
    guardianship_type = forms.ChoiceField(label="监护类型", choices=cat.GUARDIANSHIP_TYPES, widget=forms.RadioSelect)
    version = forms.IntegerField(label="版本", widget=forms.HiddenInput, required=False)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chosen"].choices = list(choices) + [("", "另行填写")]

