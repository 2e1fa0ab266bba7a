"""The accounts' records for the back office: to look things up and read their history. Nothing is
written here: every change goes through the services (who may make it, from which version, and what
follows from it: quadrants, scores, revenue classes, the account's events)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kam.admin_site import ReadOnlyAdmin as ReadOnly

from .models import (
    Account,
    AccountTeamMember,
    Assessment,
    AssessmentScore,
    Attachment,
    Contact,
    ErasureRecord,
    FinancialRecord,
    ImportJob,
    RelationshipStageChange,
    SelectionCriterion,
    TierDecision,
)


class TeamInline(ReadOnly, admin.TabularInline):
    model = AccountTeamMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Account)
class AccountAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["name", "tax_id", "tier", "kam", "sponsor", "revenue_12m", "pareto_class", "quadrant",
                    "archived_at"]
    list_filter = ["tier", "industry", "pareto_class", "quadrant"]
    search_fields = ["name", "tax_id"]
    list_select_related = ["kam", "sponsor"]
    raw_id_fields = ["parent"]
    inlines = [TeamInline]


@admin.register(Contact)
class ContactAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["name", "account", "position", "attitude", "left_at"]
    search_fields = ["name", "email", "account__name"]
    raw_id_fields = ["account", "reports_to", "successor"]


@admin.register(SelectionCriterion)
class SelectionCriterionAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["name", "axis", "weight", "scale_max", "active"]


class ScoreInline(ReadOnly, admin.TabularInline):
    model = AssessmentScore
    extra = 0


@admin.register(Assessment)
class AssessmentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["account", "assessor", "assessed_on", "attractiveness", "strength"]
    raw_id_fields = ["account"]
    inlines = [ScoreInline]


@admin.register(TierDecision)
class TierDecisionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["account", "from_tier", "to_tier", "decided_by", "decided_at", "cap_override"]
    raw_id_fields = ["account"]


@admin.register(FinancialRecord)
class FinancialRecordAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["account", "month", "revenue"]
    raw_id_fields = ["account"]


@admin.register(RelationshipStageChange)
class RelationshipStageChangeAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["account", "changed_on", "from_stage", "to_stage"]
    raw_id_fields = ["account"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "kind", "filename", "created_by", "status", "rows_total"]
    exclude = ["data"]


@admin.register(ErasureRecord)
class ErasureRecordAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["erased_at", "contact", "account", "erased_by"]
    raw_id_fields = ["account"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["original_name", "account", "content_type", "object_id", "uploaded_by", "uploaded_at",
                    "removed_at"]
    raw_id_fields = ["account"]
    # The bytes have no address: they are downloaded from the object's page, where access is checked.
    exclude = ["file"]
