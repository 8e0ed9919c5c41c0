from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

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
    # The stored file's path is a hash: the original is offered by its own name, through scope.
    exclude = ("original",)
    readonly_fields = ("original_file", "original_name", "sha256", "size", "places", "organisations", "created_at")

    @admin.display(description="原始文件")
    def original_file(self, document):
        if document.pk is None:
            return "-"
        return format_html('<a href="{}">{}</a>', reverse("archive:original", args=[document.pk]), document.original_name)
    inlines = [DocumentFactInline]
