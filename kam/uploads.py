"""Uploads bigger than KAM_UPLOAD_MAX_BYTES are stopped while they arrive, before any of the file is
kept in memory or written to disk: the form then says the file is too large.

`LimitedUploadHandler` comes first in FILE_UPLOAD_HANDLERS. A request that announces more than the limit
is stopped at its first file (the fields before it, such as the CSRF token, are read); one that does not
say its size, or says less than it sends, is stopped when the bytes received pass the limit. Django
then reads and discards the rest of the body.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

# Room for the form's other fields and the multipart framing around the file.
_FRAMING = 64 * 1024


class LimitedUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.announced_too_large = content_length > settings.KAM_UPLOAD_MAX_BYTES + _FRAMING

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.announced_too_large:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.KAM_UPLOAD_MAX_BYTES:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None

    def _refuse(self):
        # Read by upload_refused(): the view tells "too large" from "no file" after the handler stopped.
        self.request.upload_refused = True  # type: ignore[union-attr]
        raise StopUpload(connection_reset=False)


def upload_refused(request) -> bool:
    """Whether this request's file was stopped for being larger than the limit."""
    return getattr(request, "upload_refused", False)
