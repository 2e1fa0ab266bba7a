from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from kam.forms import BoundedForm, BoundedModelForm, DateInput, VersionedForm, form_field
from kam.models import Department
from kam.people import person_label
from kam.roles import KAM, SPONSOR
from kam.text import single_line

from .imports.values import ValueRefused, parse_country
from .models import (
    Account,
    AccountTeamMember,
    Contact,
    ImportKind,
    RelationshipStage,
    RelationshipStageChange,
    SelectionCriterion,
    Tier,
)

User = get_user_model()


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


def users_in(role):
    return User.objects.filter(is_active=True, groups__name=role).order_by("first_name", "last_name")


class AccountForm(VersionedForm):
    kam = UserChoiceField(queryset=User.objects.none(), required=False, label=_("key account manager"))
    sponsor = UserChoiceField(queryset=User.objects.none(), required=False, label=_("executive sponsor"))
    # A list of names in the reader's language; a value posted by hand may also be a code or an English or
    # Spanish name (clean_country), so the field is longer than the column.
    country = forms.CharField(label=_("country"), max_length=60, initial="ES", widget=forms.Select)

    class Meta:
        model = Account
        fields = ["name", "tax_id", "customer_number", "industry", "country", "region", "parent", "status", "kam",
                  "sponsor"]

    def __init__(self, *args, may_assign: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if may_assign:
            form_field(self, "kam", forms.ModelChoiceField).queryset = users_in(KAM)
            form_field(self, "sponsor", forms.ModelChoiceField).queryset = users_in(SPONSOR)
        else:
            # The lead assigns the KAM and the sponsor: not offered here, carried as they are so that a
            # save leaves them alone (a forged change is refused by the service).
            for name in ("kam", "sponsor"):
                self.fields[name].widget = forms.HiddenInput()
                form_field(self, name, forms.ModelChoiceField).queryset = User.objects.all()
        parents = Account.objects.active().only("pk", "name").order_by("name")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        form_field(self, "parent", forms.ModelChoiceField).queryset = parents
        self.fields["parent"].help_text = _("The group this account belongs to, if any.")
        form_field(self, "country", forms.CharField).widget.choices = list(countries)  # named in the reader's language

    def clean_name(self):
        return single_line(self.cleaned_data["name"])

    def clean_country(self):
        try:
            return parse_country(self.cleaned_data["country"])
        except ValueRefused as exc:
            raise forms.ValidationError(_("Choose a country from the list (its ISO 3166 code, e.g. ES).")) from exc

    def clean_customer_number(self):
        value = single_line(self.cleaned_data["customer_number"])
        if value and Account.objects.filter(customer_number=value).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another account already has this customer number."))
        return value

    def clean_tax_id(self):
        value = self.cleaned_data["tax_id"].strip().upper()
        # Said here so that the model's constraint check does not report it as a form-wide error; the
        # service checks again, and turns a save racing past both into this same field error.
        if value and Account.objects.filter(tax_id=value).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another account already has this tax id."))
        return value


class AccountCreateForm(AccountForm):
    relationship_stage = forms.ChoiceField(label=_("relationship stage"), choices=RelationshipStage.choices,
                                           initial=RelationshipStage.EXPLORATORY)


class StageChangeForm(BoundedModelForm):
    class Meta:
        model = RelationshipStageChange
        fields = ["to_stage", "changed_on", "note"]
        labels = {"to_stage": _("new stage")}
        widgets = {"changed_on": DateInput()}


class TeamMemberForm(BoundedModelForm):
    """A person joins the team."""

    user = UserChoiceField(queryset=User.objects.filter(is_active=True).order_by("first_name", "last_name"),
                           label=_("person"))

    class Meta:
        model = AccountTeamMember
        fields = ["user", "department", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "department", forms.ModelChoiceField).queryset = Department.objects.order_by("order")


class TeamMemberEditForm(VersionedForm):
    """A team member's department and role, edited from the version the editor saw."""

    class Meta:
        model = AccountTeamMember
        fields = ["department", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "department", forms.ModelChoiceField).queryset = Department.objects.order_by("order")


class ContactForm(VersionedForm):
    owner = UserChoiceField(queryset=User.objects.filter(is_active=True).order_by("first_name", "last_name"),
                            required=False, label=_("our relationship owner"))

    class Meta:
        model = Contact
        fields = ["name", "position", "email", "phone", "language", "reports_to", "influence", "attitude",
                  "decision_role", "owner", "last_contact_date", "notes"]
        widgets = {"last_contact_date": DateInput(),
                   "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        others = Contact.objects.filter(account=account, left_at__isnull=True).order_by("name")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        form_field(self, "reports_to", forms.ModelChoiceField).queryset = others

    def clean_name(self):
        return single_line(self.cleaned_data["name"])


class ContactGoneForm(BoundedForm):
    left_at = forms.DateField(label=_("left the company on"), initial=timezone.localdate,
                              widget=DateInput())
    successor = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False,
                                       label=_("successor (an existing contact)"))
    successor_name = forms.CharField(max_length=160, required=False, label=_("or the new person's name"))

    def __init__(self, *args, contact, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "successor", forms.ModelChoiceField).queryset = (
            Contact.objects.filter(account_id=contact.account_id, left_at__isnull=True)
            .exclude(pk=contact.pk).order_by("name"))

    def clean_successor_name(self):
        return single_line(self.cleaned_data["successor_name"])

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("successor") and data.get("successor_name", "").strip():
            raise forms.ValidationError(_("Choose an existing contact or type a new name, not both."))
        return data


class ContactEraseForm(BoundedForm):
    reason = forms.CharField(label=_("reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("E.g. \"the person asked for erasure on 2026-11-30\". Do not name them: "
                                         "the reason is kept in the erasure log."))
    confirm = forms.BooleanField(label=_("I understand that the erasure cannot be undone."))


class CriterionForm(VersionedForm):
    class Meta:
        model = SelectionCriterion
        fields = ["name", "description", "axis", "weight", "scale_max", "active", "order"]


class AssessmentForm(BoundedForm):
    """One score field (blank = not judged) and one note per active criterion."""

    assessed_on = forms.DateField(label=_("date"), initial=timezone.localdate,
                                  widget=DateInput())
    note = forms.CharField(label=_("overall note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            choices = [("", _("not judged"))] + [(str(i), str(i)) for i in range(1, c.scale_max + 1)]
            self.fields[f"score_{c.pk}"] = forms.TypedChoiceField(label=c.label, choices=choices, coerce=int,
                                                                  required=False, empty_value=None,
                                                                  help_text=c.description)
            self.fields[f"note_{c.pk}"] = forms.CharField(label=_("note"), max_length=300, required=False)

    def rows(self):
        for c in self.criteria:
            yield c, self[f"score_{c.pk}"], self[f"note_{c.pk}"]

    def scores(self) -> dict:
        return {c: (self.cleaned_data[f"score_{c.pk}"], self.cleaned_data.get(f"note_{c.pk}", ""))
                for c in self.criteria if self.cleaned_data.get(f"score_{c.pk}")}


class TierDecisionForm(BoundedForm):
    expected_tier = forms.CharField(widget=forms.HiddenInput)
    to_tier = forms.ChoiceField(label=_("new tier"), choices=Tier.choices)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Why, in terms of the selection criteria. Kept with the evidence."))
    kam = UserChoiceField(queryset=User.objects.none(), required=False, label=_("key account manager"),
                          help_text=_("Needed to promote to key account."))
    sponsor = UserChoiceField(queryset=User.objects.none(), required=False, label=_("executive sponsor"),
                              help_text=_("Needed to promote to key account."))
    cap_override = forms.BooleanField(label=_("admit beyond the programme's cap"), required=False)
    override_reason = forms.CharField(label=_("reason for exceeding the cap"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_tier"].initial = account.tier
        form_field(self, "to_tier", forms.ChoiceField).choices = [
            (v, label) for v, label in Tier.choices if v != account.tier]
        form_field(self, "kam", forms.ModelChoiceField).queryset = users_in(KAM)
        self.fields["kam"].initial = account.kam_id
        form_field(self, "sponsor", forms.ModelChoiceField).queryset = users_in(SPONSOR)
        self.fields["sponsor"].initial = account.sponsor_id


class FinancialRecordForm(BoundedForm):
    month = forms.DateField(label=_("month"), input_formats=["%Y-%m", "%Y-%m-%d"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
                            help_text=_("Year and month, e.g. 2026-03"))
    revenue = forms.DecimalField(label=_("revenue"), max_digits=14, decimal_places=2, min_value=0)
    cost_of_goods = forms.DecimalField(label=_("cost of goods"), max_digits=14, decimal_places=2, min_value=0)
    cost_to_serve = forms.DecimalField(label=_("cost to serve"), max_digits=14, decimal_places=2, min_value=0)

    def clean_month(self):
        return self.cleaned_data["month"].replace(day=1)


class ImportForm(BoundedForm):
    kind = forms.ChoiceField(label=_("what the file holds"), choices=ImportKind.choices)
    file = forms.FileField(label=_("CSV or Excel file"), help_text=_(
        "An Excel workbook (.xlsx, its first sheet) or a CSV in UTF-8 separated by semicolons or commas, with a "
        "header row."))
    decimal = forms.ChoiceField(label=_("decimal separator in the file"), initial=",", choices=[
        (",", _("comma: 1.234,56 (Spanish)")), (".", _("point: 1,234.56 (English)"))])
    dates = forms.ChoiceField(label=_("dates in the file"), initial="dmy", choices=[
        ("dmy", _("day/month/year: 31/12/2025")), ("mdy", _("month/day/year: 12/31/2025")),
        ("ymd", _("year-month-day: 2025-12-31"))])

    def __init__(self, *args, upload_refused: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # The upload was stopped as it arrived (kam.uploads): there is no file, and the reason is its size.
        self.upload_refused = upload_refused
        if upload_refused:
            self.fields["file"].required = False

    def clean_file(self):
        f = self.cleaned_data["file"]
        if self.upload_refused or f.size > settings.KAM_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)s MB; split it.") % {
                "mb": settings.KAM_UPLOAD_MAX_BYTES // (1024 * 1024)})
        return f


class AttachmentForm(BoundedForm):
    # The description comes before the file: a file stopped as it arrives (kam.uploads) loses the fields
    # sent after it.
    description = forms.CharField(label=_("description"), max_length=300, required=False)
    file = forms.FileField(label=_("file"))

    def __init__(self, *args, size_refused: bool = False, type_refusal: str = "", **kwargs):
        from .attachments.filetypes import ACCEPT, accepted_text

        super().__init__(*args, **kwargs)
        # Stopped as it arrived: there is no file, and the reason is known.
        self.refusal = ""
        if size_refused:
            self.refusal = str(_("The file is larger than %(mb)s MB.") % {
                "mb": settings.KAM_ATTACHMENT_MAX_BYTES // (1024 * 1024)})
        elif type_refusal:
            self.refusal = type_refusal
        file_field = self.fields["file"]
        file_field.widget.attrs["accept"] = ACCEPT
        file_field.help_text = _("Up to %(mb)s MB. Accepted: %(types)s.") % {
            "mb": settings.KAM_ATTACHMENT_MAX_BYTES // (1024 * 1024), "types": accepted_text()}
        if self.refusal:
            file_field.required = False

    def clean_file(self):
        if self.refusal:
            raise forms.ValidationError(self.refusal)
        return self.cleaned_data["file"]
