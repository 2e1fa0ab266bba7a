from django import template

register = template.Library()


@register.filter
def person(user, empty="—"):
    """A person's full name, else username; `empty` when there is nobody (rows whose owner left)."""
    if not user:
        return empty
    return user.get_full_name() or user.username
