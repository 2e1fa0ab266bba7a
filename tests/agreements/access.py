"""Framework agreements are the account's commercial data: its readers (KAM, sponsor, the lead, commercial
departments and KAMs on its team) see them, everyone else gets 404; the KAM and the lead edit, other
readers get 403."""

from tests.access import NOT_ALLOWED, NOT_FOUND, OK, Case, expect, may_post, only

READERS = ("kam", "teammate", "sponsor", "lead")


def readers():
    return only(*READERS, denied=NOT_FOUND)


def editors():
    return expect(NOT_FOUND, kam=OK, lead=OK, teammate=403, sponsor=403)


def build(world):
    from tests.agreements.factories import FrameworkAgreementFactory, TermFactory

    world.framework = FrameworkAgreementFactory(account=world.account, status="negotiation")
    world.term = TermFactory(agreement=world.framework)
    from accounts.services import attachment_add
    from tests.accounts.access import attachment_file

    world.framework_attachment = attachment_add(actor=world.kam, target=world.framework,
                                                upload=attachment_file("acuerdo-firmado.pdf"))


def agreement(w):
    return {"pk": w.framework.pk}


POST_ONLY = expect(NOT_ALLOWED)

CASES = {
    "agreements:account_list": Case(readers(), kwargs=lambda w: {"pk": w.account.pk}),
    "agreements:create": Case(editors(), kwargs=lambda w: {"pk": w.account.pk}),
    "agreements:from_negotiation": Case(POST_ONLY, kwargs=lambda w: {"pk": w.account.pk}),
    "agreements:programme_list": Case(only("lead", "sponsor")),
    "agreements:export": Case(only("lead", "sponsor")),
    "agreements:export_xlsx": Case(only("lead", "sponsor")),
    "agreements:detail": Case(readers(), kwargs=agreement),
    "agreements:edit": Case(editors(), kwargs=agreement),
    "agreements:transition": Case(POST_ONLY, kwargs=lambda w: {"pk": w.framework.pk, "action": "sign"}),
    "agreements:term_add": Case(POST_ONLY, kwargs=agreement),
    "agreements:term_edit": Case(editors(), kwargs=lambda w: {"pk": w.framework.pk, "term": w.term.pk}),
    "agreements:term_delete": Case(POST_ONLY, kwargs=lambda w: {"pk": w.framework.pk, "term": w.term.pk}),
    "agreements:term_commitment": Case(POST_ONLY, kwargs=lambda w: {"pk": w.term.pk}),
}


# --- the write column -------------------------------------------------------------------------------
# The KAM and the lead act; readers who may not edit are refused (403); who may not read gets 404
# (operations on the team included: they serve the account without its commercial data).
EDITORS_POST = may_post("kam", "lead", teammate=403, sponsor=403, ops_member=NOT_FOUND, operator=NOT_FOUND,
                        outsider=NOT_FOUND, other_kam=NOT_FOUND)


def _fresh(w):
    from agreements.models import FrameworkAgreement

    return FrameworkAgreement.objects.get(pk=w.framework.pk)


def _term_version(w):
    from agreements.models import AgreementTerm

    return AgreementTerm.objects.get(pk=w.term.pk).version


def _with_negotiation(w):
    from planning.models import Negotiation, NegotiationAgreement

    neg = Negotiation.objects.create(account=w.account, title="Renovación 2027", created_by=w.kam)
    NegotiationAgreement.objects.create(negotiation=neg, description="Descuento del 3 % a partir de 500 t")
    return {"negotiation": neg.pk}


def _to_commitment(w):
    from tests.factories import department

    # The account's current plan is planning's `world.plan`.
    return {"department": department("sales").pk}


WRITES = {
    "agreements:create": (lambda w: {"title": "Acuerdo marco 2027", "start_date": "2027-01-01",
                                     "end_date": "2027-12-31", "notice_days": "60"}, EDITORS_POST),
    "agreements:from_negotiation": (_with_negotiation, EDITORS_POST),
    "agreements:edit": (lambda w: {"title": "Acuerdo marco revisado", "start_date": _fresh(w).start_date.isoformat(),
                                   "end_date": _fresh(w).end_date.isoformat(), "notice_days": "60",
                                   "version": _fresh(w).version}, EDITORS_POST),
    "agreements:transition": (lambda w: {"version": _fresh(w).version}, EDITORS_POST),
    "agreements:term_add": (lambda w: {"term-kind": "payment", "term-text": "Pago a 60 días fecha factura",
                                       "term-value": "60", "term-unit": "días", "term-party": "client"},
                            EDITORS_POST),
    "agreements:term_edit": (lambda w: {"kind": "price", "text": "Descuento del 4 %", "value": "4", "unit": "%",
                                        "party": "us", "version": _term_version(w)}, EDITORS_POST),
    "agreements:term_delete": (lambda w: {}, EDITORS_POST),
    "agreements:term_commitment": (_to_commitment, EDITORS_POST),
}
for _name, (_post, _expected) in WRITES.items():
    CASES[_name].post, CASES[_name].post_expected = _post, _expected


def _file_form(w):
    from tests.accounts.access import attachment_file

    return {"description": "Acuerdo firmado", "file": attachment_file("acuerdo.pdf")}


# The signed agreement and its annexes (accounts' attachments, walked by tests/planning/test_attachments.py):
# the agreement's readers read them, its editors add and remove them.
ATTACHMENT_CASES = {
    "agreement files": ("accounts:attachments", Case(readers(), kwargs=lambda w: {"key": "frameworkagreement",
                                                                                   "pk": w.framework.pk},
                                                     post=_file_form, post_expected=EDITORS_POST)),
    "agreement file download": ("accounts:attachment_download",
                                Case(readers(), kwargs=lambda w: {"pk": w.framework_attachment.pk})),
    "agreement file removal": ("accounts:attachment_remove",
                               Case(POST_ONLY, kwargs=lambda w: {"pk": w.framework_attachment.pk},
                                    post=lambda w: {}, post_expected=EDITORS_POST)),
}
