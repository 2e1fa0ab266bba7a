"""Opening a share link as its client: ask for the code, read it from the mail outbox, enter it. The
browser then holds the link's client session (a cookie scoped to the link's path)."""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse


def share_url(token: str) -> str:
    return reverse("planning:share", args=[token])


def last_code(email: str) -> str:
    message = next(m for m in reversed(mail.outbox) if email in m.to)
    return re.search(r"\b(\d{6})\b", message.subject).group(1)


def verified_client(link, token, *, addr: str = "127.0.0.1", **headers) -> Client:
    """A fresh browser that proved it is the link's contact."""
    client = Client(REMOTE_ADDR=addr, **headers)
    url = share_url(token)
    client.post(url, {"action": "send_code"})
    response = client.post(url, {"action": "verify", "code-code": last_code(link.email)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client
