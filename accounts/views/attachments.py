"""Attached files: an object's list (an htmx part of its page, or a page of its own), upload, download,
removal. Files are only ever sent by `attachment_download`, after the access check."""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kam.access import signed_in
from kam.errors import Forbidden, Invalid, add_to_form
from kam.idempotency import once_per_submit
from kam.uploads import upload_limit, upload_refused, upload_type_refusal

from .. import services
from ..attachments import filetypes, selectors
from ..forms import AttachmentForm


def _max_bytes() -> int:
    from django.conf import settings

    return settings.KAM_ATTACHMENT_MAX_BYTES


def _context(request, entry, obj, form=None) -> dict:
    can_change = entry.changeable(request.user, obj)
    return {"entry": entry, "target": obj, "back": entry.url(obj), "can_change": can_change,
            "form": form or (AttachmentForm() if can_change else None),
            "list_url": reverse("accounts:attachments", args=[entry.key, obj.pk]),
            **selectors.attachments_of(obj)}


@upload_limit(_max_bytes, check=filetypes.head_refusal)
@signed_in
@once_per_submit
def attachments(request, key, pk):
    """GET: the object's files (the part its page loads, or a page of its own without htmx). POST: add one."""
    entry, obj = selectors.target_get_for_user(request.user, key, pk)
    form = None
    if request.method == "POST":
        if not entry.changeable(request.user, obj):
            raise Forbidden(_("You may not add or remove files here."))
        form = AttachmentForm(request.POST, request.FILES, size_refused=upload_refused(request),
                              type_refusal=upload_type_refusal(request))
        if form.is_valid():
            try:
                services.attachment_add(actor=request.user, target=obj, upload=form.cleaned_data["file"],
                                        description=form.cleaned_data["description"])
            except Invalid as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, _("File attached."))
                return redirect(entry.url(obj) + "#attachments")
    template = "accounts/attachments/_panel.html" if request.htmx else "accounts/attachments/page.html"
    return render(request, template, _context(request, entry, obj, form))


@signed_in
@require_GET
def attachment_download(request, pk):
    entry, obj, attachment = selectors.attachment_get_for_user(request.user, pk)
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.media_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Opened by mistake in the browser, it runs nothing and loads nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@signed_in
@require_POST
def attachment_remove(request, pk):
    entry, obj, attachment = selectors.attachment_get_for_user(request.user, pk)
    try:
        services.attachment_remove(actor=request.user, attachment=attachment)
    except Invalid as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("File removed; the list keeps who removed it and when."))
    return redirect(entry.url(obj) + "#attachments")
