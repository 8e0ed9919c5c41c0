"""Transfer request pages: file one (from the person form's "registered elsewhere"), list
one's own and those to decide, decide."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import get_scoped_or_404, scope_queryset
from guanai.accounts.access import roles_required
from guanai.core.forms import add_validation_errors
from guanai.core.idempotency import once_per_token

from . import transfers
from .models import TransferRequest


class TransferRequestForm(forms.Form):
    id_number = forms.CharField(label="身份证号", max_length=30,
                                help_text="此人已在其他地区登记：转入后由您的辖区管理其档案")
    to_area = forms.ChoiceField(label="转入村（社区）")
    reason = forms.CharField(label="申请理由", max_length=300,
                             widget=forms.Textarea(attrs={"rows": 3, "placeholder": "如：随父母迁入本村，已在本村居住"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        villages = scope_queryset(Area.objects.filter(level=codes.VILLAGE), user).select_related("parent")[:3000]
        self.fields["to_area"].choices = [(a.code, f"{a.parent.name if a.parent else ''}{a.name}") for a in villages]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select) else "form-control")


class TransferDecisionForm(forms.Form):
    decision = forms.ChoiceField(label="审批", choices=[("approve", "同意转移"), ("refuse", "不同意")],
                                 widget=forms.RadioSelect, error_messages={"required": "请选择同意或不同意"})
    note = forms.CharField(label="审批意见", max_length=300, required=False,
                           widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "不同意时请写明理由"}))


@roles_required(*transfers.REQUEST_ROLES)
def transfer_list(request, decision_form=None):
    user = request.user
    pending = transfers.to_decide(user).filter(status=TransferRequest.PENDING).select_related(
        "person", "from_area", "from_area__parent", "to_area", "to_area__parent", "requested_by")
    return render(request, "registry/transfer_list.html", {
        "mine": transfers.requested_by(user).select_related("person", "to_area")[:200],
        "pending": pending[:200], "form": decision_form or TransferDecisionForm(),
    })


@roles_required(*transfers.REQUEST_ROLES)
@once_per_token
def transfer_create(request):
    user = request.user
    starting = request.method == "POST" and request.POST.get("start")  # sent from the person form: prefill only
    initial = {"id_number": request.POST.get("id_number", ""), "to_area": request.POST.get("to_area", "")} if starting else {}
    form = TransferRequestForm(None if starting else (request.POST or None), user=user, initial=initial)
    if request.method == "POST" and not starting and form.is_valid():
        data = form.cleaned_data
        try:
            transfers.request_transfer(user=user, id_number=data["id_number"], to_area_code=data["to_area"],
                                       reason=data["reason"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "转移申请已提交，将由能同时管理两地的上级单位审批。")
            return redirect("registry:transfers")
    return render(request, "core/form_page.html", {"form": form, "title": "转移申请", "submit_label": "提交申请",
                                                   "cancel_url": reverse("registry:transfers")})


@roles_required(*transfers.DECIDE_ROLES)
@require_POST
def transfer_decide(request, pk: int):
    transfer = get_scoped_or_404(transfers.to_decide(request.user), request.user, pk=pk)
    form = TransferDecisionForm(request.POST)
    if form.is_valid():
        try:
            transfers.decide_transfer(user=request.user, transfer=transfer,
                                      approve=form.cleaned_data["decision"] == "approve", note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已审批{transfer.person.name}的转移申请。")
            return redirect("registry:transfers")
    return transfer_list(request, decision_form=form)
