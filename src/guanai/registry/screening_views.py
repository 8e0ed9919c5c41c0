from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from guanai.accounts import roles
from guanai.accounts.access import roles_required
from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import LEVEL_WORDS, area_for_user_or_404, area_problem, scope_queryset
from guanai.core.forms import add_validation_errors
from guanai.core.idempotency import once_per_token
from guanai.core.validation import CountField, RangedDateField

from guanai.ledgers import views as ledger_views

from . import categories as cat
from . import screening

VIEW_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.OFFICE, roles.LEADER)


class CampaignForm(forms.Form):
    name = forms.CharField(label="排查名称", max_length=100, widget=forms.TextInput(attrs={"class": "form-control"}))
    area = forms.ChoiceField(label="排查范围", widget=forms.Select(attrs={"class": "form-select"}))
    start_date = RangedDateField(label="开始日期", rule="planned")
    end_date = RangedDateField(label="截止日期", rule="planned")
    categories = forms.MultipleChoiceField(label="排查类别", choices=cat.CATEGORY_CHOICES, widget=forms.CheckboxSelectMultiple,
                                           error_messages={"required": "请选择排查类别"})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        areas = scope_queryset(Area.objects.filter(level__lt=codes.VILLAGE), user)
        self.fields["area"].choices = [(a.code, f"{a.name}（{a.code}）") for a in areas[:500]]
        for name in ("start_date", "end_date"):
            self.fields[name].widget.attrs["class"] = "form-control"


class ScreeningReportForm(forms.Form):
    """A village's result: households checked and persons found in each of the round's categories."""

    village = forms.CharField(label="村（社区）代码", max_length=12, required=False,
                              widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "numeric"}))
    households_checked = CountField(label="排查户数", initial=0)
    note = forms.CharField(label="说明", max_length=300, required=False, widget=forms.TextInput(attrs={"class": "form-control"}))

    def __init__(self, *args, user, campaign, village=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.campaign, self.village = user, campaign, village
        if village is not None:
            self.fields["village"].widget = forms.HiddenInput()
            self.fields["village"].initial = village.code
        for code in campaign.categories:
            self.fields[f"count_{code}"] = CountField(label=f"发现{cat.CATEGORY_LABELS[code]}（人）", initial=0)
        self.order_fields(["village", "households_checked"] + [f"count_{c}" for c in campaign.categories] + ["note"])
        self.fields["households_checked"].widget.attrs["class"] = "form-control"
        for code in campaign.categories:
            self.fields[f"count_{code}"].widget.attrs["class"] = "form-control"

    def clean_village(self):
        if self.village is not None:
            return self.village
        code = (self.cleaned_data.get("village") or "").strip()
        area, problem = area_problem(self.user, code, levels={codes.VILLAGE}, label="村（社区）")
        if problem:
            raise forms.ValidationError(problem)
        return area

    def counts(self) -> dict[str, int]:
        return {c: self.cleaned_data.get(f"count_{c}") or 0 for c in self.campaign.categories}


_campaigns_for = screening.campaigns_for


@roles_required(*VIEW_ROLES)
def campaign_list(request):
    return render(request, "registry/screening_list.html", {"campaigns": _campaigns_for(request.user).select_related("area")})


@roles_required(roles.ADMIN, roles.STAFF)
@once_per_token
def campaign_create(request):
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = screening.create_campaign(user=request.user, name=data["name"], area_code=data["area"],
                                                 start_date=data["start_date"], end_date=data["end_date"],
                                                 categories=data["categories"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "排查已发起。")
            return redirect("registry:screening_detail", pk=campaign.pk)
    return render(request, "core/form_page.html", {"form": form, "title": "发起摸底排查", "submit_label": "发起",
                                                   "cancel_url": reverse("registry:screening_list")})


@roles_required(*VIEW_ROLES)
def campaign_detail(request, pk: int):
    """The round's figures for the part the user may see, one row per sub-area, each row a link
    to the same page of that sub-area (``?area=``), down to a village's own report."""
    campaign = _get_campaign(request.user, pk)
    area = screening.drilled_area(campaign, request.user, request.GET.get("area", "").strip())
    progress = screening.campaign_progress(campaign, request.user, area)
    labels = [(c, cat.CATEGORY_LABELS[c]) for c in campaign.categories]
    shown, root = progress.area, progress.root
    up = shown.parent_id if shown.code != root and shown.parent_id and codes.is_within(shown.parent_id, root) else None
    return render(request, "registry/screening_detail.html", {
        "campaign": campaign, "progress": progress, "labels": labels, "shown": shown, "up": up,
        "child_label": LEVEL_WORDS.get(shown.level + 1, "区划"),
        "may_report": request.user.role == roles.VILLAGE or request.user.is_superuser,
        "query_string": f"area={area.code}" if area else "",  # the ledger is of the area shown
    })


@roles_required(*VIEW_ROLES)
def campaign_export(request, pk: int):
    _get_campaign(request.user, pk)  # out of scope or missing: a 404 before anything is written
    request.GET = request.GET.copy()
    request.GET["campaign"] = str(pk)
    return ledger_views.respond(request, "registry.screening",
                                back=reverse("registry:screening_detail", args=[pk]))


def _get_campaign(user, pk):
    campaign = _campaigns_for(user).select_related("area").filter(pk=pk).first()
    if campaign is None:
        raise Http404("排查不存在或不在您的管辖范围内")
    return campaign


@roles_required(roles.ADMIN, roles.VILLAGE, roles.STAFF)
@once_per_token
def report_submit(request, pk: int):
    user = request.user
    campaign = _get_campaign(user, pk)
    own = user.area_id if user.area_id and codes.level_of(user.area_id) == codes.VILLAGE else None
    # The village comes from the user's own area or the URL: either must be one the user may
    # see, or the page is a 404 (its stored figures are not shown to anyone else). A village
    # typed into the form is checked by the form, and nothing stored is shown before.
    asked = request.GET.get("village", "").strip()
    code = asked or own
    village = area_for_user_or_404(user, code, levels={codes.VILLAGE}) if code else None
    if own and village.code != own:  # a village worker reports for their own village only
        raise Http404("记录不存在或您无权查看")
    existing = screening.report_for(user, campaign, village) if village is not None else None
    initial = {}
    if existing is not None:
        initial = {"households_checked": existing.households_checked, "note": existing.note}
        initial.update({f"count_{c}": existing.counts.get(c, 0) for c in campaign.categories})
    form = ScreeningReportForm(request.POST or None, user=user, campaign=campaign, village=village, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            screening.submit_report(user=user, campaign=campaign, village_code=form.cleaned_data["village"].code,
                                    households_checked=form.cleaned_data["households_checked"],
                                    counts=form.counts(), note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "排查结果已上报。")
            return redirect("registry:screening_detail", pk=campaign.pk)
    return render(request, "registry/screening_report.html", {"campaign": campaign, "form": form, "village": village})
