from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group

from . import services
from .forms import AdminLoginForm
from .models import User

# The admin site's door has the site's lockout and words (accounts.backends, forms).
admin.site.login_form = AdminLoginForm
# Access goes by role (accounts.roles), never by Django's groups and permissions: no page for them.
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "role", "area", "unit", "is_active", "locked")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "last_name", "area__name")
    raw_id_fields = ("area", "unit")
    # No groups or per-user permissions: access goes by role (their names are English in the database).
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("last_name", "first_name", "email")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
        ("关爱平台", {"fields": ("role", "area", "unit", "phone")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("关爱平台", {"fields": ("role", "area", "unit")}),)
    actions = ["unlock"]

    @admin.display(description="姓名", ordering="last_name")
    def full_name(self, user):
        return user.get_full_name()

    @admin.display(description="已锁定", boolean=True)
    def locked(self, user):
        return user.is_locked()

    @admin.action(description="解除锁定")
    def unlock(self, request, queryset):
        services.unlock(queryset.values_list("username", flat=True), user=request.user)
