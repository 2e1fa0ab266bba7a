"""Uploads bigger than their limit are stopped while they arrive, before any of the file is kept in
memory or written to disk: the form then says the file is too large.

`LimitedUploadHandler` comes first in FILE_UPLOAD_HANDLERS. A request that announces more than the limit
is stopped at its first file (the fields before it, such as the CSRF token, are read); one that does not
say its size, or says less than it sends, is stopped when the bytes received pass the limit. Django
then reads and discards the rest of the body.

The limit is KAM_UPLOAD_MAX_BYTES (the imports) unless the view is wrapped in `upload_limit`, which
sets its own limit and, optionally, a check of each file's name and first bytes: a file refused by the
check is stopped in the same way, before more than its first bytes have arrived.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.views.decorators.csrf import csrf_exempt, csrf_protect

# Room for the form's other fields and the multipart framing around the file.
_FRAMING = 64 * 1024
# How much of a file the check sees: enough for every signature it looks for.
HEAD_BYTES = 4096

# `check(file_name, head)` returns the reason to refuse the file, or "" to accept it. It is asked with
# `head=None` as the file starts (its name alone) and again with its first HEAD_BYTES (fewer if the
# file is shorter).
UploadCheck = Callable[[str, bytes | None], str]


class LimitedUploadHandler(FileUploadHandler):
    def _max_bytes(self) -> int:
        return getattr(self.request, "upload_max_bytes", None) or settings.KAM_UPLOAD_MAX_BYTES

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.announced_too_large = content_length > self._max_bytes() + _FRAMING

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.announced_too_large:
            self._refuse()
        self._head = b""
        self._head_checked = False
        self._check(None)

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self._max_bytes():
            self._refuse()
        if not self._head_checked and self._checker() is not None:
            self._head += raw_data[:HEAD_BYTES - len(self._head)]
            if len(self._head) >= HEAD_BYTES:
                self._check(self._head)
        return raw_data

    def file_complete(self, file_size):
        if not self._head_checked:
            self._check(self._head)
        return None

    def _checker(self) -> UploadCheck | None:
        return getattr(self.request, "upload_check", None)

    def _check(self, head: bytes | None) -> None:
        check = self._checker()
        if check is None:
            self._head_checked = True
            return
        if head is not None:
            self._head_checked = True
        reason = check(self.file_name or "", head)
        if reason:
            self.request.upload_type_refusal = reason  # type: ignore[union-attr]
            raise StopUpload(connection_reset=False)

    def _refuse(self):
        # Read by upload_refused(): the view tells "too large" from "no file" after the handler stopped.
        self.request.upload_refused = True  # type: ignore[union-attr]
        raise StopUpload(connection_reset=False)


def upload_refused(request) -> bool:
    """Whether this request's file was stopped for being larger than the limit."""
    return getattr(request, "upload_refused", False)


def upload_type_refusal(request) -> str:
    """Why this request's file was stopped by the view's check ("" when it was not)."""
    return getattr(request, "upload_type_refusal", "")


def upload_limit(max_bytes: Callable[[], int], check: UploadCheck | None = None):
    """Give the view's uploads their own limit (`max_bytes()`, read per request so settings changes
    apply) and `check`. The request's body is parsed by CSRF protection, so the limit must be set before
    it: the view is exempted from the middleware's check and protected again inside, after the limit is
    set (Django's documented way to change upload handling per view). Put it outermost, above the access
    decorator (whose mark it keeps): the token is then checked before anything else, as the middleware
    does for every other view, and before anything that reads request.POST (such as `once_per_submit`)."""

    def decorator(view):
        protected = csrf_protect(view)

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            request.upload_max_bytes = max_bytes()
            request.upload_check = check
            return protected(request, *args, **kwargs)

        return csrf_exempt(wrapped)

    return decorator


# An image a page or document shows (the supplier's logo): small, and only the kinds every renderer reads.
IMAGE_MAX_BYTES = 1024 * 1024
_IMAGE_SIGNATURES = {".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",)}


def image_head_refusal(name: str, head: bytes | None) -> str:
    """`UploadCheck` for an image: a PNG or JPEG by its name and its first bytes."""
    from django.utils.translation import gettext

    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in _IMAGE_SIGNATURES:
        return gettext("Choose a PNG or JPEG image.")
    if head is None:
        return ""
    if not any(head.startswith(sig) for sig in _IMAGE_SIGNATURES[ext]):
        return gettext("This file is not a real PNG or JPEG image.")
    return ""
