from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("label", "user", "status", "done", "total", "created_at", "finished_at")
    list_filter = ("status", "kind")
