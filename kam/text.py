"""Cleaning of short, one-line texts that end up in headers, subjects and labels."""

import re
import unicodedata

_SPACES = re.compile(r" {2,}")


def single_line(value: str) -> str:
    """`value` on one line: control characters (line breaks, tabs, NUL, ESC...) and the Unicode line and
    paragraph separators become spaces, runs of spaces collapse, and the ends are trimmed.

    A name is shown in e-mail subjects, CSV exports and page titles; a line break in it makes Django
    refuse the e-mail header (which stalled the e-mail sweep) and breaks layouts elsewhere."""
    if not value:
        return value or ""
    if value.isprintable():  # no control character or separator (the common case, checked in C)
        return _SPACES.sub(" ", value).strip()
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in value)
    return _SPACES.sub(" ", cleaned).strip()
