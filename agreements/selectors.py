"""Reads on framework agreements, access-scoped. Dashboards and the account page read them through the
functions marked "contract"."""

import datetime

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Account
from accounts.selectors import account_get_for_user, commercial_visibility_q

from .models import EXPIRING_WINDOW_DAYS, LIVE_STATUSES, AgreementStatus, FrameworkAgreement, TermKind


def account_of(agreement: FrameworkAgreement) -> Account:
    """The account whose rules decide who reads and edits `agreement` (and what hangs from it)."""
    return agreement.account


def may_read(user, agreement: FrameworkAgreement) -> bool:
    return user.is_authenticated and user.has_perm("agreements.view_agreement", agreement.account)


def may_change(user, agreement: FrameworkAgreement) -> bool:
    return user.is_authenticated and user.has_perm("agreements.change_agreement", agreement.account)


def account_for_agreements(user, pk) -> Account:
    """The account, if `user` reads its agreements; 404 otherwise (not even whether it exists)."""
    account = account_get_for_user(user, pk)
    if not user.has_perm("agreements.view_agreement", account):
        raise Http404
    return account


def agreement_get_for_user(user, pk) -> FrameworkAgreement:
    """The agreement if `user` reads its account's commercial data, else 404."""
    agreement = get_object_or_404(
        FrameworkAgreement.objects.select_related("account__kam", "account__sponsor", "negotiation",
                                                  "successor", "created_by"), pk=pk)
    if not may_read(user, agreement):
        raise Http404
    return agreement


def with_lists(qs: QuerySet) -> QuerySet:
    return qs.select_related("account", "successor").annotate(term_count=Count("terms"))


def agreements_for_account(account) -> QuerySet[FrameworkAgreement]:
    return with_lists(FrameworkAgreement.objects.filter(account=account)).order_by(
        "-start_date", "-pk")


def agreements_visible_to(user) -> QuerySet[FrameworkAgreement]:
    """Every agreement whose account's commercial data `user` reads (the programme-wide list)."""
    qs = with_lists(FrameworkAgreement.objects.all())
    if not user.is_authenticated:
        return qs.none()
    q = commercial_visibility_q(user)
    return qs if q is None else qs.filter(account__in=Account.objects.filter(q))


def expiring(*, accounts_qs=None, within_days: int = EXPIRING_WINDOW_DAYS, today=None) -> QuerySet:
    """Contract: agreements still binding (signed, active or expiring) whose renewal date falls within
    `within_days` (or has passed without anyone renewing or ending them), soonest first."""
    today = today or timezone.localdate()
    qs = FrameworkAgreement.objects.filter(status__in=LIVE_STATUSES,
                                           renewal_date__lte=today + datetime.timedelta(days=within_days))
    if accounts_qs is not None:
        qs = qs.filter(account__in=accounts_qs)
    return qs.select_related("account").order_by("renewal_date", "pk")


def filter_list(qs: QuerySet, *, status: str = "", within_days: int | None = None, today=None) -> QuerySet:
    """The programme list's filters: a status, and "renewing within N days" (live agreements only)."""
    if status:
        qs = qs.filter(status=status)
    if within_days is not None:
        today = today or timezone.localdate()
        qs = qs.filter(status__in=LIVE_STATUSES, renewal_date__lte=today + datetime.timedelta(days=within_days))
    return qs


def notice_reached(today) -> QuerySet[FrameworkAgreement]:
    """Active agreements whose notice date has come: the nightly job moves them to expiring."""
    return (FrameworkAgreement.objects.filter(status=AgreementStatus.ACTIVE, notice_date__lte=today)
            .select_related("account__kam", "account__sponsor").order_by("pk"))


def starting(today) -> QuerySet[FrameworkAgreement]:
    """Signed agreements whose start date has come: the nightly job makes them active."""
    return (FrameworkAgreement.objects.filter(status=AgreementStatus.SIGNED, start_date__lte=today)
            .select_related("account").order_by("pk"))


# The order a KAM reads an agreement in: price first, what is left last.
TERM_ORDER = {kind: i for i, kind in enumerate(TermKind.values)}


def terms_of(agreement) -> list:
    """The agreement's terms grouped by kind in TERM_ORDER, each group in the order they were written."""
    terms = agreement.terms.select_related("commitment__plan", "negotiation_agreement__commitment")
    return sorted(terms, key=lambda t: (TERM_ORDER.get(t.kind, len(TERM_ORDER)), t.pk))


HISTORY_FIELDS = ("title", "scope", "start_date", "end_date", "renewal_date", "notice_days", "notice_date", "status",
                  "signed_on")


def agreement_history(agreement, limit: int = 30) -> list:
    """The agreement's own history records, newest first, with who made them and `changed_fields`, the
    names of the fields each one changed against the record before it (one query, one record more)."""
    chain = list(agreement.history.select_related("history_user").order_by("-history_date", "-history_id")
                 [:limit + 1])
    records = chain[:limit]
    for rec, prev in zip(records, chain[1:] + [None], strict=False):
        rec.changed_fields = ([str(rec._meta.get_field(c.field).verbose_name)
                               for c in rec.diff_against(prev, included_fields=list(HISTORY_FIELDS)).changes]
                              if prev is not None else [])
    return records


def predecessor_of(agreement) -> FrameworkAgreement | None:
    """The agreement this one renewed, if any."""
    return FrameworkAgreement.objects.filter(successor=agreement).only("pk", "title").first()


def live_from_negotiation(negotiation) -> QuerySet[FrameworkAgreement]:
    return FrameworkAgreement.objects.filter(negotiation=negotiation).exclude(status=AgreementStatus.ENDED)


def panel_agreements(account, *, limit: int = 6, today=None) -> list:
    """Contract (account page): the account's agreements not yet closed, those renewing soonest first."""
    qs = (FrameworkAgreement.objects.filter(account=account)
          .filter(Q(status__in=LIVE_STATUSES) | Q(status=AgreementStatus.NEGOTIATION))
          .order_by("renewal_date", "pk"))
    return list(qs[:limit])
