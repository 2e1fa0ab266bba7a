"""The programme lead's back office: users and their roles (groups), reference data, programme
settings with their history, and notifications for support questions ("was I told?")."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Department, Notification, OutboxTask, ProgrammeSettings

admin.site.site_header = _("KAM administration")
admin.site.site_title = _("KAM administration")
admin.site.index_title = _("Users, roles and reference data")


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "order")
    list_editable = ("order",)
    search_fields = ("name", "code")



@admin.register(ProgrammeSettings)
class ProgrammeSettingsAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "key_account_cap", "clv_retention", "clv_discount", "updated_at")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request):
        # One row holds the programme's parameters (ProgrammeSettings.current()).
        return not ProgrammeSettings.objects.exists()

    def has_change_permission(self, request, obj=None):
        # Changed on the programme settings page, through the service that checks the version and
        # recomputes what derives from the thresholds; here it is read with its history.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "created_at", "read_at", "emailed_at", "email_failed_at")
    list_filter = ("read_at", "emailed_at", "email_failed_at", "created_at")
    search_fields = ("title", "event_key", "recipient__username", "recipient__last_name")
    list_select_related = ("recipient",)
    readonly_fields = ("recipient", "event_key", "title", "body", "link", "created_at", "read_at", "emailed_at",
                       "email_attempts", "email_failed_at", "email_error")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        # Notifications come from events (notification_send), never typed in by hand.
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxTask)
class OutboxTaskAdmin(admin.ModelAdmin):
    """Background work the web asked for: what is waiting, what ran, what was given up and why."""

    list_display = ("task", "created_at", "attempts", "done_at", "failed_at", "run_after")
    list_filter = ("task", "done_at", "failed_at")
    readonly_fields = ("task", "args", "kwargs", "created_at", "run_after", "attempts", "claimed_until", "done_at",
                       "failed_at", "last_error")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
