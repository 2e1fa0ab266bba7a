import copy
from typing import cast

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Contact, Tier
from accounts.selectors import accounts_visible_to
from kam import departments
from kam.forms import DATETIME_LOCAL_FORMAT, BoundedForm, DateInput, DateTimeLocalInput, VersionedForm, form_field
from kam.models import Department
from kam.people import person_label
from kam.roles import KAM, OPERATIONS, SPONSOR, has_role
from kam.validators import COST_MAX, not_in_future

from .models import (
    Channel,
    IncidentCategory,
    IncidentStatus,
    ServiceIncident,
    Severity,
    SlaPolicy,
    TouchpointKind,
)
from .selectors import assignable_q
from .services import STATUS_ORDER


def _contacts_field(account: Account | None, *, multiple: bool, label):
    qs = Contact.objects.filter(account=account, left_at__isnull=True) if account else Contact.objects.none()
    if multiple:
        return forms.ModelMultipleChoiceField(queryset=qs.order_by("name"), required=False, label=label,
                                              widget=forms.CheckboxSelectMultiple)
    return forms.ModelChoiceField(queryset=qs.order_by("name"), required=False, label=label,
                                  empty_label=_("— none —"))


def default_department(user, account: Account | None) -> Department | None:
    """The user's department on the account's team, else the one their role suggests."""
    if account is not None:
        member = account.team_members.filter(user_id=user.pk).select_related("department").first()
        if member:
            return member.department
    for role, code in ((OPERATIONS, departments.OPERATIONS), (SPONSOR, departments.EXECUTIVE),
                       (KAM, departments.SALES)):
        if has_role(user, role):
            return Department.objects.filter(code=code).first()
    return None


class TouchpointForm(BoundedForm):
    account = forms.ModelChoiceField(queryset=Account.objects.none(), widget=forms.HiddenInput)
    occurred_at = forms.DateTimeField(label=_("When"), widget=DateTimeLocalInput(),
                                      input_formats=[DATETIME_LOCAL_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"])
    department = forms.ModelChoiceField(queryset=Department.objects.all(), label=_("Department"))
    channel = forms.ChoiceField(choices=Channel.choices, label=_("Channel"))
    kind = forms.ChoiceField(choices=TouchpointKind.choices, label=_("Kind"))
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    quality = forms.TypedChoiceField(label=_("Quality"), coerce=int, initial=3,
                                     widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                                     choices=[(i, str(i)) for i in range(1, 6)],
                                     help_text=_("1 = it went badly, 5 = very well"))
    our_people = forms.ModelMultipleChoiceField(queryset=get_user_model().objects.none(), required=False,
                                                label=_("Our people"), widget=forms.CheckboxSelectMultiple)
    follow_up = forms.BooleanField(label=_("Follow-up needed"), required=False)
    follow_up_note = forms.CharField(label=_("What follow-up?"), required=False, max_length=300)
    follow_up_owner = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False,
                                             label=_("Who follows up"), empty_label=None,
                                             help_text=_("It appears in their \"My work\" and they are "
                                                         "reminded when it is due."))
    follow_up_due = forms.DateField(label=_("Follow-up due"), required=False, widget=DateInput())
    cost = forms.DecimalField(label=_("Cost (optional)"), required=False, min_value=0, max_value=COST_MAX,
                              max_digits=12, decimal_places=2)

    def __init__(self, *args, user, account: Account | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        form_field(self, "account", forms.ModelChoiceField).queryset = accounts_visible_to(user)
        self.fields["contacts"] = _contacts_field(account, multiple=True, label=_("Client contacts"))
        if account is not None:
            User = get_user_model()
            our_people = form_field(self, "our_people", forms.ModelChoiceField)
            our_people.queryset = User.objects.filter(
                Q(pk=user.pk) | Q(pk=account.kam_id) | Q(pk=account.sponsor_id)
                | Q(account_memberships__account=account), is_active=True,
            ).distinct().order_by("first_name", "last_name")
            our_people.label_from_instance = person_label  # type: ignore[method-assign,assignment]
            owner = form_field(self, "follow_up_owner", forms.ModelChoiceField)
            owner.queryset = our_people.queryset
            owner.label_from_instance = person_label  # type: ignore[method-assign,assignment]
        if account is None or not user.has_perm("touchpoints.log_sponsor_visit", account):
            form_field(self, "kind", forms.ChoiceField).choices = [c for c in TouchpointKind.choices
                                           if c[0] != TouchpointKind.EXECUTIVE_VISIT]
        if not self.is_bound:
            self.initial.setdefault("occurred_at", timezone.localtime().replace(second=0, microsecond=0))
            self.initial.setdefault("department", default_department(user, account))
            self.initial.setdefault("our_people", [user.pk])
            self.initial.setdefault("follow_up_owner", user.pk)
            if account is not None:
                self.initial.setdefault("account", account.pk)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("follow_up") and not data.get("follow_up_note", "").strip():
            self.add_error("follow_up_note", _("Say what needs following up."))
        if data.get("follow_up") and not data.get("follow_up_due") and "follow_up_due" not in self.errors:
            self.add_error("follow_up_due", _("Say by when the follow-up is due."))
        return data


class IncidentForm(BoundedForm):
    account = forms.ModelChoiceField(queryset=Account.objects.none(), widget=forms.HiddenInput)
    severity = forms.ChoiceField(choices=Severity.choices, label=_("Severity"), initial=Severity.MEDIUM)
    category = forms.ChoiceField(choices=IncidentCategory.choices, label=_("Category"))
    title = forms.CharField(label=_("What happened?"), max_length=200)
    description = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, account: Account | None, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "account", forms.ModelChoiceField).queryset = accounts_visible_to(user)
        self.fields["contact"] = _contacts_field(account, multiple=False, label=_("Client contact"))
        if account is not None and not self.is_bound:
            self.initial["account"] = account.pk


class IncidentUpdateForm(VersionedForm):
    """Status, severity, waiting on the client, resolution, root cause, corrective action and cost of an
    incident. Bound, it works on a copy of the incident: the page keeps showing the saved incident, and
    after a refused save the copy holds what the user typed."""

    waiting_on_client = forms.BooleanField(
        label=_("Waiting on the client"), required=False,
        help_text=_("Stops the SLA clocks while we wait for the client's answer; unticking it moves the "
                    "deadlines by the time waited."))

    class Meta:
        model = ServiceIncident
        fields = ["status", "severity", "waiting_on_client", "resolution", "root_cause", "corrective_action", "cost"]
        labels = {"status": _("Status"), "severity": _("Severity"), "resolution": _("Resolution"),
                  "root_cause": _("Root cause"), "corrective_action": _("Corrective action"),
                  "cost": _("Cost of the incident")}
        help_texts = {"resolution": _("Required to resolve or close the incident."),
                      "root_cause": _("Why it happened. Required to close a critical incident."),
                      "corrective_action": _("What stops it happening again. Required to close a critical "
                                             "incident."),
                      "cost": _("Credit notes, re-deliveries, extra hours…")}
        widgets = {"resolution": forms.Textarea(attrs={"rows": 3}), "root_cause": forms.Textarea(attrs={"rows": 2}),
                   "corrective_action": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, instance=copy.copy(incident), **kwargs)
        current = STATUS_ORDER.index(incident.status)
        form_field(self, "status", forms.ChoiceField).choices = [(s.value, s.label) for s in STATUS_ORDER[current:]]
        form_field(self, "cost", forms.DecimalField).min_value = 0
        self.fields["cost"].widget.attrs["min"] = "0"
        self.fields["waiting_on_client"].initial = incident.is_waiting
        self.fields["severity"].required = False  # left out: as it is

    def clean(self):
        super().clean()
        data = self.cleaned_data
        status = data.get("status")
        if status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED) and not data.get("resolution", "").strip():
            self.add_error("resolution", _("Say how the incident was resolved."))
        return data


class IncidentAssignForm(VersionedForm):
    """Who works the incident: a person in operations, or nobody."""

    class Meta:
        model = ServiceIncident
        fields = ["assignee"]
        labels = {"assignee": _("Assigned to")}

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, instance=copy.copy(incident), **kwargs)
        field = form_field(self, "assignee", forms.ModelChoiceField)
        field.queryset = get_user_model().objects.filter(assignable_q(incident.account), is_active=True).distinct()
        field.empty_label = _("Nobody (unassigned)")
        field.label_from_instance = person_label  # type: ignore[method-assign,assignment]


class FeedbackForm(BoundedForm):
    score = forms.TypedChoiceField(label=_("Satisfaction (0–10)"), coerce=int,
                                   choices=[(i, str(i)) for i in range(0, 11)],
                                   widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                                   help_text=_("0 = very dissatisfied, 10 = delighted"))
    comment = forms.CharField(label=_("What did they say?"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    received_on = forms.DateField(label=_("Received on"), widget=DateInput(), initial=timezone.localdate,
                                  validators=[not_in_future])

    def __init__(self, *args, account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        contact = _contacts_field(account, multiple=False, label=_("From"))
        self.fields = {"contact": contact, **self.fields}


class PartnershipRatingForm(BoundedForm):
    score = forms.TypedChoiceField(label=_("How much of a partner are we to each other? (0–10)"), coerce=int,
                                   choices=[(i, str(i)) for i in range(0, 11)],
                                   widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                                   help_text=_("0 = a purely transactional supplier, 10 = a true partner"))
    comment = forms.CharField(label=_("Why?"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    rated_on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate,
                               validators=[not_in_future])


def _scale_field(label, low: int, high: int, help_text=""):
    return forms.TypedChoiceField(label=label, coerce=int, choices=[(i, str(i)) for i in range(low, high + 1)],
                                  widget=forms.RadioSelect(attrs={"class": "btn-check"}), help_text=help_text)


class SurveyForm(BoundedForm):
    """The client's survey (touchpoints.services.survey_answer checks the same scales)."""

    satisfaction = _scale_field(_("How satisfied are you with us overall?"), 0, 10,
                                _("0 = not at all, 10 = completely"))
    recommend = _scale_field(_("How likely are you to recommend us to a colleague?"), 0, 10,
                             _("0 = not at all likely, 10 = extremely likely"))
    understands = _scale_field(_("They understand our business"), 1, 5,
                               _("1 = strongly disagree, 5 = strongly agree"))
    delivers = _scale_field(_("They deliver what they promise"), 1, 5,
                            _("1 = strongly disagree, 5 = strongly agree"))
    easy = _scale_field(_("Working together is easy"), 1, 5, _("1 = strongly disagree, 5 = strongly agree"))
    comment = forms.CharField(label=_("Anything you would like to tell us? (optional)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))


class SlaPolicyForm(VersionedForm):
    class Meta:
        model = SlaPolicy
        fields = ["ack_hours", "resolve_hours", "clock"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The hours as the lead loaded them travel with the form: a row counts as edited when the lead
        # changed it, not when someone else did in the meantime (that row is then left alone).
        for name in self.Meta.fields:
            self.fields[name].show_hidden_initial = True

    def clean(self):
        super().clean()
        data = self.cleaned_data
        ack, resolve = data.get("ack_hours"), data.get("resolve_hours")
        if ack and resolve and resolve < ack:
            self.add_error("resolve_hours", _("Resolving cannot take less than acknowledging."))
        return data


class BaseSlaPolicyFormSet(forms.BaseModelFormSet):
    """The SLA table edits the saved rows and nothing else: management data that claims more, fewer
    or other rows was not sent by our page, and is refused whole instead of creating rows."""

    def clean(self):
        super().clean()
        saved = set(self.get_queryset().values_list("pk", flat=True))
        sent = [form.cleaned_data.get("id") for form in self.forms if hasattr(form, "cleaned_data")]
        if (self.initial_form_count() != len(saved) or self.total_form_count() != len(saved)
                or {getattr(p, "pk", None) for p in sent} != saved or len(sent) != len(saved)):
            raise forms.ValidationError(
                _("The SLA table sent does not match the saved one. Reload the page and make your change "
                  "again."), code="tampered")

    def rows(self):
        """The rows the lead changed, with the version each was loaded at (for the service)."""
        from .services import SlaRow

        return [SlaRow(form.instance.pk, form.cleaned_data.get("version"), form.cleaned_data["ack_hours"],
                       form.cleaned_data["resolve_hours"], form.cleaned_data["clock"])
                for form in self.forms if set(form.changed_data) - {"version"}]


# One row per tier and severity: never more forms than that, whatever the management data says.
SLA_ROWS = len(Tier.choices) * len(Severity.choices)
# The factory's declared return type forgets the formset class it is given.
SlaPolicyFormSet = cast(type[BaseSlaPolicyFormSet], forms.modelformset_factory(
    SlaPolicy, form=SlaPolicyForm, formset=BaseSlaPolicyFormSet, extra=0, can_delete=False, max_num=SLA_ROWS,
    absolute_max=SLA_ROWS, validate_max=True, edit_only=True))


class IncidentFilterForm(BoundedForm):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Active")), *IncidentStatus.choices, ("all", _("All"))])
    severity = forms.ChoiceField(label=_("Severity"), required=False, choices=[("", _("Any")), *Severity.choices])
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("Any")), *IncidentCategory.choices])
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=())
    breached = forms.ChoiceField(label=_("SLA"), required=False,
                                 choices=[("", _("Any")), ("yes", _("Breached or overdue"))])
    assigned = forms.ChoiceField(label=_("Assigned"), required=False,
                                 choices=[("", _("Anyone")), ("mine", _("Mine")), ("unassigned", _("Unassigned"))])
    account = forms.CharField(label=_("Account"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "tier", forms.ChoiceField).choices = [("", _("Any")), *Tier.choices]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
