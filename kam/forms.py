"""Form pieces shared by every app."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .validators import FREE_TEXT_MAX_LENGTH, sane_date, visible_text

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


def bound_inputs(form) -> None:
    """Hold every field of `form` to the bounds of kam.validators: dates within the sane range, one-line
    texts without invisible formatting characters, free text (a textarea) to FREE_TEXT_MAX_LENGTH.
    Run when the form is cleaned, so that fields added in a subclass's __init__ are covered too."""
    for field in form.fields.values():
        if isinstance(field, (forms.DateField, forms.DateTimeField)):
            extra: list[Callable[[Any], None]] = [sane_date]
        elif isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea):
            extra = []
            if field.max_length is None or field.max_length > FREE_TEXT_MAX_LENGTH:
                field.max_length = FREE_TEXT_MAX_LENGTH
                extra.append(MaxLengthValidator(FREE_TEXT_MAX_LENGTH))
        elif isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
            extra = [visible_text]
        else:
            continue
        field.validators = [*field.validators, *(v for v in extra if v not in field.validators)]


class BoundedInputs:
    """Mixed into every form of the site (see bound_inputs)."""

    def full_clean(self):
        bound_inputs(self)
        super().full_clean()  # type: ignore[misc]  # a mixin: the form class comes after it


class BoundedForm(BoundedInputs, forms.Form):
    pass


class BoundedModelForm(BoundedInputs, forms.ModelForm):
    pass


class VersionedForm(BoundedModelForm):
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


class LanguageForm(BoundedForm):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES,
                                 help_text=_("The language of the pages and of the e-mails you receive."))
