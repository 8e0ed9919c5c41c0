from django.contrib import admin

from .models import Document, DocumentFact


class DocumentFactInline(admin.TabularInline):
    model = DocumentFact
    extra = 0
    can_delete = False
    fields = ("kind", "value_number", "value_text", "unit", "subject", "approx", "span", "year")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "year", "area", "original_name", "created_at")
    list_filter = ("kind", "year")
    search_fields = ("title", "original_name")
    raw_id_fields = ("area", "uploaded_by")
    readonly_fields = ("original", "original_name", "sha256", "size", "places", "organisations", "created_at")
    inlines = [DocumentFactInline]
