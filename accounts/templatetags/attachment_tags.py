"""`{% attachments_panel obj %}`: an attachable object's files on its page (accounts/attachments)."""

from django import template
from django.urls import reverse

from ..attachments import entry_for

register = template.Library()


@register.inclusion_tag("accounts/attachments/_loader.html", takes_context=True)
def attachments_panel(context, obj):
    """The place where `obj`'s files load (nothing for who may not read them)."""
    entry = entry_for(obj)
    if not entry.readable(context["request"].user, obj):
        return {"url": None}
    return {"url": reverse("accounts:attachments", args=[entry.key, obj.pk])}
