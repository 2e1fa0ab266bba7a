from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Account,
    AccountTeamMember,
    Assessment,
    AssessmentScore,
    Contact,
    FinancialRecord,
    ImportRun,
    RelationshipStageChange,
    SelectionCriterion,
    TierDecision,
)


class TeamInline(admin.TabularInline):
    model = AccountTeamMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Account)
class AccountAdmin(SimpleHistoryAdmin):
    list_display = ["name", "tax_id", "tier", "kam", "sponsor", "revenue_12m", "pareto_class", "quadrant",
                    "archived_at"]
    list_filter = ["tier", "industry", "pareto_class", "quadrant"]
    search_fields = ["name", "tax_id"]
    list_select_related = ["kam", "sponsor"]
    raw_id_fields = ["parent"]
    inlines = [TeamInline]
    # Tier, scores and revenue are written by their services (with reasons and evidence), not by hand.
    readonly_fields = ["tier", "revenue_12m", "pareto_class", "attractiveness", "strength", "quadrant",
                       "health_score", "clv", "metrics_updated_at", "version"]

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are archived, never deleted


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ["name", "account", "position", "attitude", "left_at"]
    search_fields = ["name", "email", "account__name"]
    raw_id_fields = ["account", "reports_to", "successor"]


@admin.register(SelectionCriterion)
class SelectionCriterionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "axis", "weight", "scale_max", "active"]


class ScoreInline(admin.TabularInline):
    model = AssessmentScore
    extra = 0


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["account", "assessor", "assessed_on", "attractiveness", "strength"]
    raw_id_fields = ["account"]
    inlines = [ScoreInline]


@admin.register(TierDecision)
class TierDecisionAdmin(admin.ModelAdmin):
    list_display = ["account", "from_tier", "to_tier", "decided_by", "decided_at", "cap_override"]
    raw_id_fields = ["account"]

    def has_change_permission(self, request, obj=None):
        return False  # a decision is a record of what was decided, with its evidence


admin.site.register(FinancialRecord, SimpleHistoryAdmin, raw_id_fields=["account"],
                    list_display=["account", "month", "revenue"])
admin.site.register(RelationshipStageChange, raw_id_fields=["account"])
admin.site.register(ImportRun)
