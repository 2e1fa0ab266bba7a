import datetime

from tests.access import FORBIDDEN, NOT_ALLOWED, NOT_FOUND, OK, Case, expect, may_post, only

# Who may change an account: the lead, its KAM, or a KAM on its team (kam.permissions). Others who can
# see it get 403; the outsider cannot see it at all (404).
EDITORS = expect(FORBIDDEN, kam=OK, lead=OK, outsider=NOT_FOUND)
VIEWERS = expect(OK, outsider=NOT_FOUND)


def build(world):
    from accounts.models import ImportJob, SelectionCriterion
    from accounts.services import attachment_add
    from tests.factories import ContactFactory

    world.contact = ContactFactory(account=world.account, name="Marta Ibáñez")
    world.criterion = SelectionCriterion.objects.order_by("pk").first()
    world.member = world.account.team_members.first()
    world.import_job = ImportJob.objects.create(
        kind="accounts", filename="cuentas.csv", status="previewed", data=b"name\nMetales del Sur S.L.\n", size=28,
        created_by=world.lead, rows_total=1, preview={"rows": 1, "created": 1, "updated": 0, "unchanged": 0,
                                                      "overwritten": 0, "file_error": "", "rows_with_errors": 0,
                                                      "error_groups": [], "groups_left_out": 0})
    world.attachment = attachment_add(actor=world.kam, target=world.account, upload=attachment_file())


def attachment_file(name="contrato.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.attachments.samples import pdf

    return SimpleUploadedFile(name, pdf(["Contrato de suministro"]), content_type="application/pdf")


def _account(w):
    return {"pk": w.account.pk}


CASES = {
    "accounts:list": Case(expect(OK)),
    "accounts:export": Case(expect(OK)),
    "accounts:export_xlsx": Case(expect(OK)),
    # Monthly figures of the listed accounts: for whoever reads some account's figures (the rows are
    # those accounts'); operations and people on no commercial team have none to download.
    "accounts:financials_export": Case(expect(OK, operator=FORBIDDEN, outsider=FORBIDDEN)),
    "accounts:financials_export_xlsx": Case(expect(OK, operator=FORBIDDEN, outsider=FORBIDDEN)),
    "accounts:create": Case(only("kam", "lead")),
    "accounts:selection": Case(only("lead")),
    "accounts:criterion_new": Case(only("lead")),
    "accounts:criterion_edit": Case(only("lead"), kwargs=lambda w: {"criterion_pk": w.criterion.pk}),
    "accounts:portfolio": Case(only("kam", "sponsor", "lead")),
    "accounts:pareto": Case(only("kam", "sponsor", "lead")),
    "accounts:detail": Case(VIEWERS, kwargs=_account),
    "accounts:panel": Case(VIEWERS, kwargs=lambda w: {"pk": w.account.pk, "app": "planning"}),
    "accounts:edit": Case(EDITORS, kwargs=_account),
    "accounts:archive": Case(expect(NOT_ALLOWED), kwargs=_account),  # POST only
    "accounts:unarchive": Case(expect(NOT_ALLOWED), kwargs=_account),
    "accounts:stage": Case(EDITORS, kwargs=_account),
    # Team management: the account's KAM and the lead.
    "accounts:team": Case(expect(FORBIDDEN, kam=OK, lead=OK, outsider=NOT_FOUND), kwargs=_account),
    "accounts:team_member_edit": Case(expect(FORBIDDEN, kam=OK, lead=OK, outsider=NOT_FOUND),
                                      kwargs=lambda w: {"pk": w.account.pk, "member_pk": w.member.pk}),
    "accounts:team_remove": Case(expect(NOT_ALLOWED), kwargs=lambda w: {"pk": w.account.pk, "member_pk": w.member.pk}),
    "accounts:contacts": Case(VIEWERS, kwargs=_account),
    "accounts:contact_new": Case(EDITORS, kwargs=_account),
    "accounts:contact_edit": Case(EDITORS, kwargs=lambda w: {"contact_pk": w.contact.pk}),
    "accounts:contact_gone": Case(EDITORS, kwargs=lambda w: {"contact_pk": w.contact.pk}),
    # A contact's personal data: exported and erased by the programme lead only.
    "accounts:contact_personal_data": Case(only("lead"), kwargs=lambda w: {"contact_pk": w.contact.pk}),
    "accounts:contact_personal_data_json": Case(only("lead"), kwargs=lambda w: {"contact_pk": w.contact.pk}),
    "accounts:contact_erase": Case(only("lead"), kwargs=lambda w: {"contact_pk": w.contact.pk},
                                   post=lambda w: {"reason": "Pidió la supresión", "confirm": "on"},
                                   post_expected=may_post("lead")),
    # Figures are commercial: operations and non-commercial team members see the account, not these.
    "accounts:financials": Case(expect(OK, operator=FORBIDDEN, outsider=NOT_FOUND), kwargs=_account),
    "accounts:account_financials_export": Case(expect(OK, operator=FORBIDDEN, outsider=NOT_FOUND), kwargs=_account),
    "accounts:account_financials_export_xlsx": Case(expect(OK, operator=FORBIDDEN, outsider=NOT_FOUND),
                                                    kwargs=_account),
    # Assessments: the lead and sponsors (who can see the account).
    "accounts:assess": Case(only("sponsor", "lead"), kwargs=_account),
    "accounts:tier": Case(only("lead"), kwargs=_account),
    # Files: whoever sees the account reads and downloads its files; who cannot see it gets 404.
    "accounts:attachments": Case(VIEWERS, kwargs=lambda w: {"key": "account", "pk": w.account.pk}),
    "accounts:attachment_download": Case(VIEWERS, kwargs=lambda w: {"pk": w.attachment.pk}),
    "accounts:attachment_remove": Case(expect(NOT_ALLOWED), kwargs=lambda w: {"pk": w.attachment.pk}),
    "accounts:imports": Case(only("lead")),
    "accounts:import_template": Case(only("lead"), kwargs=lambda w: {"kind": "financials", "fmt": "xlsx"}),
    "accounts:import_job": Case(only("lead"), kwargs=lambda w: {"pk": w.import_job.pk}),
    "accounts:import_job_status": Case(only("lead"), kwargs=lambda w: {"pk": w.import_job.pk}),
    "accounts:import_job_confirm": Case(expect(FORBIDDEN, lead=NOT_ALLOWED), kwargs=lambda w: {"pk": w.import_job.pk}),
    "accounts:import_job_cancel": Case(expect(FORBIDDEN, lead=NOT_ALLOWED), kwargs=lambda w: {"pk": w.import_job.pk}),
}


# --- the write column -------------------------------------------------------------------------------
# The README's "Users and roles" table and accounts/rules.py: who may act gets the redirect after the
# write; who sees the account but may not act gets 403; who cannot see it (the outsider, another
# account's KAM) gets 404. Pages behind a role (`role_required`) refuse everyone without it with 403.
# The account's editors: its KAM, a KAM on its team and the lead (kam.permissions.can_change_account).
ACCOUNT_EDITORS_POST = may_post("kam", "lead", outsider=NOT_FOUND, other_kam=NOT_FOUND)
# The team: the account's KAM and the lead, not a KAM on the team.
TEAM_MANAGERS_POST = may_post("kam", "lead", outsider=NOT_FOUND, other_kam=NOT_FOUND)
# Figures come from finance: the lead and Finance on the account's team; the KAM and the sponsor read them
# but do not enter them.
FINANCE_POST = may_post("teammate", "lead", outsider=NOT_FOUND, other_kam=NOT_FOUND)
# Selection criteria, tiers, imports: the lead alone.
LEAD_POST = may_post("lead")


def _fresh_account(w):
    from accounts.models import Account

    return Account.objects.get(pk=w.account.pk)


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _account_form(w):
    a = _fresh_account(w)
    # The KAM and the sponsor as they are: only the lead may change them.
    return {"name": "Aceros del Norte S.A.U.", "tax_id": a.tax_id, "industry": a.industry, "country": a.country,
            "region": "Asturias", "parent": "", "status": a.status, "kam": a.kam_id, "sponsor": a.sponsor_id,
            "version": a.version}


def _archived(w):
    from accounts import services

    services.account_archive(actor=w.lead, account=w.account)
    return {}


def _stage(w):
    from accounts.models import RelationshipStage

    current = _fresh_account(w).relationship_stage
    to_stage = next(s for s in RelationshipStage.values if s != current)
    return {"to_stage": to_stage, "changed_on": _today().isoformat(), "note": "Primer pedido marco"}


def _new_member(w):
    from tests.factories import UserFactory, department

    person = UserFactory(username="new_member", first_name="Raúl", last_name="Castro")
    return {"user": person.pk, "department": department("technical").pk, "role": "Soporte técnico"}


def _member_version(w):
    from accounts.models import AccountTeamMember

    return AccountTeamMember.objects.get(pk=w.member.pk).version


def _member_form(w):
    from tests.factories import department

    return {"department": department("supply_chain").pk, "role": "Cadena de suministro",
            "version": _member_version(w)}


CONTACT = {"name": "Jorge Prieto", "position": "Jefe de compras", "email": "jorge.prieto@client.example",
           "phone": "+34 600 000 000", "reports_to": "", "influence": "3", "attitude": "supporter",
           "decision_role": "buyer", "owner": "", "last_contact_date": "", "notes": ""}


def _contact_form(w):
    from accounts.models import Contact

    return {**CONTACT, "name": "Marta Ibáñez", "version": Contact.objects.get(pk=w.contact.pk).version}


def _financials(w):
    last_month = _today().replace(day=1) - datetime.timedelta(days=1)
    return {"month": last_month.strftime("%Y-%m"), "revenue": "120000.00", "cost_of_goods": "70000.00",
            "cost_to_serve": "9000.00"}


def _assessment(w):
    from accounts.models import SelectionCriterion

    scores = {f"score_{c.pk}": "4" for c in SelectionCriterion.objects.filter(active=True)}
    return {"assessed_on": _today().isoformat(), "note": "Revisión anual", **scores}


def _criterion_form(w):
    from accounts.models import SelectionCriterion

    c = SelectionCriterion.objects.get(pk=w.criterion.pk)
    return {"name": c.name, "description": c.description, "axis": c.axis, "weight": str(c.weight + 1),
            "scale_max": c.scale_max, "active": "on" if c.active else "", "order": c.order, "version": c.version}


def _import_file(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = b"name;tax_id;country;industry\nMetales del Sur S.L.;B41000001;ES;steel\n"
    return {"kind": "accounts", "decimal": ",", "dates": "dmy",
            "file": SimpleUploadedFile("cuentas.csv", csv, content_type="text/csv")}


WRITES = {
    # KAMs (any KAM: the account is then theirs) and the lead record accounts.
    "accounts:create": (lambda w: {"name": "Nueva Cuenta S.L.", "tax_id": "B99000001", "industry": "steel",
                                   "country": "ES", "region": "", "parent": "", "status": "prospect", "kam": "",
                                   "sponsor": "", "relationship_stage": "exploratory"},
                        may_post("kam", "lead", "other_kam")),
    "accounts:edit": (_account_form, ACCOUNT_EDITORS_POST),
    # The account's editors add and remove its files.
    "accounts:attachments": (lambda w: {"description": "Contrato firmado", "file": attachment_file()},
                             ACCOUNT_EDITORS_POST),
    "accounts:attachment_remove": (lambda w: {}, ACCOUNT_EDITORS_POST),
    "accounts:archive": (lambda w: {}, ACCOUNT_EDITORS_POST),
    "accounts:unarchive": (_archived, ACCOUNT_EDITORS_POST),
    "accounts:stage": (_stage, ACCOUNT_EDITORS_POST),
    "accounts:contact_new": (lambda w: dict(CONTACT), ACCOUNT_EDITORS_POST),
    "accounts:contact_edit": (_contact_form, ACCOUNT_EDITORS_POST),
    "accounts:contact_gone": (lambda w: {"left_at": _today().isoformat(), "successor": "",
                                         "successor_name": "Lucía Prieto"}, ACCOUNT_EDITORS_POST),
    "accounts:team": (_new_member, TEAM_MANAGERS_POST),
    "accounts:team_member_edit": (_member_form, TEAM_MANAGERS_POST),
    "accounts:team_remove": (lambda w: {"version": _member_version(w)}, TEAM_MANAGERS_POST),
    # Operations and the non-commercial team member do not even read the figures; still 403, as they
    # see the account.
    "accounts:financials": (_financials, FINANCE_POST),
    # The lead and the executive sponsors assess; nobody marks their own homework.
    "accounts:assess": (_assessment, may_post("sponsor", "lead")),
    "accounts:tier": (lambda w: {"expected_tier": "key", "to_tier": "development", "kam": "", "sponsor": "",
                                 "reason": "Volumen por debajo del umbral durante dos años"}, LEAD_POST),
    "accounts:criterion_new": (lambda w: {"name": "Potencial de crecimiento", "description": "Crecimiento esperado",
                                          "axis": "attractiveness", "weight": "10", "scale_max": "5",
                                          "active": "on", "order": "9"}, LEAD_POST),
    "accounts:criterion_edit": (_criterion_form, LEAD_POST),
    "accounts:imports": (_import_file, LEAD_POST),
    "accounts:import_job_confirm": (lambda w: {}, LEAD_POST),
    "accounts:import_job_cancel": (lambda w: {}, LEAD_POST),
}
for _name, (_post, _expected) in WRITES.items():
    CASES[_name].post, CASES[_name].post_expected = _post, _expected
