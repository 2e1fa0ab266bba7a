"""Touchpoints, incidents and feedback for the back office. Incidents and the SLA table have their own
pages (with the version check and the escalation rules): read here with their history. A touchpoint
or a piece of feedback may be corrected here, its earlier text kept in the history; none is deleted
(they are what happened, and the metrics count them)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kam.admin_site import ReadOnlyAdmin

from .models import ClientFeedback, PartnershipRating, ServiceIncident, SlaPolicy, Touchpoint


class CorrectOnly:
    def has_add_permission(self, request):
        return False  # logged on the account's pages, which record the account's event too


@admin.register(Touchpoint)
class TouchpointAdmin(CorrectOnly, SimpleHistoryAdmin):
    list_display = ("account", "occurred_at", "department", "kind", "channel", "quality", "created_by")
    list_filter = ("kind", "channel", "department", "quality")
    search_fields = ("account__name", "summary")
    date_hierarchy = "occurred_at"
    raw_id_fields = ("account", "created_by")
    filter_horizontal = ("our_people",)
    readonly_fields = ("created_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account", "department", "created_by")


@admin.register(ServiceIncident)
class ServiceIncidentAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("pk", "account", "title", "severity", "status", "opened_at", "ack_due_at", "resolve_due_at")
    list_filter = ("status", "severity", "category", "account__tier")
    search_fields = ("account__name", "title")
    date_hierarchy = "opened_at"
    raw_id_fields = ("account", "contact", "opened_by")
    # Deadlines are fixed at opening and breaches are stamped by the job: not edited by hand.
    readonly_fields = ("ack_due_at", "resolve_due_at", "ack_breached_at", "resolve_breached_at", "version",
                       "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("tier", "severity", "ack_hours", "resolve_hours", "updated_at")
    list_filter = ("tier",)


@admin.register(ClientFeedback)
class ClientFeedbackAdmin(CorrectOnly, SimpleHistoryAdmin):
    list_display = ("account", "score", "contact", "received_on")
    search_fields = ("account__name", "comment")
    raw_id_fields = ("account", "contact", "recorded_by")


@admin.register(PartnershipRating)
class PartnershipRatingAdmin(CorrectOnly, SimpleHistoryAdmin):
    list_display = ("account", "score", "rated_by", "rated_on")
    search_fields = ("account__name", "comment")
    raw_id_fields = ("account", "rated_by")
