from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "get_full_name", "role", "area", "unit", "is_active", "locked_until")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "last_name", "area__name")
    raw_id_fields = ("area", "unit")
    fieldsets = BaseUserAdmin.fieldsets + (("关爱平台", {"fields": ("role", "area", "unit", "phone", "failed_logins", "locked_until")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("关爱平台", {"fields": ("role", "area", "unit")}),)
    actions = ["unlock"]

    @admin.action(description="解除锁定")
    def unlock(self, request, queryset):
        for user in queryset:
            user.failed_logins = 0
            user.locked_until = None
            user.save(update_fields=["failed_logins", "locked_until"])
