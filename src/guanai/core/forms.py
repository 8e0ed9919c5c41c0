"""Form helpers shared by every app's views: the pages' widget styling, and a
service's errors put on the form."""

from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError

from guanai.spreadsheets import SUPPORTED_SUFFIXES



def style_widgets(form) -> None:
    """Bootstrap classes on every widget that takes one; a class the form set stays."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect, forms.HiddenInput)):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class StyledModelForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class SpreadsheetField(forms.FileField):
    """An uploaded table, of a kind guanai.spreadsheets reads (.xlsx, .xls, .csv)."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and Path(upload.name).suffix.lower() not in SUPPORTED_SUFFIXES:
            raise forms.ValidationError("请上传 .xlsx、.xls 或 .csv 文件。")
        return upload


def add_validation_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: field errors beside their
    fields (or at the top when the form has no such field), plain ones at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            # The errors themselves (not their messages), so their codes stay readable.
            form.add_error(field if field in form.fields else None, ValidationError(errors))
    else:
        form.add_error(None, exc.messages)

