from django import forms
from django.core.exceptions import ValidationError

from guanai.core.forms import StyledForm, add_validation_errors


class _Form(StyledForm):
    name = forms.CharField()
    kind = forms.ChoiceField(choices=[("a", "甲")])
    agreed = forms.BooleanField(required=False)
    tags = forms.MultipleChoiceField(choices=[("a", "甲")], widget=forms.CheckboxSelectMultiple, required=False)
    note = forms.CharField(widget=forms.TextInput(attrs={"class": "form-control-sm"}))


def test_styled_form_puts_the_page_classes_on_widgets_and_keeps_a_forms_own():
    form = _Form()
    classes = {name: field.widget.attrs.get("class") for name, field in form.fields.items()}
    assert classes == {"name": "form-control", "kind": "form-select", "agreed": "form-check-input", "tags": None,
                       "note": "form-control-sm"}


def test_service_errors_go_beside_their_fields_or_on_top():
    form = _Form(data={"name": "张三", "kind": "a", "note": "x"})
    assert form.is_valid()
    add_validation_errors(form, ValidationError({"name": "姓名已登记", "area": "所选村不存在"}))
    add_validation_errors(form, ValidationError("记录已被他人修改"))
    assert form.errors["name"] == ["姓名已登记"]
    assert form.non_field_errors() == ["所选村不存在", "记录已被他人修改"]
