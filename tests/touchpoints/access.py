from tests.access import NOT_ALLOWED, NOT_FOUND, OK, POST_PERSONAS, REDIRECT, Case, expect, may_post, only

VISIBLE = dict(outsider=NOT_FOUND)  # the account is a key account: everyone but the outsider sees it


def build(world):
    import datetime

    from tests.touchpoints.factories import IncidentFactory, TouchpointFactory

    world.incident = IncidentFactory(account=world.account)
    from tests.factories import ContactFactory
    from touchpoints import services

    world.survey_contact = ContactFactory(account=world.account)  # no language: its page follows the browser
    world.survey_link, world.survey_token = services.survey_link_for(actor=world.kam, contact=world.survey_contact)
    # A follow-up the finance teammate owns, logged by the account's KAM.
    world.follow_up = TouchpointFactory(account=world.account, created_by=world.kam, follow_up=True,
                                        follow_up_note="Enviar el extracto de facturas",
                                        follow_up_owner=world.teammate,
                                        follow_up_due=datetime.date.today() + datetime.timedelta(days=2))


CASES = {
    "touchpoints:touchpoint_new": Case(expect(OK)),  # without an account: the account picker
    "touchpoints:account_search": Case(expect(OK), query="?q=Aceros"),
    "touchpoints:timeline": Case(expect(OK, **VISIBLE), kwargs=lambda w: {"pk": w.account.pk}),
    "touchpoints:touchpoints_export": Case(expect(OK, **VISIBLE), kwargs=lambda w: {"pk": w.account.pk}),
    "touchpoints:touchpoints_export_xlsx": Case(expect(OK, **VISIBLE), kwargs=lambda w: {"pk": w.account.pk}),
    "touchpoints:feedback_list": Case(expect(OK, **VISIBLE), kwargs=lambda w: {"pk": w.account.pk}),
    "touchpoints:feedback_new": Case(expect(OK, **VISIBLE), kwargs=lambda w: {"pk": w.account.pk}),
    # Our own team's view of the partnership: operations may read the account but do not rate it.
    "touchpoints:partnership_rating_new": Case(expect(OK, operator=403, **VISIBLE),
                                               kwargs=lambda w: {"pk": w.account.pk}),
    "touchpoints:incident_list": Case(only("kam", "operator", "lead")),
    "touchpoints:incident_export": Case(only("kam", "operator", "lead")),
    "touchpoints:incident_export_xlsx": Case(only("kam", "operator", "lead")),
    "touchpoints:incident_new": Case(expect(OK)),  # without an account: the account picker
    "touchpoints:sla_policies": Case(only("lead")),
    # Everyone inside reads the SLA policy operations work to; only the lead edits it (above).
    "touchpoints:sla_policy_read": Case(only("kam", "sponsor", "operator", "lead")),
    "touchpoints:incident_assign": Case(expect(NOT_ALLOWED), kwargs=lambda w: {"pk": w.incident.pk}),  # POST only
    "touchpoints:incident_detail": Case(expect(OK, **VISIBLE), kwargs=lambda w: {"pk": w.incident.pk}),
    # The client has no account: the survey link is the credential.
    "touchpoints:survey": Case(expect(OK, anonymous=OK), kwargs=lambda w: {"token": w.survey_token}),
    "touchpoints:survey_thanks": Case(expect(OK, anonymous=OK)),
    "touchpoints:survey_send": Case(expect(405, anonymous=REDIRECT), kwargs=lambda w: {"pk": w.account.pk}),
    "touchpoints:survey_revoke": Case(expect(405, anonymous=REDIRECT), kwargs=lambda w: {"pk": w.survey_link.pk}),
    "touchpoints:follow_up_close": Case(expect(NOT_ALLOWED),  # POST only
                                        kwargs=lambda w: {"pk": w.follow_up.pk}),
}


# --- the write column -------------------------------------------------------------------------------
# kam.permissions and touchpoints/rules.py: whoever sees the account logs touchpoints and client
# feedback on it; incidents are worked by the lead, operations, the account's KAM and its team (not the
# sponsor); the partnership is rated by the people who work the account (not operations at large).
# Who cannot see the account (the outsider, another account's KAM) gets 404.
UNSEEN = dict(outsider=NOT_FOUND, other_kam=NOT_FOUND)
READERS_POST = may_post("kam", "teammate", "sponsor", "operator", "lead", "ops_member", **UNSEEN)
INCIDENT_WORKERS_POST = may_post("kam", "teammate", "operator", "lead", "ops_member", **UNSEEN)
RATERS_POST = may_post("kam", "teammate", "sponsor", "lead", "ops_member", **UNSEEN)


def _now():
    from django.utils import timezone

    return timezone.localtime().replace(second=0, microsecond=0)


def _touchpoint(w):
    from tests.factories import department

    # The account travels in the form (the picker's link puts it in the query string too).
    return {"account": w.account.pk, "occurred_at": _now().strftime("%Y-%m-%dT%H:%M"),
            "department": department("sales").pk, "channel": "phone", "kind": "commercial",
            "summary": "Llamada sobre el pedido trimestral", "quality": "4", "follow_up": "",
            "follow_up_note": "", "cost": ""}


def _follow_up_close(w):
    from touchpoints.models import Touchpoint

    return {"version": Touchpoint.objects.get(pk=w.follow_up.pk).version}


def _incident_update(w):
    from touchpoints.models import ServiceIncident

    incident = ServiceIncident.objects.get(pk=w.incident.pk)
    return {"status": "acknowledged", "severity": incident.severity, "resolution": "", "root_cause": "",
            "corrective_action": "", "cost": "0", "version": incident.version}


def _incident_assign(w):
    from touchpoints.models import ServiceIncident

    incident = ServiceIncident.objects.get(pk=w.incident.pk)
    return {"assignee": w.operator.pk, "version": incident.version}


def _sla_table(w):
    from touchpoints.forms import SlaPolicyFormSet
    from touchpoints.models import SlaPolicy

    formset = SlaPolicyFormSet(queryset=SlaPolicy.objects.order_by("pk"))
    data = {f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()}
    for i, form in enumerate(formset.forms):
        p = form.instance
        row = {"id": p.pk, "version": p.version, "ack_hours": p.ack_hours, "resolve_hours": p.resolve_hours,
               "clock": p.clock}
        data.update({form.add_prefix(k): v for k, v in row.items()})
        data.update({form.add_initial_prefix(k): row[k] for k in ("ack_hours", "resolve_hours", "clock")})
        if i == 0:
            data[form.add_prefix("resolve_hours")] = p.resolve_hours + 1
    return data


WRITES = {
    "touchpoints:touchpoint_new": (_touchpoint, READERS_POST),
    "touchpoints:feedback_new": (lambda w: {"contact": "", "score": "8", "comment": "Muy contentos con el plazo",
                                            "received_on": _now().date().isoformat()}, READERS_POST),
    "touchpoints:partnership_rating_new": (lambda w: {"score": "7", "comment": "Buena colaboración",
                                                      "rated_on": _now().date().isoformat()}, RATERS_POST),
    "touchpoints:incident_new": (lambda w: {"account": w.account.pk, "severity": "high", "category": "delivery",
                                            "title": "Entrega incompleta en Gijón", "description": "",
                                            "contact": ""}, INCIDENT_WORKERS_POST),
    "touchpoints:incident_detail": (_incident_update, INCIDENT_WORKERS_POST),
    # Anyone holding the link answers (once: each persona's POST is undone before the next).
    "touchpoints:survey": (lambda w: {"satisfaction": "7", "recommend": "8", "understands": "4", "delivers": "3",
                                      "easy": "4", "comment": "Bien"}, may_post(*POST_PERSONAS)),
    # The KAM (and the lead) ask the client for their opinion.
    "touchpoints:survey_send": (lambda w: {"contact": w.survey_contact.pk}, may_post("kam", "lead", **UNSEEN)),
    "touchpoints:survey_revoke": (lambda w: {}, may_post("kam", "lead", **UNSEEN)),
    # Anyone working the incident may take it if they are in operations; giving it to someone else is
    # for the lead, operations and the account's KAM (here: giving it to the operator).
    "touchpoints:incident_assign": (_incident_assign, may_post("kam", "operator", "lead", **UNSEEN)),
    # The programme lead sets the SLA policy.
    "touchpoints:sla_policies": (_sla_table, may_post("lead")),
    # A follow-up is closed by its owner (the teammate), who logged it and the account's KAM (the kam),
    # and the lead; the others who see the account are refused, who does not gets 404.
    "touchpoints:follow_up_close": (_follow_up_close, may_post("kam", "teammate", "lead", **UNSEEN)),
}
for _name, (_post, _expected) in WRITES.items():
    CASES[_name].post, CASES[_name].post_expected = _post, _expected
