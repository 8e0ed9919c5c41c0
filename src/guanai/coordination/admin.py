from django.contrib import admin

from .models import MemberUnit


@admin.register(MemberUnit)
class MemberUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "area", "is_lead")
    search_fields = ("name",)
    raw_id_fields = ("area",)
