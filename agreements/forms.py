from django import forms
from django.utils.translation import gettext_lazy as _

from kam.forms import BoundedForm, DateInput, VersionedForm, form_field
from planning.models import Negotiation

from .models import AgreementStatus, AgreementTerm, FrameworkAgreement


class FrameworkAgreementForm(VersionedForm):
    class Meta:
        model = FrameworkAgreement
        fields = ("title", "scope", "start_date", "end_date", "renewal_date", "notice_days")
        widgets = {"scope": forms.Textarea(attrs={"rows": 3}), "start_date": DateInput(), "end_date": DateInput(),
                   "renewal_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        renewal = form_field(self, "renewal_date", forms.DateField)
        renewal.required = False
        renewal.help_text = _("When it renews or ends unless notice is given (the end date if left empty).")


class TermForm(VersionedForm):
    class Meta:
        model = AgreementTerm
        fields = ("kind", "text", "value", "unit", "party")


class DraftFromNegotiationForm(BoundedForm):
    negotiation = forms.ModelChoiceField(label=_("Negotiation"), queryset=Negotiation.objects.none())

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "negotiation", forms.ModelChoiceField).queryset = (
            Negotiation.objects.filter(account=account).order_by("-created_at"))


class AgreementFilterForm(BoundedForm):
    """The programme list's filters (GET)."""

    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status"))] + AgreementStatus.choices,
                               required=False)
    within_days = forms.IntegerField(label=_("Renewing within (days)"), min_value=0, max_value=3650,
                                     required=False)
