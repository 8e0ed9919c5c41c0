"""The conference's set-up in Django's admin, for the system administrator. Reports are read
only here: they change only through the workflow (coordination.workflow), which keeps their history."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import (Conference, DeadlineOverride, Duty, Indicator, MemberUnit, NarrativeSection, ReportEvent,
                     ReportForm, UnitReport, ValidationRule)


@admin.register(Conference)
class ConferenceAdmin(admin.ModelAdmin):
    list_display = ("name", "area", "kind", "office_name")
    search_fields = ("name",)
    raw_id_fields = ("area",)


@admin.register(MemberUnit)
class MemberUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "area", "conference", "is_lead", "contact_name", "closed_on")
    list_filter = ("is_lead",)
    search_fields = ("name",)
    raw_id_fields = ("area", "conference")


@admin.register(Duty)
class DutyAdmin(admin.ModelAdmin):
    list_display = ("conference", "unit", "year", "kind", "position", "text")
    list_filter = ("year", "kind")
    raw_id_fields = ("conference", "unit")


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


class SectionInline(admin.TabularInline):
    model = NarrativeSection
    extra = 0


class RuleInline(admin.TabularInline):
    model = ValidationRule
    extra = 0


class DeadlineInline(admin.TabularInline):
    model = DeadlineOverride
    extra = 0
    raw_id_fields = ("created_by",)


@admin.register(ReportForm)
class ReportFormAdmin(admin.ModelAdmin):
    list_display = ("name", "conference", "period_type", "first_period", "deadline_workdays", "lock_workdays",
                    "active")
    raw_id_fields = ("conference",)
    inlines = [IndicatorInline, SectionInline, RuleInline, DeadlineInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UnitReport)
class UnitReportAdmin(ReadOnlyAdmin):
    list_display = ("unit", "form", "period_key", "status", "first_submitted_at", "approved_at")
    list_filter = ("status", "period_key")
    search_fields = ("unit__name",)
    # The values are keyed by indicator id: the report's own page shows them by name.
    exclude = ("values", "narrative", "recorded", "flags", "submitted_snapshot")
    readonly_fields = ("content",)

    @admin.display(description="填报内容")
    def content(self, report):
        return format_html('<a href="{}">在报表页面查看</a>', reverse("coordination:report_detail", args=[report.pk]))


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdmin):
    list_display = ("report", "action", "from_status_label", "to_status_label", "user", "at", "reason")
    list_filter = ("action",)
    exclude = ("from_status", "to_status")
    readonly_fields = ("from_status_label", "to_status_label")

    @admin.display(description="原状态")
    def from_status_label(self, event):
        return dict(UnitReport.STATUS_CHOICES).get(event.from_status, event.from_status) or "-"

    @admin.display(description="新状态")
    def to_status_label(self, event):
        return dict(UnitReport.STATUS_CHOICES).get(event.to_status, event.to_status) or "-"
