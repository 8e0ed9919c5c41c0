from django.contrib import admin

from .models import AuditEvent, object_type_label


class ObjectTypeFilter(admin.SimpleListFilter):
    title = "对象类型"
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        types = AuditEvent.objects.exclude(object_type="").values_list("object_type", flat=True).distinct()
        return sorted(((t, object_type_label(t)) for t in types), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(object_type=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Browse and filter only: nobody changes or deletes an event here."""

    list_display = ("at", "username", "action", "object_type_shown", "object_repr", "ip", "path")
    list_filter = ("action", ObjectTypeFilter, ("at", admin.DateFieldListFilter))
    search_fields = ("username", "object_repr", "object_id", "ip", "detail")
    date_hierarchy = "at"
    fields = [("object_type_shown" if f.name == "object_type" else f.name) for f in AuditEvent._meta.fields]
    readonly_fields = fields

    @admin.display(description="对象类型", ordering="object_type")
    def object_type_shown(self, event):
        return object_type_label(event.object_type) if event.object_type else "-"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and (request.user.is_superuser or request.user.role == "admin")
