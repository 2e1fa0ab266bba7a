"""What django-simple-history reads off an instance when it saves it: who made the change and why.

Services set both before saving, so each history row names its author. Declaring them here lets the
type checker hold every service to the right kind of value."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Attributed:
    """Mixed into each model whose services name the author of a change (its history rows show them)."""

    _history_user: "User | None"
    _change_reason: str
