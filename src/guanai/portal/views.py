from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from guanai.accounts import roles
from guanai.accounts.access import own_job_or_404, roles_required
from guanai.core.home import cards_for, sections_for
from guanai.core.progress import current as current_progress


@roles_required(*roles.ALL)
def home(request):
    return render(request, "portal/home.html", {"cards": cards_for(request.user), "sections": sections_for(request)})


@roles_required(*roles.ALL)
def job_detail(request, pk: int):
    job = own_job_or_404(request.user, pk)
    template = "core/job_progress.html" if request.headers.get("HX-Request") else "core/job_detail.html"
    return render(request, template, {"job": current_progress(job)})


@login_not_required
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
