import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Tier
from kam.forms import BoundedForm, DateInput, VersionedForm, form_field

from . import formulas
from .kinds import SPECS, MeasureKind, Unit
from .models import Promise
from .selectors import charter_departments

PRESETS = [
    ("last_quarter", _("Last quarter")),
    ("this_quarter", _("This quarter so far")),
    ("year_to_date", _("This year so far")),
    ("last_12_months", _("Last 12 months")),
    ("last_year", _("Last year")),
    ("custom", _("Chosen dates")),
]
# A compliance period longer than this is a different question (and a slower one).
MAX_PERIOD_DAYS = 3 * 366
_SMALL = {"class": "form-control form-control-sm"}


class PromiseForm(VersionedForm):
    tiers = forms.MultipleChoiceField(label=_("applies to tiers"), choices=Tier.choices,
                                      widget=forms.CheckboxSelectMultiple, initial=[Tier.KEY])

    class Meta:
        model = Promise
        fields = ["department", "text", "measure", "target", "tiers", "active", "order"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "maxlength": 400})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "department", forms.ModelChoiceField).queryset = charter_departments()
        units = "; ".join(f"{kind.label}: {Unit(SPECS[kind].unit).label}" for kind in MeasureKind)
        self.fields["target"].help_text = _("In the measure's unit (%(units)s).") % {"units": units}

    def clean_text(self):
        # A textarea for comfort, but one line of text: bound_inputs would let free text run long.
        return " ".join(self.cleaned_data["text"].split())


class PeriodForm(BoundedForm):
    """The compliance period: a preset or two dates (both included). Read from the query string."""

    preset = forms.ChoiceField(label=_("period"), choices=PRESETS, required=False)
    start = forms.DateField(label=pgettext_lazy("period", "from"), required=False, widget=DateInput(attrs=_SMALL))
    end = forms.DateField(label=pgettext_lazy("period", "to"), required=False, widget=DateInput(attrs=_SMALL))

    def clean(self):
        data = super().clean() or {}
        preset = data.get("preset") or "last_quarter"
        if preset == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Give both dates of the period."))
            if start > end:
                raise forms.ValidationError(_("The period must end on or after its first day."))
            if (end - start).days > MAX_PERIOD_DAYS:
                raise forms.ValidationError(_("Choose a period of three years at most."))
        else:
            start, end = formulas.preset_period(preset, timezone.localdate())
        data.update(preset=preset, start=start, end=end)
        return data

    def period(self) -> tuple[datetime.date, datetime.date]:
        """The period asked for, or the last quarter when the form is not valid."""
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return formulas.preset_period("last_quarter", timezone.localdate())
