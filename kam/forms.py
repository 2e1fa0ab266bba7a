"""Form pieces shared by every app."""

from typing import TypeVar

from django import forms

# Every <input type="date"> takes ISO dates whatever the language: a localised value ("30/11/2026")
# is not a valid value for it, and the browser would show the field empty and post it back blank.
DATE_FORMAT = "%Y-%m-%d"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=format or DATE_FORMAT)


# An <input type="datetime-local"> takes this one form (seconds are optional and never shown).
DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs=attrs, format=format or DATETIME_LOCAL_FORMAT)


class VersionedForm(forms.ModelForm):
    """Carries the version the user started from (kam.versioning): the service refuses a save made
    from an older one and says what changed."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["version"].initial = self.instance.version


FieldT = TypeVar("FieldT", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[FieldT]) -> FieldT:
    """The form's field `name` as the kind of field it is, to set what only that kind has (a queryset,
    choices, a bound). A field of another kind is a programming error, caught here rather than ignored."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field
