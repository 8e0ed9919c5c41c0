from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Browse and filter only: nobody changes or deletes an event here."""

    list_display = ("at", "username", "action", "object_type", "object_repr", "ip", "path")
    list_filter = ("action", "object_type", ("at", admin.DateFieldListFilter))
    search_fields = ("username", "object_repr", "object_id", "ip", "detail")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and (request.user.is_superuser or request.user.role == "admin")
