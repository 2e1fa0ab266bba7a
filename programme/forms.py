from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import UserChoiceField, users_in
from accounts.models import Account, Tier
from kam.forms import BoundedForm, BoundedModelForm, DateInput, VersionedForm, form_field
from kam.roles import KAM, SPONSOR

from . import kpis
from .models import Direction, ProgrammeReview, ReviewChange, ReviewSettings

UNIT_HINTS = {
    kpis.PERCENT: _("%"),
    kpis.SCORE: _("0–10"),
    kpis.POINTS: _("points"),
    kpis.COUNT: _("accounts"),
    kpis.MONEY: _("per account"),
}


class ReviewSettingsForm(VersionedForm):
    class Meta:
        model = ReviewSettings
        fields = ["cadence_months"]


class ReviewCreateForm(BoundedForm):
    period_start = forms.DateField(label=_("a day in the period"), widget=DateInput(),
                                   help_text=_("The review covers the whole period (quarter, half or year) "
                                               "holding this day."))


class ReviewForm(VersionedForm):
    """The review's held date, notes and one target per registered KPI, in the KPI's unit."""

    class Meta:
        model = ProgrammeReview
        fields = ["held_on", "notes"]
        widgets = {"held_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        targets = self.instance.targets or {}
        for kpi in kpis.kpis():
            self.fields[f"target_{kpi.code}"] = forms.DecimalField(
                label=kpi.label, required=False, max_digits=16, decimal_places=2,
                help_text=_("target, %(unit)s (%(goal)s)") % {
                    "unit": UNIT_HINTS.get(kpi.unit, ""),
                    "goal": _("at least") if kpi.goal == kpis.AT_LEAST else _("at most")})
            raw = targets.get(kpi.code)
            if raw not in (None, ""):
                self.fields[f"target_{kpi.code}"].initial = Decimal(str(raw))

    def targets(self) -> dict:
        return {kpi.code: self.cleaned_data.get(f"target_{kpi.code}") for kpi in kpis.kpis()}


class ProposalForm(BoundedForm):
    account = forms.ModelChoiceField(queryset=Account.objects.none(), label=_("account"))
    to_tier = forms.ChoiceField(label=_("to tier"), choices=Tier.choices)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Why, in terms of the evidence shown."))

    def __init__(self, *args, **kwargs):
        from .selectors import proposal_candidates

        super().__init__(*args, **kwargs)
        form_field(self, "account", forms.ModelChoiceField).queryset = proposal_candidates()


class DecisionForm(BoundedForm):
    decision = forms.ChoiceField(label=_("decision"), choices=[("accept", _("Accept and apply the tier decision")),
                                                               ("reject", _("Reject"))], widget=forms.RadioSelect)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    kam = UserChoiceField(queryset=users_in(KAM), required=False, label=_("key account manager"),
                          help_text=_("Needed to promote to key account."))
    sponsor = UserChoiceField(queryset=users_in(SPONSOR), required=False, label=_("executive sponsor"),
                              help_text=_("Needed to promote to key account."))
    cap_override = forms.BooleanField(label=_("admit beyond the programme's cap"), required=False)
    override_reason = forms.CharField(label=_("reason for exceeding the cap"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, proposal=None, **kwargs):
        super().__init__(*args, **kwargs)
        if proposal is not None:
            self.fields["kam"].initial = proposal.account.kam_id
            self.fields["sponsor"].initial = proposal.account.sponsor_id
            if proposal.direction != Direction.ENTER:
                for name in ("kam", "sponsor", "cap_override", "override_reason"):
                    del self.fields[name]


class ChangeForm(BoundedModelForm):
    class Meta:
        model = ReviewChange
        fields = ["text"]
