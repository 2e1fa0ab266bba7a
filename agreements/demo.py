"""Demo framework agreements on the key accounts: one expiring (its notice date passed: the nightly job
moves it and tells the KAM and the sponsor) that renewed last year's agreement, one renewing within 90
days but not yet at its notice date, one drafted from the demo negotiation, one signed to start next
month, some in force for long and one ended.

Idempotent: nothing is added once any agreement exists.
"""

import datetime
from decimal import Decimal

from django.db import transaction

from accounts.models import Account, Tier
from planning.models import Negotiation, Party

from . import formulas, services
from .models import AgreementStatus, AgreementTerm, FrameworkAgreement, TermKind

TERMS = [
    (TermKind.PRICE, "Escala de descuentos por volumen anual: 2 % desde 5.000 t", Decimal("2"), "%", Party.US),
    (TermKind.PRICE, "Revisión semestral de precios ligada al índice de energía", None, "", Party.US),
    (TermKind.PAYMENT, "Pago a 60 días fecha factura", Decimal("60"), "días", Party.CLIENT),
    (TermKind.SERVICE, "Entregas completas y a tiempo (OTIF)", Decimal("95"), "%", Party.US),
    (TermKind.VOLUME, "Volumen mínimo comprometido", Decimal("12000"), "t/año", Party.CLIENT),
]


def seed(ctx) -> None:
    if FrameworkAgreement.objects.exists():
        ctx.log("  agreements: already there")
        return
    accounts = list(Account.objects.filter(tier=Tier.KEY, archived_at__isnull=True, kam__isnull=False)
                    .select_related("kam", "sponsor").order_by("pk")[:40 if ctx.large else 6])
    if not accounts:
        ctx.log("  agreements: no key accounts")
        return
    # The account of the demo negotiation takes the place whose agreement grows out of it.
    negotiation = (Negotiation.objects.filter(account__in=accounts, agreements__isnull=False)
                   .order_by("pk").first())
    if negotiation is not None and len(accounts) > 1:
        accounts.remove(negotiation.account)
        accounts.insert(1, negotiation.account)
    with transaction.atomic():
        n = _seed(ctx, accounts)
        # The nightly job, as it would have run this morning: the first agreement reaches its notice date.
        services.agreement_renewal_alerts_send(today=ctx.today)
    ctx.log(f"  agreements: {n} framework agreements on {len(accounts)} key accounts")


def _agreement(account, title, start, end, status, *, notice_days=90, terms=TERMS, signed=True, **extra):
    agreement = FrameworkAgreement(
        account=account, title=title, scope="Suministro de bobinas y chapa a las plantas del grupo en España.",
        start_date=start, end_date=end, renewal_date=end, notice_days=notice_days,
        notice_date=formulas.notice_date(end, notice_days), status=status, created_by=account.kam,
        signed_on=start - datetime.timedelta(days=20) if signed else None, **extra)
    agreement._history_user = account.kam
    agreement.save()
    AgreementTerm.objects.bulk_create([AgreementTerm(agreement=agreement, kind=k, text=t, value=v, unit=u, party=p)
                                       for k, t, v, u, p in terms])
    return agreement


def _seed(ctx, accounts) -> int:
    today = ctx.today
    day = datetime.timedelta(days=1)
    made = 0
    for i, account in enumerate(accounts):
        pattern = i % 6
        if pattern == 0:
            # Renewal in 45 days with 60 days' notice: the nightly job moves it to expiring and tells the
            # KAM and the sponsor. It renewed last year's agreement.
            end = today + 45 * day
            current = _agreement(account, "Acuerdo marco de suministro", end - 364 * day, end,
                                 AgreementStatus.ACTIVE, notice_days=60)
            old_end = current.start_date - day
            _agreement(account, "Acuerdo marco de suministro", old_end - 364 * day, old_end,
                       AgreementStatus.RENEWED, successor=current)
            made += 2
        elif pattern == 1:
            negotiation = Negotiation.objects.filter(account=account, agreements__isnull=False).first()
            if negotiation is not None:
                services.agreement_draft_from_negotiation(actor=account.kam, negotiation=negotiation)
            else:
                _agreement(account, "Acuerdo marco de servicios técnicos", today + 30 * day,
                           formulas.default_end(today + 30 * day), AgreementStatus.NEGOTIATION, signed=False)
            made += 1
        elif pattern == 2:
            # Renewing within 90 days, notice date still ahead.
            end = today + 75 * day
            _agreement(account, "Acuerdo marco de mantenimiento", end - 729 * day, end, AgreementStatus.ACTIVE,
                       notice_days=30, terms=TERMS[2:])
            made += 1
        elif pattern == 3:
            start = (today.replace(day=1) + 32 * day).replace(day=1)
            _agreement(account, "Acuerdo marco de suministro 2027", start, formulas.default_end(start),
                       AgreementStatus.SIGNED, terms=TERMS[:3])
            made += 1
        elif pattern == 4:
            end = today + 250 * day
            _agreement(account, "Acuerdo marco plurianual", end - 1094 * day, end, AgreementStatus.ACTIVE)
            made += 1
        else:
            end = today - 120 * day
            _agreement(account, "Acuerdo de precios 2025", end - 364 * day, end, AgreementStatus.ENDED,
                       terms=TERMS[:1])
            made += 1
    return made
