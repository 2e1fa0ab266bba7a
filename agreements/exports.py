"""The programme list of framework agreements as a download (`kam.exports`): one row per agreement, a
fixed number of queries whatever the number of rows."""

from collections.abc import Iterator

from django.utils.translation import gettext as _

from kam.exports import ROW_CHUNK, Sheet, choice_labels, require_within_bound
from kam.people import person_label

from .models import AgreementStatus


def _rows(qs, statuses: dict) -> Iterator[list]:
    for a in qs.select_related("account__kam").iterator(chunk_size=ROW_CHUNK):
        yield [a.account.name, person_label(a.account.kam), a.title, statuses.get(a.status, a.status),
               a.start_date, a.end_date, a.renewal_date, a.notice_days, a.notice_date, a.signed_on]


def agreement_sheets(qs, fmt: str) -> list[Sheet]:
    require_within_bound(qs, fmt)
    return [Sheet(_("Framework agreements"), [
        _("Account"), _("KAM"), _("Title"), _("Status"), _("Start date"), _("End date"), _("Renewal date"),
        _("Notice period (days)"), _("Notice date"), _("Signed on"),
    ], _rows(qs, choice_labels(AgreementStatus.choices)))]
