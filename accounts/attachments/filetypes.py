"""Which files may be attached, told by their content as well as their name.

A file is accepted when its extension is on the list below and its first bytes carry that type's
signature: an executable renamed `.pdf` is refused, and so is a PDF renamed `.docx`. Office's zip-based
formats are opened as zip archives and must hold their format's own parts ([Content_Types].xml and the
application's folder for Word, Excel and PowerPoint; the `mimetype` entry for OpenDocument). Text and
CSV have no signature: they must decode as UTF-8 (or Windows-1252, what Spanish spreadsheets export) and
hold no control characters. Formats that can carry scripts into a browser (HTML, SVG) or run code
(executables, macro-enabled Office files) are not on the list.

`head_refusal` is the upload handler's check while the file arrives (kam.uploads); `detect` is the
service's full check of the received file, whoever calls it.
"""

import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kam.errors import Invalid

HEAD_BYTES = 4096
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
# Control characters that plain text may not hold (it may hold tab, line feed, form feed, carriage return).
CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"


def _is_text(data: bytes) -> bool:
    if len(data.translate(None, CONTROLS)) != len(data):
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def _is_text_head(head: bytes) -> bool:
    # A multi-byte character may be cut at the head's end: the full check sees the whole file.
    return _is_text(head[:-3] if len(head) >= HEAD_BYTES else head)


@dataclass(frozen=True)
class FileType:
    extensions: tuple[str, ...]
    media_type: str
    label: Promise | str
    signature: Callable[[bytes], bool]
    # Zip-based formats: the folder an Office Open XML file keeps its content in, or "odf".
    container: str = ""


def _starts(*prefixes: bytes) -> Callable[[bytes], bool]:
    return lambda head: head.startswith(prefixes)


def _pdf(head: bytes) -> bool:
    # Readers accept the header anywhere in the first kilobyte.
    return b"%PDF-" in head[:1024]


def _webp(head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


OOXML = "application/vnd.openxmlformats-officedocument."
ODF = "application/vnd.oasis.opendocument."

TYPES = (
    FileType(("pdf",), "application/pdf", "PDF", _pdf),
    FileType(("doc",), "application/msword", "Word", _starts(OLE)),
    FileType(("docx",), OOXML + "wordprocessingml.document", "Word", _starts(ZIP), "word/"),
    FileType(("xls",), "application/vnd.ms-excel", "Excel", _starts(OLE)),
    FileType(("xlsx",), OOXML + "spreadsheetml.sheet", "Excel", _starts(ZIP), "xl/"),
    FileType(("ppt",), "application/vnd.ms-powerpoint", "PowerPoint", _starts(OLE)),
    FileType(("pptx",), OOXML + "presentationml.presentation", "PowerPoint", _starts(ZIP), "ppt/"),
    FileType(("odt",), ODF + "text", "OpenDocument", _starts(ZIP), "odf"),
    FileType(("ods",), ODF + "spreadsheet", "OpenDocument", _starts(ZIP), "odf"),
    FileType(("odp",), ODF + "presentation", "OpenDocument", _starts(ZIP), "odf"),
    FileType(("png",), "image/png", "PNG", _starts(b"\x89PNG\r\n\x1a\n")),
    FileType(("jpg", "jpeg"), "image/jpeg", "JPEG", _starts(b"\xff\xd8\xff")),
    FileType(("gif",), "image/gif", "GIF", _starts(b"GIF87a", b"GIF89a")),
    FileType(("webp",), "image/webp", "WebP", _webp),
    FileType(("csv",), "text/csv", "CSV", _is_text_head),
    FileType(("txt",), "text/plain", _("text"), _is_text_head),
)
BY_EXTENSION = {ext: t for t in TYPES for ext in t.extensions}
ACCEPT = ",".join(f".{ext}" for ext in BY_EXTENSION)  # the file input's `accept`


def accepted_text() -> str:
    labels: list[str] = []
    for t in TYPES:
        if str(t.label) not in labels:
            labels.append(str(t.label))
    return ", ".join(labels)


def extension(name: str) -> str:
    base = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base.strip(".") else ""


def _type_refusal(name: str) -> tuple[FileType | None, str]:
    ext = extension(name)
    file_type = BY_EXTENSION.get(ext)
    if file_type is not None:
        return file_type, ""
    if not ext:
        return None, gettext("The file name has no extension. Accepted: %(accepted)s.") % {
            "accepted": accepted_text()}
    return None, gettext("Files ending in “.%(ext)s” cannot be attached. Accepted: %(accepted)s.") % {
        "ext": ext[:20], "accepted": accepted_text()}


def _mismatch(name: str, file_type: FileType) -> str:
    return gettext("“%(name)s” is not a real %(kind)s file: its content does not match its extension, so it "
                   "was refused.") % {"name": name[-80:], "kind": file_type.label}


def head_refusal(name: str, head: bytes | None) -> str:
    """Why the file named `name` starting with `head` may not be attached ("" if it may so far).
    `head=None`: only the name is known yet."""
    file_type, reason = _type_refusal(name)
    if file_type is None or head is None:
        return reason
    if not head:
        return gettext("The file is empty.")
    return "" if file_type.signature(head) else _mismatch(name, file_type)


def _container_holds(file, file_type: FileType) -> bool:
    """Whether the zip archive is the Office format it claims (its directory only: nothing is unpacked
    but OpenDocument's few-byte `mimetype` entry)."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            if file_type.container == "odf":
                info = archive.getinfo("mimetype") if "mimetype" in names else None
                if info is None or info.file_size > 200:
                    return False
                return archive.read(info).decode("ascii", "replace").strip() == file_type.media_type
            return "[Content_Types].xml" in names and any(n.startswith(file_type.container) for n in names)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        return False


def _whole_text(file) -> bool:
    file.seek(0)
    return _is_text(file.read())


def detect(name: str, file) -> FileType:
    """The type of the uploaded `file` named `name`, or `Invalid` saying why it may not be attached."""
    file_type, reason = _type_refusal(name)
    if file_type is None:
        raise Invalid(reason, errors={"file": [reason]})
    file.seek(0)
    head = file.read(HEAD_BYTES)
    reason = head_refusal(name, head)
    if not reason:
        if file_type.container:
            ok = _container_holds(file, file_type)
        elif file_type.signature is _is_text_head:
            ok = _whole_text(file)
        else:
            ok = True
        reason = "" if ok else _mismatch(name, file_type)
    file.seek(0)
    if reason:
        raise Invalid(reason, errors={"file": [reason]})
    return file_type
