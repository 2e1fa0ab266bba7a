"""Reads of attached files: the object a URL names (if the person may see it), its files, one file."""

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import get_object_or_404

from ..models import Account
from .models import Attachment
from .registry import Attachable, entry_by_key, entry_for


def target_get_for_user(user, key: str, pk) -> tuple[Attachable, object]:
    """The registered object `key`/`pk` and its entry, if `user` may read its files; else 404."""
    entry = entry_by_key(key)
    obj = entry.get(pk)
    if not entry.readable(user, obj):
        raise Http404
    return entry, obj


def attachments_of(target) -> dict:
    """The target's files, newest first, and those removed (with who removed them), from one query."""
    if isinstance(target, Account):
        rows = Attachment.objects.filter(account=target, content_type__isnull=True)
    else:
        rows = Attachment.objects.filter(account=entry_for(target).account_of(target),
                                         content_type=ContentType.objects.get_for_model(type(target)),
                                         object_id=target.pk)
    found = list(rows.select_related("uploaded_by", "removed_by").order_by("-uploaded_at", "-pk"))
    return {"files": [a for a in found if not a.removed], "removed": [a for a in found if a.removed]}


def attachment_target(attachment: Attachment):
    return attachment.account if attachment.content_type_id is None else attachment.target


def attachment_get_for_user(user, pk) -> tuple[Attachable, object, Attachment]:
    """A file (not removed) whose object `user` may read, with its entry and object; else 404."""
    attachment = get_object_or_404(Attachment.objects.select_related("account"), pk=pk, removed_at__isnull=True)
    target = attachment_target(attachment)
    if target is None:
        raise Http404
    entry = entry_for(target)
    if not entry.readable(user, target):
        raise Http404
    return entry, target, attachment
