"""The plan as a PDF for the client: what its share link shows (the same `selectors.share_document`, so a
section hidden on the link is hidden here by the same rule), in the supplier's name, logo and colour,
with page numbers and a signature block for both parties."""

import base64
import logging

from django.template.loader import render_to_string
from django.utils import timezone, translation

from kam.models import ProgrammeSettings

from . import selectors
from .models import ShareLink

log = logging.getLogger(__name__)

LOGO_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def _logo_data_uri(programme: ProgrammeSettings) -> str:
    """The logo inlined (the attachments storage gives files no address); "" without a readable one."""
    if not programme.supplier_logo:
        return ""
    try:
        with programme.supplier_logo.open("rb") as f:
            data = f.read()
    except OSError:
        log.warning("supplier logo %s could not be read", programme.supplier_logo.name)
        return ""
    kind = next((t for sig, t in LOGO_TYPES.items() if data.startswith(sig)), None)
    return f"data:{kind};base64,{base64.b64encode(data).decode()}" if kind else ""


def _no_fetch(url: str, *args, **kwargs):
    """The renderer reads nothing but the inlined logo: no address in a plan's text reaches the network."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher  # type: ignore[import-untyped]

        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError("external resources are not fetched")


def branding() -> dict:
    programme = ProgrammeSettings.current()
    return {"supplier_name": programme.supplier_name, "supplier_colour": programme.supplier_colour,
            "logo": _logo_data_uri(programme)}


def client_plan_pdf(link: ShareLink) -> bytes:
    """The PDF of the plan as `link` shows it to the client: in the language of the link's contact when
    they have one, else the reader's."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    context = {**selectors.share_document(link), **branding(), "now": timezone.now(), "share": True,
               "pdf": True}
    language = (link.contact.language if link.contact else "") or translation.get_language()
    with translation.override(language):
        html = render_to_string("planning/client_pdf.html", context)
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()


def client_pdf_filename(link: ShareLink) -> str:
    from django.utils.text import slugify

    plan = link.plan
    return f"{slugify(plan.account.name)[:60] or 'plan'}-{slugify(plan.period_label)[:40]}.pdf"
