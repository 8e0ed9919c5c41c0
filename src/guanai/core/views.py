from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render

from guanai.accounts import roles
from guanai.accounts.access import roles_required
from guanai.areas.scoping import user_role

from .home import cards_for
from .models import Job


@roles_required(*roles.ALL)
def home(request):
    return render(request, "core/home.html", {"cards": cards_for(request.user)})


@roles_required(*roles.ALL)
def job_detail(request, pk: int):
    job = Job.objects.filter(pk=pk).first()
    # Someone else's job is as absent as a missing one.
    if job is None or (job.user_id != request.user.pk and user_role(request.user) != roles.ADMIN):
        raise Http404("任务不存在")
    template = "core/job_progress.html" if request.headers.get("HX-Request") else "core/job_detail.html"
    return render(request, template, {"job": job})


@login_not_required
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
