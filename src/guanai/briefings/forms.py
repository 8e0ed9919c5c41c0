from django import forms
from django.utils import timezone

from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import area_problem, scope_queryset
from guanai.core.validation import RangedDateField
from guanai.stats.forms import PeriodField
from guanai.stats.periods import last_complete_quarter

from .factcheck import MAX_TEXT_CHARS, TextTooLong, check_length
from .models import Briefing

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def area_choices(user) -> list[tuple[str, str]]:
    """The areas a user may write about: their jurisdiction down to townships (their own area whatever its level)."""
    from django.db.models import Q

    own = Q(pk=user.area_id) if getattr(user, "area_id", None) else Q(pk__in=[])
    areas = scope_queryset(Area.objects.all(), user).filter(Q(level__lte=codes.TOWNSHIP) | own).order_by("code")
    return [(a.code, f"{'　' * max(0, a.level - 1)}{a.name}（{a.code}）") for a in areas[:5000]]


class _AreaPeriodForm(forms.Form):
    area = forms.ChoiceField(label="区划", widget=forms.Select(attrs={"class": "form-select"}))
    period = PeriodField(label="期间")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["area"].choices = area_choices(user)
        self.fields["area"].initial = user.area_id or "990100000000"
        self.fields["period"].initial = last_complete_quarter(timezone.localdate())

    def clean_area(self):
        area, problem = area_problem(self.user, self.cleaned_data["area"])
        if problem:
            raise forms.ValidationError(problem)
        return area


class ComposeForm(_AreaPeriodForm):
    kind = forms.ChoiceField(label="文稿类型", choices=Briefing.KIND_CHOICES, initial=Briefing.JIANBAO,
                             widget=forms.Select(attrs={"class": "form-select"}))


class MetaForm(forms.ModelForm):
    issued_on = RangedDateField(label="印发日期", rule="planned", required=False, help_text="留空则在印发时取当天日期。")

    class Meta:
        model = Briefing
        fields = ["masthead", "title", "office_name", "issued_on", "report_to", "send_to", "distribute_to", "copies"]
        widgets = {
            "masthead": forms.TextInput(attrs={"class": "form-control"}),
            "title": forms.TextInput(attrs={"class": "form-control"}),
            "office_name": forms.TextInput(attrs={"class": "form-control"}),

            "report_to": forms.TextInput(attrs={"class": "form-control"}),
            "send_to": forms.TextInput(attrs={"class": "form-control"}),
            "distribute_to": forms.TextInput(attrs={"class": "form-control"}),
            "copies": forms.NumberInput(attrs={"class": "form-control", "min": 1, "max": 100000}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].widget.attrs["class"] = "form-control"

    def clean_copies(self):
        copies = self.cleaned_data["copies"]
        if not 1 <= copies <= 100000:
            raise forms.ValidationError("印数应在1至100000份之间")
        return copies


class FactCheckForm(_AreaPeriodForm):
    text = forms.CharField(label="文稿内容", required=False, max_length=MAX_TEXT_CHARS,
                           widget=forms.Textarea(attrs={"class": "form-control", "rows": 10,
                                                        "placeholder": "粘贴简报、总结等文稿的文字……"}))
    file = forms.FileField(label="或上传文件", required=False, help_text="支持 .docx、.txt 和文本 .pdf 文件，不超过 20 MB。",
                           widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".docx,.txt,.pdf"}))

    field_order = ["text", "file", "area", "period"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        name = upload.name.lower()
        if not name.endswith((".docx", ".txt", ".pdf")):
            raise forms.ValidationError("只支持 .docx、.txt 和文本 .pdf 文件（旧版 .doc 请先另存为 .docx）")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件过大（超过 20 MB）")
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        text = (cleaned.get("text") or "").strip()
        if upload is not None and not self.errors:
            from guanai.archive.readers import ReadError, read_document

            try:
                text = check_length(read_document(upload.name, upload.read()).text)
            except ReadError as exc:
                self.add_error("file", str(exc))
                return cleaned
            except TextTooLong as exc:
                self.add_error("file", f"文件中的{exc}")
                return cleaned
        if not text and not self.errors.get("file"):
            raise forms.ValidationError("请粘贴文稿内容或上传文件")
        cleaned["document_text"] = text
        return cleaned
