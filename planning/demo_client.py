"""Demo of the client's side: one agreed plan shared with a client contact, who opened it with a code
and worked on it — a commitment of theirs done, a value entry disputed, two change requests, one of them
answered by the KAM — so the plan page shows the client's activity and a thread to answer.

Idempotent: a plan that already has a link addressed to a contact is left alone."""

import datetime

from django.db import transaction
from django.utils import timezone

from . import selectors, services
from .models import AccountPlan, ClientSession, Party, PlanStatus, ShareLink, ShareSection

ORIGIN = services.Origin(ip="192.0.2.44", user_agent="Mozilla/5.0 (Macintosh) Safari/17.0")


def _plan():
    return (AccountPlan.objects.filter(status=PlanStatus.AGREED, needs_reagreement=False,
                                       account__contacts__email__gt="", value_entries__isnull=False,
                                       commitments__party=Party.CLIENT)
            .select_related("account__kam").order_by("pk").first())


def seed(ctx) -> None:
    if ShareLink.objects.filter(contact__isnull=False, client_actions__isnull=False).exists():
        ctx.log("  planning: the client's side already there")
        return
    plan = _plan()
    if plan is None or plan.account.kam is None:
        ctx.log("  planning: no agreed plan to share with a client contact")
        return
    contact = plan.account.contacts.exclude(email="").filter(left_at__isnull=True).order_by("pk").first()
    with transaction.atomic():
        link, _token = services.share_link_create(
            actor=plan.account.kam, plan=plan, contact=contact,
            hidden_sections=[ShareSection.CONOCIMIENTO, ShareSection.OPPORTUNITY_VALUES, ShareSection.SIGNOFFS])
        # The code step itself sends e-mail; the demo starts from a client who already passed it.
        session = ClientSession.objects.create(
            link=link, contact=contact, key_hash=selectors.session_key_hash(f"demo-{link.pk}"),
            expires_at=timezone.now() + datetime.timedelta(hours=selectors.CLIENT_SESSION_HOURS),
            ip=ORIGIN.ip, user_agent=ORIGIN.user_agent)
        theirs = plan.commitments.filter(party=Party.CLIENT).order_by("due_date", "pk")
        services.client_commitment_status(session=session, commitment=theirs[0], status="done",
                                          note="Entregado al equipo de planta", on_date=ctx.today, origin=ORIGIN)
        entry = plan.value_entries.order_by("-delivered_on", "pk").first()
        services.client_value_answer(session=session, entry=entry, confirmed=False, origin=ORIGIN,
                                     note="Nuestro control de gestión lo cifra en la mitad; revisémoslo juntos.")
        answered = services.client_request_change(
            session=session, commitment=theirs[len(theirs) - 1], origin=ORIGIN,
            body="Necesitamos un mes más: el cierre del trimestre coincide con la fecha.")
        services.client_thread_answer(actor=plan.account.kam, thread=answered,
                                      body="De acuerdo: lo movemos un mes en la próxima revisión del plan.")
        services.client_request_change(
            session=session, section="general", origin=ORIGIN,
            body="¿Podemos añadir una visita a la planta de Burgos antes del verano?")
    ctx.log(f"  planning: the client's side on the plan of {plan.account.name}")
