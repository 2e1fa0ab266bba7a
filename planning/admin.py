from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AccountPlan,
    Commitment,
    KnowledgeTask,
    Negotiation,
    Opportunity,
    PlanReview,
    ShareLink,
    SignOff,
    ValueDelivered,
)


class TaskInline(admin.TabularInline):
    model = KnowledgeTask
    extra = 0


class OpportunityInline(admin.TabularInline):
    model = Opportunity
    extra = 0


class SignOffInline(admin.TabularInline):
    model = SignOff
    extra = 0


@admin.register(AccountPlan)
class AccountPlanAdmin(SimpleHistoryAdmin):
    list_display = ("account", "period_kind", "period_start", "status", "owner", "updated_at")
    list_filter = ("status", "period_kind")
    search_fields = ("account__name",)
    list_select_related = ("account", "owner")
    raw_id_fields = ("account", "owner", "client_agreed_contact")
    inlines = [TaskInline, OpportunityInline, SignOffInline]
    # The version guards concurrent edits in the app; the admin must not bypass it silently.
    readonly_fields = ("version", "pct_conocimiento", "pct_vision", "pct_compromiso")


@admin.register(Commitment)
class CommitmentAdmin(SimpleHistoryAdmin):
    list_display = ("description", "plan", "party", "department", "owner", "due_date", "status")
    list_filter = ("status", "party", "department")
    list_select_related = ("plan__account", "department", "owner")
    raw_id_fields = ("plan", "owner", "contact")
    readonly_fields = ("version",)


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = ("plan", "label", "created_at", "expires_at", "revoked_at")
    list_select_related = ("plan__account",)
    # The hash is useless to a reader and must not be editable (it would orphan or forge a link).
    readonly_fields = ("token_hash",)
    raw_id_fields = ("plan", "contact", "created_by", "revoked_by")


admin.site.register(PlanReview)
admin.site.register(ValueDelivered)
admin.site.register(Negotiation, SimpleHistoryAdmin)
