from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.models import Contact
from kam.forms import BoundedForm, BoundedModelForm, DateInput, VersionedForm, form_field
from kam.models import Department
from kam.money import currency_symbol
from kam.people import person_label
from kam.validators import NotInFuture

from .models import (
    CONOCIMIENTO_FIELDS,
    AccountPlan,
    AgreementChannel,
    Commitment,
    CommitmentStatus,
    Concession,
    KnowledgeTask,
    Negotiation,
    NegotiationAgreement,
    NegotiationObjective,
    NegotiationVariable,
    Opportunity,
    Party,
    PeriodKind,
    PlanReview,
    ShareSection,
    ValueDelivered,
)


def _textareas(fields, rows=3):
    return {f: forms.Textarea(attrs={"rows": rows}) for f in fields}


# The plan's text, one form per section of the editor. Each section saves on its own.
SECTION_FIELDS = {
    "summary": ("summary", "next_review_date"),
    "conocimiento": CONOCIMIENTO_FIELDS,
    "vision": ("vision_statement",),
}


def section_form_class(section):
    fields = SECTION_FIELDS[section]
    meta = type("Meta", (), {"model": AccountPlan, "fields": fields,
                             "widgets": {**_textareas(fields), "next_review_date": DateInput()}})
    return type(f"{section.title()}Form", (BoundedModelForm,), {"Meta": meta})


class PlanCreateForm(BoundedForm):
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
    period_start = forms.DateField(label=_("Starts on"), widget=DateInput())
    copy_last = forms.BooleanField(label=_("Copy the last plan (knowledge, vision, open tasks and "
                                           "opportunities)"), required=False, initial=True)


class PlanPeriodForm(BoundedForm):
    """Correct a draft plan's period."""

    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
    period_start = forms.DateField(label=_("Starts on"), widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput)


# The rules' own wording where the generic "cannot be in the future" would be vaguer.
_NOT_DELIVERED_YET = NotInFuture(_("The delivery date cannot be in the future."))
_NOT_HELD_YET = NotInFuture(_("A review cannot have been held in the future."))


def _people():
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name")


class KnowledgeTaskForm(VersionedForm):
    class Meta:
        model = KnowledgeTask
        fields = ("description", "owner", "due_date", "done")
        widgets = {"due_date": DateInput()}

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        owner = form_field(self, "owner", forms.ModelChoiceField)
        owner.queryset = people if people is not None else _people()
        owner.label_from_instance = person_label  # type: ignore[method-assign,assignment]


class OpportunityForm(VersionedForm):
    class Meta:
        model = Opportunity
        fields = ("client_benefit", "our_solution", "value", "probability", "stage", "expected_date")
        widgets = {"expected_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's label names the euro; the programme's currency is a setting.
        self.fields["value"].label = _("estimated value (%(symbol)s)") % {"symbol": currency_symbol()}


class CommitmentForm(VersionedForm):
    class Meta:
        model = Commitment
        fields = ("party", "description", "department", "owner", "contact", "due_date", "status",
                  "delivered_on")
        widgets = {"due_date": DateInput(), "delivered_on": DateInput()}

    def __init__(self, *args, account=None, people=None, departments=None, contacts=None, **kwargs):
        super().__init__(*args, **kwargs)
        owner = form_field(self, "owner", forms.ModelChoiceField)
        owner.queryset = people if people is not None else _people()
        owner.label_from_instance = person_label  # type: ignore[method-assign,assignment]
        form_field(self, "delivered_on", forms.DateField).validators.append(_NOT_DELIVERED_YET)
        form_field(self, "department", forms.ModelChoiceField).queryset = (
            departments if departments is not None else Department.objects.all())
        form_field(self, "contact", forms.ModelChoiceField).queryset = (
            contacts if contacts is not None else Contact.objects.filter(account=account, left_at__isnull=True))
        self.fields["department"].help_text = _("For our commitments: the department that delivers.")
        self.fields["contact"].help_text = _("For the client's commitments: who delivers on their side.")

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("party") == Party.US and not data.get("department"):
            self.add_error("department", _("Our commitments need the department that delivers them."))
        if data.get("party") == Party.CLIENT and not data.get("contact"):
            self.add_error("contact", _("Say which of the client's people delivers this."))
        return data


class CommitmentStatusForm(BoundedForm):
    status = forms.ChoiceField(label=_("Status"), choices=CommitmentStatus.choices)
    delivered_on = forms.DateField(label=_("Delivered on"), required=False, widget=DateInput(),
                                   validators=[_NOT_DELIVERED_YET])
    version = forms.IntegerField(widget=forms.HiddenInput)


class SignOffForm(BoundedForm):
    department = forms.ModelChoiceField(label=_("Sign off for"), queryset=Department.objects.none(),
                                        required=False, empty_label=_("Executive sponsor"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ClientAgreementForm(BoundedForm):
    contact = forms.ModelChoiceField(label=_("Client contact"), queryset=Contact.objects.none(), required=False)
    agreed_by = forms.CharField(label=_("Or name and position"), max_length=160, required=False)
    channel = forms.ChoiceField(label=_("How"), choices=[c for c in AgreementChannel.choices
                                                         if c[0] != AgreementChannel.SHARE_LINK])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "contact", forms.ModelChoiceField).queryset = Contact.objects.filter(
            account=account, left_at__isnull=True)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not data.get("contact") and not (data.get("agreed_by") or "").strip():
            raise forms.ValidationError(_("Say who agreed on the client's side."))
        return data


class PlanReviewForm(VersionedForm):
    class Meta:
        model = PlanReview
        fields = ("planned_on", "held_on", "attendees", "outcome")
        widgets = {"planned_on": DateInput(), "held_on": DateInput(), **_textareas(("attendees", "outcome"), 2)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].validators.append(_NOT_HELD_YET)


class ValueDeliveredForm(VersionedForm):
    class Meta:
        model = ValueDelivered
        fields = ("outcome", "amount", "delivered_on", "confirmed_by_client")
        widgets = {"delivered_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].label = _("amount (%(symbol)s)") % {"symbol": currency_symbol()}


class ShareLinkForm(BoundedForm):
    contact = forms.ModelChoiceField(
        label=_("Client contact"), queryset=Contact.objects.none(),
        help_text=_("Only they can open the link: a one-time code is sent to their e-mail address. Contacts "
                    "without an address are not listed."))
    label = forms.CharField(label=_("Label (optional)"), max_length=160, required=False)
    hidden_sections = forms.MultipleChoiceField(
        label=_("Hide from the client"), choices=ShareSection.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=[ShareSection.CONOCIMIENTO, ShareSection.OPPORTUNITY_VALUES, ShareSection.SIGNOFFS])
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365, initial=30)

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "contact", forms.ModelChoiceField).queryset = Contact.objects.filter(
            account=account, left_at__isnull=True).exclude(email="").order_by("name")


class ShareCodeForm(BoundedForm):
    code = forms.CharField(label=_("Code"), max_length=12,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


class ClientCommitmentForm(BoundedForm):
    status = forms.ChoiceField(label=_("Status"), choices=[(CommitmentStatus.DONE, _("Done")),
                                                           (CommitmentStatus.AT_RISK, _("At risk"))])
    on_date = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ClientValueForm(BoundedForm):
    answer = forms.ChoiceField(label=_("Your answer"), choices=[("confirm", _("Confirm")), ("dispute", _("Dispute"))])
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ClientRequestForm(BoundedForm):
    target = forms.ChoiceField(label=_("About"))
    body = forms.CharField(label=_("What should change?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, sections=(), commitments=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(f"section:{key}", label or _("The plan as a whole")) for key, label in sections]
        choices += [(f"commitment:{c.pk}", _("Commitment: %(what)s") % {"what": c.description}) for c in commitments]
        form_field(self, "target", forms.ChoiceField).choices = choices


class ClientAcceptForm(BoundedForm):
    conditions = forms.CharField(
        label=_("Conditions (optional)"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("With conditions your acceptance is a request for changes: the plan is agreed once the team "
                    "has answered and you accept it without conditions."))


class ThreadAnswerForm(BoundedForm):
    body = forms.CharField(label=_("Answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class NegotiationCreateForm(BoundedModelForm):
    class Meta:
        model = Negotiation
        fields = ("title",)


class NegotiationForm(VersionedForm):
    class Meta:
        model = Negotiation
        fields = ("title", "scheduled_on", "plan", "our_batna", "their_batna", "strategy", "strategy_notes")
        widgets = {"scheduled_on": DateInput(), **_textareas(("our_batna", "their_batna", "strategy_notes"))}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "plan", forms.ModelChoiceField).queryset = self.instance.account.plans.all()


class ObjectiveForm(VersionedForm):
    class Meta:
        model = NegotiationObjective
        fields = ("party", "description", "priority")


class VariableForm(VersionedForm):
    class Meta:
        model = NegotiationVariable
        fields = ("name", "priority", "our_target", "our_limit", "client_position")


class ConcessionForm(VersionedForm):
    class Meta:
        model = Concession
        fields = ("party", "description", "in_exchange_for", "made_on")
        widgets = {"made_on": DateInput()}


class AgreementForm(VersionedForm):
    class Meta:
        model = NegotiationAgreement
        fields = ("description", "party", "due_date")
        widgets = {"due_date": DateInput()}


class AgreementToCommitmentForm(BoundedForm):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all(), required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=get_user_model().objects.none(), required=False)
    contact = forms.ModelChoiceField(label=_("Client contact"), queryset=Contact.objects.none(), required=False)

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        owner = form_field(self, "owner", forms.ModelChoiceField)
        owner.queryset = _people()
        owner.label_from_instance = person_label  # type: ignore[method-assign,assignment]
        form_field(self, "contact", forms.ModelChoiceField).queryset = Contact.objects.filter(
            account=account, left_at__isnull=True)
