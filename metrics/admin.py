from django.contrib import admin

from .models import AccountSnapshot, RecomputeRun


@admin.register(AccountSnapshot)
class AccountSnapshotAdmin(admin.ModelAdmin):
    """Read-only: snapshots are written by the recompute alone."""

    list_display = ("account", "day", "health", "revenue_12m", "contribution_12m", "clv", "clv_risk_adjusted")
    list_filter = ("day", "tier")
    search_fields = ("account__name",)
    list_select_related = ("account",)
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RecomputeRun)
class RecomputeRunAdmin(admin.ModelAdmin):
    list_display = ("day", "started_at", "accounts", "snapshots_written", "seconds", "trigger")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
