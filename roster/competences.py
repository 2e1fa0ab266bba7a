"""The competences the method asks of a key account manager: reading the client's numbers (financial),
solving the client's problems with them (consultative), planning the account, building relationships
(interpersonal) and moving people inside both organisations (influence).

Names are stored in English and shown through the catalogue (`gettext`), so the standard ones read in
the person's language and those the programme lead types stay as typed. The data migration creates them
on a new database, and `restore_standard_competences` again after a flush when none is left."""

from django.utils.translation import gettext_noop

# (code, name, order)
STANDARD_COMPETENCES = (
    ("financial", gettext_noop("Financial"), 1),
    ("consultative", gettext_noop("Consultative"), 2),
    ("planning", gettext_noop("Planning"), 3),
    ("interpersonal", gettext_noop("Interpersonal"), 4),
    ("influence", gettext_noop("Influence"), 5),
)


def create_standard_competences(model) -> None:
    for code, name, order in STANDARD_COMPETENCES:
        model.objects.get_or_create(code=code, defaults={"name": name, "order": order})


def restore_standard_competences(sender, using="default", **kwargs):
    """post_migrate: a database left with no competence at all (flushed) gets the standard ones back."""
    from .models import Competence

    if not Competence.objects.using(using).exists():
        create_standard_competences(Competence)
