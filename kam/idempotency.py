"""Creation forms act once. Each form carries a one-time token (`{% submit_once %}` next to
`{% csrf_token %}`); `@once_per_submit` on the view records the token in the same transaction as what
the view creates. A second POST of the same form waits for the first to commit (the token is unique),
then is answered with the first one's redirect: a double click or a retrying proxy never creates two.

A form re-shown with errors releases its token (the row is removed in the same transaction), so the
corrected form can be sent again. POSTs without a token (scripts, older pages) behave as before.
"""

import datetime
import uuid
from functools import wraps

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import SubmittedForm

FIELD = "_once"
# Tokens are kept this long: long enough for any retry, short enough to keep the table small.
KEEP_DAYS = 2


def new_token() -> str:
    return str(uuid.uuid4())


def _token(request) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except ValueError:
        return None


def once_per_submit(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        token = _token(request) if request.method == "POST" else None
        if token is None:
            return view(request, *args, **kwargs)
        user = request.user if request.user.is_authenticated else None
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = SubmittedForm.objects.create(token=token, user=user)
            except IntegrityError:
                return _replay(request, SubmittedForm.objects.filter(token=token).first())
            response = view(request, *args, **kwargs)
            if response.status_code in (301, 302, 303):
                record.location = response["Location"][:500]
                record.save(update_fields=["location"])
            elif not getattr(response, "acted", False):
                record.delete()
            return response

    return wrapped


def acted(response):
    """Mark a non-redirect answer (an htmx fragment) as the result of an action done, so that the
    token stays spent."""
    response.acted = True
    return response


def _replay(request, earlier):
    if getattr(request, "htmx", False):
        # The first answer already updated the page; nothing more to swap.
        return HttpResponse(status=204)
    messages.info(request, _("This form was already sent; it was acted on once."))
    return HttpResponseRedirect(earlier.location if earlier is not None and earlier.location else request.path)


def submitted_forms_prune() -> int:
    """Forget tokens older than KEEP_DAYS (run daily by beat)."""
    cutoff = timezone.now() - datetime.timedelta(days=KEEP_DAYS)
    return SubmittedForm.objects.filter(created_at__lt=cutoff).delete()[0]
