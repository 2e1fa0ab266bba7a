import datetime
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from kam.forms import VersionedForm, form_field
from kam.models import ProgrammeSettings
from kam.people import person_label
from kam.uploads import IMAGE_MAX_BYTES
from kam.validators import HOLIDAYS_MAX

from .services import rate_message

# The service-incident settings: the second escalation rung and the business-hours calendar.
INCIDENT_FIELDS = ("operations_manager", "manager_escalation_hours", "work_days", "work_start_hour",
                   "work_end_hour", "holidays")
WEIGHT_FIELDS = ("weight_engagement", "weight_service", "weight_plan", "weight_sponsor", "weight_satisfaction",
                 "weight_commercial")


def currency_choices() -> list[tuple[str, str]]:
    """ISO 4217 codes with their names in the reader's language (Babel), by name."""
    from babel.numbers import get_currency_name, list_currencies

    locale = (translation.get_language() or "en").replace("-", "_")
    return sorted(((code, f"{get_currency_name(code, locale=locale)} ({code})") for code in list_currencies()),
                  key=lambda choice: choice[1].casefold())


class ProgrammeSettingsForm(VersionedForm):
    """Every programme parameter, validated together. Weights must add up to exactly 100: a lead who
    sets them sees the real share of each component, rather than numbers silently rescaled. It carries
    the version it was shown at: a save over someone else's change is refused by the service."""

    class Meta:
        model = ProgrammeSettings
        fields = [
            "key_account_cap", "attractiveness_threshold", "strength_threshold", "pareto_basis",
            "clv_retention", "clv_discount", "clv_retention_mode", "retention_min_sample",
            "retention_at_health_0", "retention_at_health_100",
            *WEIGHT_FIELDS,
            "sponsor_visit_days", "plan_review_days", "plan_stale_days", "stakeholder_contact_days",
            "key_account_grace_days", "currency",
            "survey_cadence_days", "survey_score_alert_below", "survey_gap_alert_above",
            "supplier_name", "supplier_logo", "supplier_colour",
            *INCIDENT_FIELDS,
        ]
        help_texts = {
            "key_account_cap": _("Most key accounts the programme admits without an explicit override."),
            "attractiveness_threshold": _("0–100: at or above it an account counts as highly attractive."),
            "strength_threshold": _("0–100: at or above it our relative strength counts as high."),
            "pareto_basis": _("What the A/B/C classes rank accounts by: their contribution to sales (revenue) "
                              "or to profit (revenue − cost of goods − cost to serve). The tier evidence "
                              "follows it."),
            "clv_retention": _("Yearly probability that the client stays (0–1), e.g. 0.900."),
            "clv_discount": _("Yearly discount rate (cost of capital), e.g. 0.100."),
            "clv_retention_mode": _("Observed: each account's CLV uses the share of customers kept from one "
                                    "year to the next in its industry, tier or the whole base (the first "
                                    "with enough accounts), and the rate above where none has. Fixed: the "
                                    "rate above for everyone."),
            "retention_min_sample": _("Fewest accounts a segment needs before its observed retention is "
                                      "used, e.g. 30."),
            "retention_at_health_0": _("Retention assumed for an account with health 0."),
            "retention_at_health_100": _("Retention assumed for an account with health 100."),
            "sponsor_visit_days": _("Each key account's sponsor should visit at least this often."),
            "plan_review_days": _("Plans are reviewed at least this often."),
            "plan_stale_days": _("A plan not edited for this many days is flagged as stale."),
            "stakeholder_contact_days": _("Decision makers and champions nobody has logged a touchpoint with "
                                          "for this many days are flagged on the relationship map."),
            "weight_commercial": _("Commercial trajectory: 12-month revenue and contribution against the "
                                   "previous 12 months, less a penalty for months without purchases."),
            "survey_cadence_days": _("Each contact of a key account is sent the client survey this often."),
            "survey_score_alert_below": _("0–10: a survey answer with a satisfaction below this alerts the "
                                          "KAM and the sponsor."),
            "survey_gap_alert_above": _("0–10: an answer further than this from our own rating of the "
                                        "partnership (either way) alerts the KAM and the sponsor."),
            "supplier_name": _("Our company's name as the client's documents show it."),
            "supplier_logo": _("PNG or JPEG, at most 1 MB: printed at the top of the client's PDF."),
            "supplier_colour": _("Headings of the client's documents, as #rrggbb."),
            "key_account_grace_days": _("After promotion to key account, days before the lack of a plan "
                                        "agreed with the client counts against its health."),
            "operations_manager": _("Told when an incident is still unresolved the hours below after its SLA "
                                    "breach was escalated to the KAM and the sponsor."),
            "manager_escalation_hours": _("Further hours after the first escalation before the operations "
                                          "manager is told."),
            "work_start_hour": _("SLA policies counted in business hours run from this hour (0–23)."),
            "work_end_hour": _("… to this hour (1–24), in the programme's time zone."),
        }

    def __init__(self, *args, upload_refusal: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # Why the logo was stopped while it arrived (kam.uploads: too large, not an image), if it was.
        self.upload_refusal = upload_refusal
        for name in ("clv_retention", "clv_discount", "retention_at_health_0", "retention_at_health_100"):
            form_field(self, name, forms.DecimalField).min_value = 0
            self.fields[name].widget.attrs.update({"min": "0", "step": "0.001"})
        for name in WEIGHT_FIELDS:
            self.fields[name].widget.attrs.update({"min": "0", "max": "100", "step": "0.01"})
        for name in ("key_account_cap", "sponsor_visit_days", "survey_cadence_days", "plan_review_days",
                     "plan_stale_days", "stakeholder_contact_days", "key_account_grace_days", "retention_min_sample"):
            self.fields[name].widget.attrs["min"] = "1"
        self.fields["currency"].widget = forms.Select(choices=currency_choices())
        self.fields["work_days"] = forms.TypedMultipleChoiceField(
            label=_("Working days"), coerce=int, choices=[(i, WEEKDAYS[i]) for i in range(7)],
            widget=forms.CheckboxSelectMultiple, error_messages={"required": _("Choose at least one working day.")})
        self.fields["holidays"] = forms.CharField(
            label=_("Holidays"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("Days the business-hours SLA clocks stand still: one date per line, e.g. 2026-12-25."))
        if not self.is_bound:
            self.initial["holidays"] = "\n".join(self.instance.holidays or [])
        manager = form_field(self, "operations_manager", forms.ModelChoiceField)
        manager.queryset = get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name")
        manager.label_from_instance = person_label  # type: ignore[method-assign,assignment]
        manager.empty_label = _("Nobody (no second escalation)")
        self.fields["work_start_hour"].widget.attrs.update({"min": "0", "max": "23"})
        self.fields["work_end_hour"].widget.attrs.update({"min": "1", "max": "24"})
        self.fields["manager_escalation_hours"].widget.attrs["min"] = "1"
        self.fields["supplier_colour"].widget = forms.TextInput(attrs={"type": "color"})
        # Not the clearable input: it links to the file, and the attachments storage gives files no address.
        self.fields["supplier_logo"].widget = forms.FileInput(attrs={"accept": "image/png,image/jpeg"})
        for name in ("survey_score_alert_below", "survey_gap_alert_above"):
            self.fields[name].widget.attrs.update({"min": "0", "max": "10"})

    def clean_holidays(self):
        days = set()
        for text in self.cleaned_data.get("holidays", "").replace(",", "\n").split():
            try:
                days.add(datetime.date.fromisoformat(text.strip()))
            except ValueError:
                raise forms.ValidationError(
                    _("“%(text)s” is not a date: write dates like 2026-12-25, one per line.") % {"text": text[:20]},
                    code="holidays") from None
        if len(days) > HOLIDAYS_MAX:
            raise forms.ValidationError(_("At most %(n)d holidays.") % {"n": HOLIDAYS_MAX}, code="holidays")
        return [d.isoformat() for d in sorted(days)]

    def clean_manager_escalation_hours(self):
        return self._at_least_one("manager_escalation_hours")

    def clean_supplier_logo(self):
        logo = self.cleaned_data.get("supplier_logo")
        if self.upload_refusal:
            raise forms.ValidationError(self.upload_refusal)
        if logo and getattr(logo, "size", 0) > IMAGE_MAX_BYTES:
            raise forms.ValidationError(_("The logo may be at most 1 MB."))
        return logo

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()

    def clean_key_account_cap(self):
        return self._at_least_one("key_account_cap")

    def clean_sponsor_visit_days(self):
        return self._at_least_one("sponsor_visit_days")

    def clean_plan_review_days(self):
        return self._at_least_one("plan_review_days")

    def clean_retention_min_sample(self):
        return self._at_least_one("retention_min_sample")

    def clean_plan_stale_days(self):
        return self._at_least_one("plan_stale_days")

    def clean_stakeholder_contact_days(self):
        return self._at_least_one("stakeholder_contact_days")

    def clean_key_account_grace_days(self):
        return self._at_least_one("key_account_grace_days")

    def _at_least_one(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and value < 1:
            raise forms.ValidationError(_("Must be at least 1."))
        return value

    def clean(self):
        super().clean()
        data = self.cleaned_data
        weights: list[Decimal] = [data[f] for f in WEIGHT_FIELDS if data.get(f) is not None]
        total = sum(weights, Decimal(0))
        if len(weights) == len(WEIGHT_FIELDS) and total != Decimal("100"):
            raise forms.ValidationError(
                _("The health weights must add up to 100 (they add up to %(total)s).")
                % {"total": total.normalize()}, code="weights")
        r, d = data.get("clv_retention"), data.get("clv_discount")
        if d is not None and r is not None:
            for name in ("clv_retention", "retention_at_health_0", "retention_at_health_100"):
                value = data.get(name)
                if value is not None and not 0 <= value < 1 + d:
                    self.add_error(name, rate_message(d))
        start, end = data.get("work_start_hour"), data.get("work_end_hour")
        if start is not None and end is not None and end <= start:
            self.add_error("work_end_hour", _("The working day must end after it starts."))
        lo, hi = data.get("retention_at_health_0"), data.get("retention_at_health_100")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("retention_at_health_100",
                           _("Retention at health 100 must not be lower than retention at health 0."))
        return data
