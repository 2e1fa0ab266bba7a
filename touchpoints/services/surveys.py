"""The client survey: invitations by link (made by the KAM or by the schedule), the client's answer, and
the alert when the answer says the relationship is in trouble."""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import ActivityKind, Contact
from accounts.selectors import contact_language
from accounts.services import activity_record, permission_require
from kam.errors import Invalid, clean
from kam.models import ProgrammeSettings
from kam.services import notification_send
from kam.tokens import token_new

from .. import formulas, selectors
from .. import messages as msg
from ..models import ClientFeedback, PartnershipRating, SurveyLink, SurveyResponse

# How long an invitation stays open: long enough for a busy client to get to it, short enough that an
# answer still speaks of the quarter it was asked in.
SURVEY_LINK_DAYS = 30
QUESTIONS = ("satisfaction", "recommend", "understands", "delivers", "easy")
SCALES = {"satisfaction": (0, 10), "recommend": (0, 10), "understands": (1, 5), "delivers": (1, 5), "easy": (1, 5)}


def survey_url(token: str) -> str:
    return f"{settings.KAM_SITE_URL.rstrip('/')}{reverse('touchpoints:survey', args=[token])}"


def _require_contact(contact: Contact) -> None:
    if contact.erased_at is not None or contact.left_at is not None:
        raise Invalid(errors={"contact": [_("This person is no longer at the client.")]})


def _issue(contact: Contact, *, created_by, now: datetime.datetime) -> tuple[SurveyLink, str]:
    """The contact's one open invitation with a new token: the open one if there is one (a contact never
    holds two, so one person answers once per round), else a new one. Only the token's hash is stored,
    so handing out the link again means a new token; the previous address stops working."""
    token, hashed = token_new()
    link = (SurveyLink.objects.select_for_update().filter(contact=contact, revoked_at__isnull=True,
                                                          answered_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at", "-pk").first())
    if link is None:
        link = SurveyLink.objects.create(account_id=contact.account_id, contact=contact,
                                         token_hash=hashed,
                                         language=contact_language(contact), created_by=created_by, created_at=now,
                                         expires_at=now + datetime.timedelta(days=SURVEY_LINK_DAYS))
    else:
        link.token_hash = hashed
        link.save(update_fields=["token_hash"])
    return link, token


@transaction.atomic
def survey_link_for(*, actor, contact: Contact) -> tuple[SurveyLink, str]:
    """The contact's survey link and its token (creating the invitation or reusing the open one), for a
    page that hands it to the client in person, such as the plan's share page for a verified client."""
    permission_require(actor=actor, perm="touchpoints.send_survey", obj=contact.account)
    _require_contact(contact)
    return _issue(contact, created_by=actor, now=timezone.now())


def _send(link: SurveyLink, token: str, contact: Contact) -> None:
    if not contact.email:
        raise Invalid(errors={"contact": [_("This contact has no e-mail address.")]})
    programme = ProgrammeSettings.current()
    with translation.override(link.language):
        context = {"contact": contact, "url": survey_url(token), "expires_at": link.expires_at,
                   "supplier": programme.supplier_name}
        supplier = programme.supplier_name or _("Your supplier")
        subject = _("%(supplier)s would like your opinion") % {"supplier": supplier}
        body = render_to_string("touchpoints/survey_email.txt", context)
    send_mail(subject, body, None, [contact.email])
    link.sent_at = timezone.now()
    link.save(update_fields=["sent_at"])
    activity_record(account=contact.account, kind=ActivityKind.FEEDBACK, subkind="survey_sent", actor=link.created_by,
                    message=msg.SURVEY_SENT, params={"who": contact.name},
                    link=reverse("touchpoints:feedback_list", args=[contact.account_id]))


@transaction.atomic
def survey_send(*, actor, contact: Contact) -> SurveyLink:
    """The KAM sends the survey to one contact now, in the contact's language. A mail server that
    refuses it undoes the invitation (the error reaches the page)."""
    contact = Contact.objects.select_for_update().select_related("account").get(pk=contact.pk)
    permission_require(actor=actor, perm="touchpoints.send_survey", obj=contact.account)
    _require_contact(contact)
    link, token = _issue(contact, created_by=actor, now=timezone.now())
    _send(link, token, contact)
    return link


def surveys_send_due(*, now: datetime.datetime | None = None) -> int:
    """The schedule's round: every contact of a key account not asked within the programme's cadence gets
    the survey. Each contact in its own transaction, so one refused address does not hold up the rest;
    running it twice sends nothing more (the invitation made now counts for the cadence)."""
    now = now or timezone.now()
    cadence = ProgrammeSettings.current().survey_cadence_days
    sent = 0
    for pk in list(selectors.survey_due_contacts(now=now, cadence_days=cadence).values_list("pk", flat=True)):
        with transaction.atomic():
            contact = (selectors.survey_due_contacts(now=now, cadence_days=cadence).select_for_update(of=("self",))
                       .filter(pk=pk).first())
            if contact is None:
                continue
            link, token = _issue(contact, created_by=None, now=now)
            _send(link, token, contact)
            sent += 1
    return sent


@transaction.atomic
def survey_link_revoke(*, actor, link: SurveyLink) -> SurveyLink:
    link = SurveyLink.objects.select_for_update(of=("self",)).select_related("account").get(pk=link.pk)
    permission_require(actor=actor, perm="touchpoints.send_survey", obj=link.account)
    if link.revoked_at is None and link.answered_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = actor
        link.save(update_fields=["revoked_at", "revoked_by"])
    return link


def _scores(data: dict) -> dict[str, int]:
    errors: dict[str | None, list[str]] = {}
    scores: dict[str, int] = {}
    for name in QUESTIONS:
        low, high = SCALES[name]
        try:
            value = int(data.get(name))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            value = None
        if value is None or not low <= value <= high:
            errors[name] = [_("Choose a value from %(low)d to %(high)d.") % {"low": low, "high": high}]
        else:
            scores[name] = value
    if errors:
        raise Invalid(_("Please answer every question."), errors=errors)
    return scores


@transaction.atomic
def survey_answer(*, link: SurveyLink, data: dict) -> SurveyResponse:
    """The client's answer through their link (the link is the credential): recorded once, as the survey
    response and as the client's feedback, then the alert if the score or the gap calls for one."""
    link = SurveyLink.objects.select_for_update(of=("self",)).select_related("contact", "account").get(pk=link.pk)
    if not link.is_open():
        raise Invalid(_("This survey has already been answered or is no longer open."))
    scores = _scores(data)
    comment = (data.get("comment") or "").strip()
    now = timezone.now()
    feedback = ClientFeedback(account=link.account, contact=link.contact, score=scores["satisfaction"],
                              comment=comment, received_on=timezone.localdate(now), recorded_by=None)
    clean(feedback, exclude=["contact", "recorded_by"])
    feedback.save()
    response = SurveyResponse(link=link, feedback=feedback, comment=comment, answered_at=now, **scores)
    clean(response, exclude=["link", "feedback"])
    response.save()
    link.answered_at = now
    link.save(update_fields=["answered_at"])
    activity_record(account=link.account, kind=ActivityKind.FEEDBACK, subkind="survey", actor=None,
                    message=msg.SURVEY_ANSWERED,
                    params={"who": link.contact.name, "score": scores["satisfaction"], "nps": scores["recommend"]},
                    link=reverse("touchpoints:feedback_list", args=[link.account_id]))
    _alert(response, link)
    return response


def _alert(response: SurveyResponse, link: SurveyLink) -> None:
    programme = ProgrammeSettings.current()
    ours = (PartnershipRating.objects.filter(account=link.account).order_by("-rated_on", "-pk")
            .values_list("score", flat=True).first())
    gap = formulas.mutuality_gap(response.satisfaction, ours)
    reasons = formulas.survey_alert_reasons(response.satisfaction, gap, score_below=programme.survey_score_alert_below,
                                            gap_above=programme.survey_gap_alert_above)
    if not reasons:
        return
    message = (msg.NOTICE_SURVEY_LOW_GAP if len(reasons) == 2
               else msg.NOTICE_SURVEY_LOW if reasons == ["score"] else msg.NOTICE_SURVEY_GAP)
    account = link.account
    notification_send(
        recipients=[account.kam, account.sponsor], event_key=f"survey-alert:{response.pk}", message=message,
        params={"account": account, "who": link.contact.name, "score": response.satisfaction,
                "floor": programme.survey_score_alert_below, "ours": ours,
                "gap": "" if gap is None else f"{gap:+}", "limit": programme.survey_gap_alert_above},
        link=reverse("accounts:detail", args=[account.pk]))
