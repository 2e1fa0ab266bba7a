"""The charter's promises for the back office: read here with their history; written on the charter's
own pages, whose service checks that the programme lead writes them and keeps the version."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kam.admin_site import ReadOnlyAdmin

from .models import Promise


@admin.register(Promise)
class PromiseAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("department", "text", "measure", "target", "active", "updated_at")
    list_filter = ("department", "measure", "active")
    search_fields = ("text",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department")
