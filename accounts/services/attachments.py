"""Adding and removing attached files (accounts/attachments): who may, which files, and where they go."""

import datetime
import hashlib
import re
import unicodedata

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from kam.errors import Forbidden, Invalid

from ..attachments import entry_for
from ..attachments.filetypes import detect
from ..attachments.models import Attachment
from ..models import Account

MAX_NAME = 150
# Characters no file system or header should be handed: path separators, quotes, wildcards.
UNSAFE = re.compile(r'[\\/:*?"<>|;%]+')
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def safe_filename(name: str) -> str:
    """The person's file name as it may be shown and sent back in a download: its last path part, without
    control or direction-changing characters (which can make "gpj.exe" read "exe.jpg"), path separators or
    quotes, at most MAX_NAME characters with its extension kept."""
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(" " if unicodedata.category(c) in ("Zs", "Zl", "Zp") else c for c in name
                   if not unicodedata.category(c).startswith("C"))
    name = UNSAFE.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if stem.lower() in WINDOWS_RESERVED:
        stem = f"_{stem}"
    ext = ext[:10]
    stem = stem[:MAX_NAME - len(ext) - 1].strip(" .") or "archivo"
    return f"{stem}.{ext}" if ext else stem


def _target_parts(target):
    """(account, content type, object id) of what a file is attached to."""
    from django.contrib.contenttypes.models import ContentType

    if isinstance(target, Account):
        return target, None, None
    entry = entry_for(target)
    return entry.account_of(target), ContentType.objects.get_for_model(type(target)), target.pk


def _require_change(actor, target) -> None:
    entry = entry_for(target)
    if actor is None or not entry.changeable(actor, target):
        raise Forbidden(gettext("You may not add or remove files here."))


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def attachment_add(*, actor, target, upload, description: str = "") -> Attachment:
    """Attach `upload` (an uploaded file) to `target` (an account or a registered object): the actor must
    be allowed to change the target's files; the file must be within KAM_ATTACHMENT_MAX_BYTES and of an
    accepted type by its content (accounts/attachments/filetypes.py)."""
    _require_change(actor, target)
    name = safe_filename(getattr(upload, "name", "") or "")
    limit = settings.KAM_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        message = gettext("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
        raise Invalid(message, errors={"file": [message]})
    file_type = detect(name, upload)
    account, content_type, object_id = _target_parts(target)
    description = " ".join((description or "").split())[:300]
    attachment = Attachment(account=account, content_type=content_type, object_id=object_id, original_name=name,
                            size=upload.size, media_type=file_type.media_type, sha256=_sha256(upload),
                            description=description, uploaded_by=actor)
    attachment._history_user = actor
    attachment.file.save(name, upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


@transaction.atomic
def attachment_remove(*, actor, attachment: Attachment) -> Attachment:
    """Remove a file: the row stays, with who removed it and when (and its history); the stored bytes are
    deleted once the removal has committed."""
    row = Attachment.objects.select_for_update(of=("self",)).select_related("account").get(pk=attachment.pk)
    target = row.account if row.content_type_id is None else row.target
    if target is None:
        raise Forbidden(gettext("You may not add or remove files here."))
    _require_change(actor, target)
    if row.removed:
        raise Invalid(gettext("This file was already removed."))
    stored, storage = row.file.name, row.file.storage
    row.removed_at = timezone.now()
    row.removed_by = actor
    row.file = ""
    row._history_user = actor
    row.save(update_fields=["removed_at", "removed_by", "file"])
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))
    return row


def attachment_orphans_sweep(*, older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
    """Delete stored files that no attachment names: written by an upload whose transaction then rolled
    back (the bytes are stored before the row commits). Only files older than `older_than`, so an upload
    still in progress keeps its file. Returns how many were deleted. Beat runs it nightly."""
    storage = Attachment._meta.get_field("file").storage
    known = set(Attachment.objects.exclude(file="").values_list("file", flat=True))
    cutoff = timezone.now() - older_than
    try:
        folders, _files = storage.listdir("")
    except FileNotFoundError:
        return 0
    deleted = 0
    for folder in folders:
        for name in storage.listdir(folder)[1]:
            path = f"{folder}/{name}"
            if path not in known and storage.get_modified_time(path) < cutoff:
                storage.delete(path)
                deleted += 1
    return deleted
