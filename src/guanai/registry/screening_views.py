from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from guanai.accounts import roles
from guanai.accounts.access import roles_required
from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import may_see_area, scope_queryset
from guanai.core.forms import add_validation_errors

from . import categories as cat
from . import screening
from .models import ScreeningCampaign, ScreeningReport

VIEW_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.OFFICE, roles.LEADER)


class CampaignForm(forms.Form):
    name = forms.CharField(label="排查名称", max_length=100, widget=forms.TextInput(attrs={"class": "form-control"}))
    area = forms.ChoiceField(label="排查范围", widget=forms.Select(attrs={"class": "form-select"}))
    start_date = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}))
    end_date = forms.DateField(label="截止日期", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}))
    categories = forms.MultipleChoiceField(label="排查类别", choices=cat.CATEGORY_CHOICES, widget=forms.CheckboxSelectMultiple,
                                           error_messages={"required": "请选择排查类别"})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        areas = scope_queryset(Area.objects.filter(level__lt=codes.VILLAGE), user)
        self.fields["area"].choices = [(a.code, f"{a.name}（{a.code}）") for a in areas[:500]]


def _campaigns_for(user):
    """Campaigns over the user's area, or over an area containing it (a village sees the city's round)."""
    visible = scope_queryset(ScreeningCampaign.objects.all(), user)
    if user.area_id:
        visible = visible | ScreeningCampaign.objects.filter(area_id__in=codes.ancestors(user.area_id))
    return visible.distinct()


@roles_required(*VIEW_ROLES)
def campaign_list(request):
    return render(request, "registry/screening_list.html", {"campaigns": _campaigns_for(request.user).select_related("area")})


@roles_required(roles.ADMIN, roles.STAFF)
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
    campaign = _get_campaign(request.user, pk)
    progress = screening.campaign_progress(campaign, request.user)
    labels = [(c, cat.CATEGORY_LABELS[c]) for c in campaign.categories]
    return render(request, "registry/screening_detail.html", {
        "campaign": campaign, "progress": progress, "labels": labels,
        "may_report": request.user.role == roles.VILLAGE or request.user.is_superuser,
    })


def _get_campaign(user, pk):
    from django.http import Http404

    campaign = _campaigns_for(user).select_related("area").filter(pk=pk).first()
    if campaign is None:
        raise Http404("排查不存在或不在您的管辖范围内")
    return campaign


@roles_required(roles.ADMIN, roles.VILLAGE, roles.STAFF)
def report_submit(request, pk: int):
    campaign = _get_campaign(request.user, pk)
    village_code = request.user.area_id if request.user.area_id and codes.level_of(request.user.area_id) == codes.VILLAGE \
        else request.POST.get("village") or request.GET.get("village", "")
    existing = ScreeningReport.objects.filter(campaign=campaign, village_id=village_code).first()
    error = None
    if request.method == "POST":
        try:
            counts = {c: int(request.POST.get(f"count_{c}") or 0) for c in campaign.categories}
            households = int(request.POST.get("households_checked") or 0)
        except ValueError:
            error = "请填写整数"
        else:
            try:
                screening.submit_report(user=request.user, campaign=campaign, village_code=village_code,
                                        households_checked=households, counts=counts, note=request.POST.get("note", ""))
            except ValidationError as exc:
                error = "；".join(m for msgs in exc.message_dict.values() for m in msgs)
            else:
                messages.success(request, "排查结果已上报。")
                return redirect("registry:screening_detail", pk=campaign.pk)
    labels = [(c, cat.CATEGORY_LABELS[c], (existing.counts.get(c, 0) if existing else 0)) for c in campaign.categories]
    village = Area.objects.filter(pk=village_code).first() if village_code and may_see_area(request.user, village_code) else None
    return render(request, "registry/screening_report.html", {
        "campaign": campaign, "labels": labels, "existing": existing, "error": error, "village": village})
