from django import forms

from . import readers
from .models import Document, DocumentFact
from .services import area_choices


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else single(data, initial)


def _area_field(user, label: str, required: bool, empty_label: str = "全部区划") -> forms.ChoiceField:
    choices = [(a.code, f"{'　' * max(0, a.level - 1)}{a.name}（{a.code}）") for a in area_choices(user)]
    if not required:
        choices.insert(0, ("", empty_label))
    return forms.ChoiceField(label=label, choices=choices, required=required,
                             widget=forms.Select(attrs={"class": "form-select"}))


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="文件",
        help_text="可选多个 .txt、.docx、.doc、.wps、.pdf（含扫描件）、.xls、.et、.jpg、.png 文件，或一个 .zip 压缩包；"
                  "单个文件不超过 50 MB。扫描件和图片会在后台进行文字识别。同一文件重复上传不会重复保存。",
    )
    kind = forms.ChoiceField(label="类型", required=False,
                             choices=[("", "自动识别（按标题）")] + list(Document.KIND_CHOICES),
                             widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"] = _area_field(user, "所属区划", required=bool(user.area_id),
                                          empty_label="不指定（仅系统管理员可见）")
        self.fields["area"].initial = user.area_id
        self.fields["area"].help_text = "文档归属的区划：该区划及其上级的工作人员可以检索到它。"
        self.order_fields(["files", "area", "kind"])

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        for upload in uploads:
            suffix = readers.suffix_of(upload.name)
            if suffix not in readers.SUPPORTED_SUFFIXES + readers.ARCHIVE_SUFFIXES:
                raise forms.ValidationError(f"“{upload.name}”：{readers.unsupported_message(upload.name)}")
            if upload.size > readers.MAX_FILE_BYTES and suffix not in readers.ARCHIVE_SUFFIXES:
                raise forms.ValidationError(f"“{upload.name}”：文件过大（超过 50 MB）")
        return uploads


class SearchForm(forms.Form):
    q = forms.CharField(label="检索词", required=False, max_length=100,
                        widget=forms.TextInput(attrs={"class": "form-control", "type": "search",
                                                      "placeholder": "输入词语，如：留守儿童 慰问金"}))
    year = forms.TypedChoiceField(label="年份", required=False, coerce=int, empty_value=None,
                                  widget=forms.Select(attrs={"class": "form-select"}))
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型")] + list(Document.KIND_CHOICES),
                             widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, user, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "全部年份")] + [(y, f"{y}年") for y in years]
        self.fields["area"] = _area_field(user, "区划", required=False)
        self.order_fields(["q", "year", "area", "kind"])


class FactFilterForm(forms.Form):
    subject = forms.CharField(label="对象", required=False, max_length=50,
                              widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "如：留守儿童、户"}))
    year = forms.TypedChoiceField(label="年份", required=False, coerce=int, empty_value=None,
                                  widget=forms.Select(attrs={"class": "form-select"}))
    kind = forms.ChoiceField(label="类型", required=False,
                             choices=[("", "全部类型")] + list(DocumentFact.KIND_CHOICES),
                             widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, user, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "全部年份")] + [(y, f"{y}年") for y in years]
        self.fields["area"] = _area_field(user, "区划", required=False)
        self.order_fields(["subject", "year", "area", "kind"])
