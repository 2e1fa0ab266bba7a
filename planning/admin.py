"""The plans' records for the back office: read with their history, changed only on the plan's pages,
whose services keep the version, the sign-offs and the client's agreement true. A share link is ended
here the way the app ends it: revoked, not deleted."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from kam.admin_site import ReadOnlyAdmin

from . import services
from .models import (
    AccountPlan,
    AgreedVersion,
    Commitment,
    KnowledgeTask,
    Negotiation,
    Opportunity,
    PlanReview,
    ShareLink,
    SignOff,
    ValueDelivered,
)


class TaskInline(ReadOnlyAdmin, admin.TabularInline):
    model = KnowledgeTask
    extra = 0


class OpportunityInline(ReadOnlyAdmin, admin.TabularInline):
    model = Opportunity
    extra = 0


class SignOffInline(ReadOnlyAdmin, admin.TabularInline):
    model = SignOff
    extra = 0


class AgreedVersionInline(ReadOnlyAdmin, admin.TabularInline):
    model = AgreedVersion
    extra = 0
    fields = ("agreed_at", "agreed_by", "channel", "plan_version")


@admin.register(AccountPlan)
class AccountPlanAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("account", "period_kind", "period_start", "status", "owner", "updated_at")
    list_filter = ("status", "period_kind")
    search_fields = ("account__name",)
    list_select_related = ("account", "owner")
    raw_id_fields = ("account", "owner", "client_agreed_contact")
    inlines = [TaskInline, OpportunityInline, SignOffInline, AgreedVersionInline]


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("description", "plan", "party", "department", "owner", "due_date", "status")
    list_filter = ("status", "party", "department")
    list_select_related = ("plan__account", "department", "owner")
    raw_id_fields = ("plan", "owner", "contact")


@admin.register(ShareLink)
class ShareLinkAdmin(SimpleHistoryAdmin):
    list_display = ("plan", "label", "created_at", "expires_at", "revoked_at")
    list_select_related = ("plan__account",)
    raw_id_fields = ("plan", "contact", "created_by", "revoked_by")
    actions = ["revoke_links"]

    def has_add_permission(self, request):
        return False  # a link is created on the plan's sharing page, which shows its token once

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected links"))
    def revoke_links(self, request, queryset):
        links = list(queryset.filter(revoked_at__isnull=True))
        for link in links:
            services.share_link_revoke(actor=request.user, link=link)
        self.message_user(request, ngettext("%(n)d link revoked.", "%(n)d links revoked.", len(links))
                          % {"n": len(links)}, messages.SUCCESS)


@admin.register(PlanReview)
class PlanReviewAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("plan", "planned_on", "held_on")
    raw_id_fields = ("plan",)


@admin.register(ValueDelivered)
class ValueDeliveredAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("outcome", "plan", "amount", "delivered_on", "confirmed_by_client")
    raw_id_fields = ("plan",)


@admin.register(Negotiation)
class NegotiationAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("title", "account", "scheduled_on", "created_by")
    raw_id_fields = ("account", "plan", "created_by")
