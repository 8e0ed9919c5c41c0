from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from guanai.accounts import roles
from guanai.accounts.access import own_job_or_404, roles_required
from guanai.core.home import cards_for, sections_for
from guanai.core.progress import current as current_progress
from guanai.stats.metrics import memoized


@roles_required(*roles.ALL)
def home(request):
    # One memo for the cards and the dashboard below them: a figure both show (this year's aid,
    # activities) is asked once, and the kept rows of the area are read once.
    with memoized():
        cards, sections = cards_for(request.user), sections_for(request)
    return render(request, "portal/home.html", {"cards": cards, "sections": sections})


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
