from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ProgrammeReview, ReviewSettings


@admin.register(ProgrammeReview)
class ProgrammeReviewAdmin(SimpleHistoryAdmin):
    list_display = ("period_start", "period_end", "status", "held_on")
    list_filter = ("status",)
    readonly_fields = ("actuals",)


@admin.register(ReviewSettings)
class ReviewSettingsAdmin(SimpleHistoryAdmin):
    list_display = ("cadence_months",)
