from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kam.forms import BoundedForm, BoundedModelForm, DateInput, VersionedForm, form_field
from kam.validators import not_in_future

from . import selectors
from .models import SCORE_MAX, SCORE_MIN, Course, RosterSettings

SCORE_CHOICES = [(i, str(i)) for i in range(SCORE_MIN, SCORE_MAX + 1)]


class SkillAssessmentForm(BoundedForm):
    """One score per competence in use (fields `score_<pk>`), the date and a note."""

    assessed_on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate,
                                  validators=[not_in_future])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("What to keep doing, what to work on next."))

    def __init__(self, *args, competences=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.competences = list(competences if competences is not None else selectors.competences())
        scores = {
            f"score_{c.pk}": forms.TypedChoiceField(
                label=str(c), coerce=int, choices=SCORE_CHOICES,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                help_text=_("1 = just starting, 5 = could teach it"))
            for c in self.competences}
        self.fields = {**scores, **self.fields}

    def score_fields(self):
        return [self[f"score_{c.pk}"] for c in self.competences]

    def other_fields(self):
        return [self["assessed_on"], self["note"]]

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"score_{c.pk}"] for c in self.competences}


class CourseForm(BoundedModelForm):
    link = forms.URLField(label=_("Link"), max_length=300, required=False, assume_scheme="https")

    class Meta:
        model = Course
        fields = ["title", "competence", "provider", "link", "due_date"]
        widgets = {"due_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "competence", forms.ModelChoiceField).queryset = selectors.competences()


class CourseDoneForm(VersionedForm):
    class Meta:
        model = Course
        fields = ["completed_on"]
        widgets = {"completed_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["completed_on"]
        field.required = True
        field.validators.append(not_in_future)
        if not self.initial.get("completed_on"):
            self.initial["completed_on"] = timezone.localdate()


class RosterSettingsForm(VersionedForm):
    class Meta:
        model = RosterSettings
        fields = ["max_key_accounts", "max_accounts", "reminder_days"]


class CompetenceForm(BoundedForm):
    name = forms.CharField(label=_("Name"), max_length=80)
