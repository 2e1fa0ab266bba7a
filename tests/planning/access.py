from planning import services
from tests.access import NOT_ALLOWED, NOT_FOUND, OK, POST_PERSONAS, REDIRECT, Case, expect, may_post, only
from tests.planning.factories import AgreementFactory, CommitmentFactory, NegotiationFactory, PlanFactory

READERS = ("kam", "teammate", "sponsor", "lead")


def readers(status=OK):
    # Operations and outsiders must not learn a plan exists: 404, not 403.
    return only(*READERS, status=status, denied=NOT_FOUND)


def editors():
    # Readers who may not edit get 403; people who may not read get 404.
    return expect(NOT_FOUND, kam=OK, lead=OK, teammate=403, sponsor=403)


def build(world):
    world.plan = PlanFactory(account=world.account)
    world.commitment = CommitmentFactory(plan=world.plan)
    world.negotiation = NegotiationFactory(account=world.account, created_by=world.kam)
    world.agreement = AgreementFactory(negotiation=world.negotiation)
    from planning.models import ClientMessage, ClientThread
    from tests.planning.factories import share_link

    link, token = share_link(world.kam, world.plan)
    world.share_link, world.share_token, world.share_contact = link, token, link.contact
    world.client_thread = ClientThread.objects.create(plan=world.plan, link=link, contact=link.contact)
    ClientMessage.objects.create(thread=world.client_thread, author_contact=link.contact,
                                 body="¿Podemos mover la fecha?")
    from accounts.services import attachment_add
    from tests.accounts.access import attachment_file

    world.plan_attachment = attachment_add(actor=world.kam, target=world.plan, upload=attachment_file("plan.pdf"))
    world.negotiation_attachment = attachment_add(actor=world.kam, target=world.negotiation,
                                                  upload=attachment_file("limites.pdf"))


def plan(w):
    return {"pk": w.plan.pk}


POST_ONLY = expect(NOT_ALLOWED)

CASES = {
    "planning:plan_list": Case(readers(), kwargs=lambda w: {"pk": w.account.pk}),
    "planning:plans_export": Case(readers(), kwargs=lambda w: {"pk": w.account.pk}),
    "planning:plans_export_xlsx": Case(readers(), kwargs=lambda w: {"pk": w.account.pk}),
    "planning:plan_create": Case(editors(), kwargs=lambda w: {"pk": w.account.pk}),
    "planning:negotiation_list": Case(readers(), kwargs=lambda w: {"pk": w.account.pk}),
    "planning:plan_detail": Case(readers(), kwargs=plan),
    "planning:plan_section": Case(editors(), kwargs=lambda w: {"pk": w.plan.pk, "section": "summary"}),
    "planning:plan_transition": Case(POST_ONLY, kwargs=lambda w: {"pk": w.plan.pk, "action": "submit"}),
    "planning:plan_signoff": Case(POST_ONLY, kwargs=plan),
    "planning:plan_agreement": Case(POST_ONLY, kwargs=plan),
    "planning:plan_period": Case(POST_ONLY, kwargs=plan),
    "planning:row_add": Case(POST_ONLY, kwargs=lambda w: {"pk": w.plan.pk, "kind": "task"}),
    "planning:row_edit": Case(editors(), kwargs=lambda w: {"pk": w.plan.pk, "kind": "commitment",
                                                          "row": w.commitment.pk}),
    "planning:row_delete": Case(POST_ONLY, kwargs=lambda w: {"pk": w.plan.pk, "kind": "commitment",
                                                             "row": w.commitment.pk}),
    "planning:plan_history": Case(readers(), kwargs=plan),
    "planning:plan_print": Case(readers(), kwargs=plan),
    "planning:plan_sharing": Case(editors(), kwargs=plan),
    "planning:commitment_status": Case(POST_ONLY, kwargs=lambda w: {"pk": w.commitment.pk}),
    "planning:share_revoke": Case(POST_ONLY, kwargs=lambda w: {"pk": w.share_link.pk}),
    "planning:share_send": Case(POST_ONLY, kwargs=lambda w: {"pk": w.share_link.pk}),
    "planning:share_reopen": Case(POST_ONLY, kwargs=lambda w: {"pk": w.share_link.pk}),
    "planning:thread_answer": Case(POST_ONLY, kwargs=lambda w: {"pk": w.client_thread.pk}),
    # The client has no account: the link opens the page that asks for the code sent to its contact
    # (tests/planning/test_client.py: nothing else opens before the code).
    "planning:share": Case(expect(OK, anonymous=OK), kwargs=lambda w: {"token": w.share_token}),
    # The client's PDF waits for the code like the page: without the link's client session, back to the page.
    "planning:share_pdf": Case(expect(REDIRECT, anonymous=REDIRECT), kwargs=lambda w: {"token": w.share_token}),
    "planning:share_link_pdf": Case(editors(), kwargs=lambda w: {"pk": w.share_link.pk}),
    "planning:negotiation_detail": Case(readers(), kwargs=lambda w: {"pk": w.negotiation.pk}),
    "planning:negotiation_row": Case(POST_ONLY, kwargs=lambda w: {"pk": w.negotiation.pk, "kind": "objective"}),
    "planning:negotiation_row_edit": Case(editors(), kwargs=lambda w: {"pk": w.negotiation.pk, "kind": "agreement",
                                                                       "row": w.agreement.pk}),
    "planning:negotiation_row_delete": Case(POST_ONLY, kwargs=lambda w: {"pk": w.negotiation.pk,
                                                                         "kind": "agreement",
                                                                         "row": w.agreement.pk}),
    "planning:agreement_commitment": Case(POST_ONLY, kwargs=lambda w: {"pk": w.agreement.pk}),
}


# --- the write column -------------------------------------------------------------------------------
# Editors act; readers of the plan who may not edit it are refused (403); people who may not read it get
# 404. ops_member reads the plan (on the team) but not commercial content such as negotiations (404).
EDITORS_POST = may_post("kam", "lead", teammate=403, sponsor=403, ops_member=403,
                        operator=NOT_FOUND, outsider=NOT_FOUND, other_kam=NOT_FOUND)
NEGOTIATION_EDITORS_POST = may_post("kam", "lead", teammate=403, sponsor=403, ops_member=NOT_FOUND,
                                    operator=NOT_FOUND, outsider=NOT_FOUND, other_kam=NOT_FOUND)


def _fresh(w):
    from planning.models import AccountPlan

    return AccountPlan.objects.get(pk=w.plan.pk)


def _submitted(w):
    services.plan_submit(actor=w.kam, plan=w.plan)
    return _fresh(w)


def _committed(w):
    from tests.factories import department

    _submitted(w)
    services.plan_sign_off(actor=w.sponsor, plan=w.plan)
    services.plan_sign_off(actor=w.teammate, plan=w.plan, department=department("finance"))
    services.plan_commit(actor=w.kam, plan=w.plan)
    return _fresh(w)


def _commitment_form(w):
    from planning.models import Commitment
    from tests.factories import department

    c = Commitment.objects.get(pk=w.commitment.pk)
    return {"party": "us", "description": "Informe mensual de servicio", "department": department("finance").pk,
            "due_date": c.due_date.isoformat(), "status": "open", "version": c.version}


def _agreement_version(w):
    from planning.models import NegotiationAgreement

    return NegotiationAgreement.objects.get(pk=w.agreement.pk).version


def _answered_conditions(w):
    from django.utils import timezone

    from planning.models import ClientThread

    ClientThread.objects.get_or_create(plan=w.plan, link=w.share_link, kind="conditions",
                                       defaults={"answered_at": timezone.now()})
    return True


WRITES = {
    "planning:plan_create": (lambda w: {"period_kind": "year", "period_start": "2031-01-01"}, EDITORS_POST),
    "planning:plan_section": (lambda w: {"summary-summary": "Nuevo resumen", "version": _fresh(w).version},
                              EDITORS_POST),
    "planning:plan_transition": (lambda w: {}, EDITORS_POST),
    # Four eyes: only finance's people who serve the account sign finance's commitments; the KAM and the
    # lead edit the plan, so they never sign it.
    "planning:plan_signoff": (lambda w: _submitted(w) and {"department": w.commitment.department_id},
                              may_post("teammate", kam=403, lead=403, sponsor=403, ops_member=403,
                                       operator=NOT_FOUND, outsider=NOT_FOUND, other_kam=NOT_FOUND)),
    "planning:plan_agreement": (lambda w: _committed(w) and {"agree-agreed_by": "Sr. Pérez",
                                                             "agree-channel": "meeting"}, EDITORS_POST),
    "planning:plan_period": (lambda w: {"period-period_kind": "half", "period-period_start": "2032-01-01",
                                        "period-version": _fresh(w).version}, EDITORS_POST),
    "planning:row_add": (lambda w: {"task-description": "Visitar la planta"}, EDITORS_POST),
    "planning:row_edit": (_commitment_form, EDITORS_POST),
    "planning:row_delete": (lambda w: {}, EDITORS_POST),
    "planning:commitment_status": (lambda w: {"status": "at_risk", "version": w.commitment.version}, EDITORS_POST),
    # The new link is shown on the page (200), once.
    "planning:plan_sharing": (lambda w: {"contact": w.share_contact.pk, "days": "30"},
                              may_post("kam", "lead", status=200, teammate=403, sponsor=403, ops_member=403,
                                       operator=NOT_FOUND, outsider=NOT_FOUND, other_kam=NOT_FOUND)),
    "planning:share_revoke": (lambda w: {}, EDITORS_POST),
    "planning:share_send": (lambda w: {"token": w.share_token}, EDITORS_POST),
    "planning:share_reopen": (lambda w: _answered_conditions(w) and {}, EDITORS_POST),
    "planning:thread_answer": (lambda w: {f"answer-{w.client_thread.pk}-body": "Sí, la movemos"}, EDITORS_POST),
    # Holding the link is not enough to act: without the code every browser gets the code page (200)
    # and nothing changes.
    "planning:share": (lambda w: {"action": "request", "request-target": "section:general",
                                  "request-body": "Otra fecha"}, may_post(*POST_PERSONAS, status=200)),
    "planning:negotiation_list": (lambda w: {"title": "Revisión de precios"}, NEGOTIATION_EDITORS_POST),
    "planning:negotiation_detail": (lambda w: {"title": "Renovación 2027", "version": w.negotiation.version},
                                    NEGOTIATION_EDITORS_POST),
    "planning:negotiation_row": (lambda w: {"objective-party": "us", "objective-description": "Contrato a 3 años",
                                            "objective-priority": "1"}, NEGOTIATION_EDITORS_POST),
    "planning:negotiation_row_edit": (lambda w: {"description": "Revisión anual de precios", "party": "us",
                                                 "version": _agreement_version(w)}, NEGOTIATION_EDITORS_POST),
    "planning:negotiation_row_delete": (lambda w: {}, NEGOTIATION_EDITORS_POST),
    "planning:agreement_commitment": (lambda w: {"department": w.commitment.department_id},
                                      NEGOTIATION_EDITORS_POST),
}
for _name, (_post, _expected) in WRITES.items():
    CASES[_name].post, CASES[_name].post_expected = _post, _expected
# An unverified browser's request writes nothing, whoever is signed in to our site.
CASES["planning:share"].post_writes = ()


# --- files on plans and negotiations (accounts/attachments, registered in planning/apps.py) -------------
# The same URLs as the account's files (tests/accounts/access.py), for a plan's and a negotiation's files:
# a plan's are read by its readers, a negotiation's by its commercial readers only (ops_member reads the
# plan, not the negotiation); both are changed by the plan's editors. Walked by tests/planning/test_attachments.py.
def _file_form(w):
    from tests.accounts.access import attachment_file

    return {"description": "Presentación al cliente", "file": attachment_file("presentacion.pdf")}


ATTACHMENT_CASES = {
    "plan files": ("accounts:attachments", Case(readers(), kwargs=lambda w: {"key": "accountplan", "pk": w.plan.pk},
                                                 post=_file_form, post_expected=EDITORS_POST)),
    "plan file download": ("accounts:attachment_download", Case(readers(),
                                                                kwargs=lambda w: {"pk": w.plan_attachment.pk})),
    "plan file removal": ("accounts:attachment_remove", Case(POST_ONLY, kwargs=lambda w: {"pk": w.plan_attachment.pk},
                                                             post=lambda w: {}, post_expected=EDITORS_POST)),
    "negotiation files": ("accounts:attachments", Case(readers(),
                                                       kwargs=lambda w: {"key": "negotiation", "pk": w.negotiation.pk},
                                                       post=_file_form, post_expected=NEGOTIATION_EDITORS_POST)),
    "negotiation file download": ("accounts:attachment_download",
                                  Case(readers(), kwargs=lambda w: {"pk": w.negotiation_attachment.pk})),
    "negotiation file removal": ("accounts:attachment_remove",
                                 Case(POST_ONLY, kwargs=lambda w: {"pk": w.negotiation_attachment.pk},
                                      post=lambda w: {}, post_expected=NEGOTIATION_EDITORS_POST)),
}
