
from django import forms
from django.db.models import Count
from django.shortcuts import redirect, render

from guanai.core.idempotency import once_per_token
from guanai.accounts import roles
from guanai.accounts.access import roles_required
from guanai.core.forms import SpreadsheetField
from guanai.core.jobs import start_job
from guanai.core.uploads import save_upload

from .models import Area
from .scoping import get_scoped_or_404, scope_queryset

AREA_VIEW_ROLES = roles.ALL - {roles.VOLUNTEER}


def _children_with_counts(user, parent_code: str | None):
    children = scope_queryset(Area.objects.filter(parent_id=parent_code), user)
    return children.annotate(n_children=Count("children")).order_by("code")


@roles_required(*AREA_VIEW_ROLES)
def area_list(request):
    """The top of the user's jurisdiction: their own area, or the provinces for an admin."""
    user = request.user
    if user.area_id:
        return redirect("areas:detail", code=user.area_id)
    return render(request, "areas/detail.html", {"area": None, "children": _children_with_counts(user, None)})


@roles_required(*AREA_VIEW_ROLES)
def area_detail(request, code: str):
    area = get_scoped_or_404(Area.objects.select_related("parent"), request.user, pk=code)
    return render(request, "areas/detail.html", {"area": area, "children": _children_with_counts(request.user, code)})


class UploadForm(forms.Form):
    file = SpreadsheetField(label="区划文件", help_text="CSV 或 Excel，含“代码”“名称”两列；上级区划由代码推定。")


@roles_required(roles.ADMIN)
@once_per_token
def area_import(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        path = save_upload(form.cleaned_data["file"])
        job = start_job("import", f"导入区划：{form.cleaned_data['file'].name}", request.user,
                        {"kind": "areas", "path": path})
        return redirect("job_detail", pk=job.pk)
    return render(request, "areas/import.html", {"form": form})
