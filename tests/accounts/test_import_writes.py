"""Imports write only what changes: unchanged rows leave no history, no version bump and no event;
changed and new rows are written in bulk, counted before and after writing, all or nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import imports
from accounts.imports import writing
from accounts.imports.accounts import _plan_accounts
from accounts.imports.contacts import _plan_contacts
from accounts.imports.financials import _plan_financials
from accounts.models import Account, Activity, Contact, FinancialRecord, RelationshipStageChange

pytestmark = pytest.mark.django_db


def run(kind, text, actor):
    return imports.run_import(kind=kind, data=text.encode("utf-8"), filename="test.csv", actor=actor)


def plan(planner, text):
    """The dry run: the file read and planned, nothing written."""
    result = imports.ImportResult(kind="test")
    _header, rows = imports.read_csv(text.encode("utf-8"))
    return result, planner(rows, result, None)


def accounts_file(n, *, changed_line=None):
    lines = ["name;tax_id;country;industry;region;relationship_stage;kam_email"]
    for i in range(n):
        region = "Murcia" if i == changed_line else "Andalucía"
        lines.append(f"Cliente {i} S.L.;B{i:08d};ES;steel;{region};exploratory;kam@example.com")
    return "\n".join(lines) + "\n"


def counts():
    return (Account.history.count(), sum(Account.objects.values_list("version", flat=True)),
            Activity.objects.count(), RelationshipStageChange.objects.count())


def test_unchanged_accounts_write_nothing_and_one_change_writes_one_row(personas):
    first = run("accounts", accounts_file(1000), personas.lead)
    assert first.ok and (first.created, first.updated, first.unchanged) == (1000, 0, 0)
    added = Account.history.filter(tax_id__startswith="B")
    assert added.count() == 1000
    assert set(added.values_list("history_type", "history_user")) == {("+", personas.lead.pk)}
    before = counts()

    dry, _plan = plan(_plan_accounts, accounts_file(1000))
    assert (dry.created, dry.updated, dry.unchanged) == (0, 0, 1000)
    again = run("accounts", accounts_file(1000), personas.lead)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 1000)
    assert counts() == before  # no history row, no version bump, no event, no stage record

    dry, _plan = plan(_plan_accounts, accounts_file(1000, changed_line=500))
    assert (dry.created, dry.updated, dry.unchanged) == (0, 1, 999)
    assert counts() == before  # planning wrote nothing
    changed = run("accounts", accounts_file(1000, changed_line=500), personas.lead)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 999)
    history, versions, events, stages = counts()
    assert (history, versions, events, stages) == (before[0] + 1, before[1] + 1, before[2], before[3])
    account = Account.objects.get(tax_id="B00000500")
    assert (account.region, account.version) == ("Murcia", 2)
    last = account.history.first()
    assert (last.history_type, last.history_user, last.region, last.version) == ("~", personas.lead, "Murcia", 2)


def test_a_stage_change_by_import_is_recorded_like_the_form(personas):
    run("accounts", accounts_file(3), personas.lead)
    result = run("accounts", accounts_file(3).replace("B00000001;ES;steel;Andalucía;exploratory",
                                                      "B00000001;ES;steel;Andalucía;basic"), personas.lead)
    assert (result.updated, result.unchanged) == (1, 2)
    change = RelationshipStageChange.objects.filter(account__tax_id="B00000001").latest("pk")
    assert (change.from_stage, change.to_stage) == ("exploratory", "basic")
    assert Activity.objects.filter(account__tax_id="B00000001", kind="stage_change").count() == 1


def test_parents_in_the_file_are_linked_and_a_cycle_writes_nothing(personas):
    text = ("name;tax_id;parent_tax_id\n"
            "Hija S.L.;C00000002;C00000001\n"
            "Madre S.A.;C00000001;\n")
    result = run("accounts", text, personas.lead)
    assert result.ok and result.created == 2
    child = Account.objects.get(tax_id="C00000002")
    assert child.parent.tax_id == "C00000001"
    assert child.history.get().parent_id == child.parent_id  # the history row holds the parent
    assert run("accounts", text, personas.lead).unchanged == 2
    before = counts()
    cycle = ("name;tax_id;parent_tax_id\n"
             "Madre S.A.;C00000001;C00000002\n"
             "Nueva S.L.;C00000003;\n")
    aborted = run("accounts", cycle, personas.lead)
    assert aborted.file_error and "below itself" in aborted.file_error
    assert not Account.objects.filter(tax_id="C00000003").exists()
    assert counts() == before


def test_an_error_in_the_middle_of_the_write_rolls_everything_back(personas, monkeypatch):
    monkeypatch.setattr(writing, "CHUNK", 100)
    result, planned = plan(_plan_accounts, accounts_file(300))
    calls = []

    def progress(done, total):
        calls.append((done, total))
        if len(calls) == 2:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        planned.write(personas.lead, progress)
    assert calls == [(100, 300), (200, 300)]
    assert not Account.objects.filter(tax_id__startswith="B").exists()
    assert not Account.history.filter(tax_id__startswith="B").exists()


def financials_file(account, months, *, revenue=lambda m: 1000 + m):
    lines = ["account_tax_id;month;revenue;cost_of_goods;cost_to_serve"]
    lines += [f"{account.tax_id};2024-{m:02d};{revenue(m)};500,50;20" for m in months]
    return "\n".join(lines) + "\n"


def test_financials_skip_unchanged_months_and_count_those_overwritten(personas):
    account = personas.account
    first = run("financials", financials_file(account, range(1, 13)), personas.lead)
    assert (first.created, first.updated, first.unchanged) == (12, 0, 0)
    assert FinancialRecord.history.filter(history_type="+", history_user=personas.lead).count() == 12
    assert FinancialRecord.objects.get(account=account, month="2024-03-01").cost_of_goods == Decimal("500.50")
    history = FinancialRecord.history.count()

    again = run("financials", financials_file(account, range(1, 13)), personas.lead)
    assert (again.created, again.updated, again.unchanged, again.overwritten) == (0, 0, 12, 0)
    assert FinancialRecord.history.count() == history

    # Three stored months change, one is new: planned first, then written.
    text = financials_file(account, range(1, 14 - 1), revenue=lambda m: 9999 if m in (2, 5, 7) else 1000 + m)
    text += f"{account.tax_id};2023-12;10;0;0\n"
    dry, _plan = plan(_plan_financials, text)
    assert (dry.created, dry.updated, dry.unchanged, dry.overwritten) == (1, 3, 9, 3)
    assert FinancialRecord.history.count() == history
    done = run("financials", text, personas.lead)
    assert (done.created, done.updated, done.unchanged, done.overwritten) == (1, 3, 9, 3)
    assert FinancialRecord.history.count() == history + 4
    assert set(FinancialRecord.history.filter(history_type="~").values_list("revenue", flat=True)) == {
        Decimal("9999.00")}
    assert FinancialRecord.objects.get(account=account, month="2024-05-01").revenue == Decimal("9999")


def test_financials_progress_is_reported_by_chunk(personas, monkeypatch):
    monkeypatch.setattr(writing, "CHUNK", 5)
    result, planned = plan(_plan_financials, financials_file(personas.account, range(1, 13)))
    calls = []
    planned.write(personas.lead, lambda done, total: calls.append((done, total)))
    assert calls == [(5, 12), (10, 12), (12, 12)]
    assert FinancialRecord.objects.filter(account=personas.account).count() == 12


def contacts_file(account, n, *, position="Compras"):
    lines = ["account_tax_id;name;email;position;reports_to_email;influence"]
    lines.append(f"{account.tax_id};Jefa;jefa@cliente.example;CEO;;3")
    lines += [f"{account.tax_id};Persona {i};p{i}@cliente.example;{position};jefa@cliente.example;2"
              for i in range(n - 1)]
    return "\n".join(lines) + "\n"


def statements(actor, text):
    with CaptureQueriesContext(connection) as ctx:
        result = run("contacts", text, actor)
    assert result.ok, result.errors
    return len(ctx.captured_queries), result


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite splits bulk inserts by its parameter limit")
def test_contacts_import_runs_a_bounded_number_of_statements(personas):
    small, big = personas.account, personas.other_account
    created_small, _r = statements(personas.lead, contacts_file(small, 10))
    created_big, result = statements(personas.lead, contacts_file(big, 500))
    assert result.created == 500
    assert abs(created_big - created_small) <= 2, (created_small, created_big)
    assert Contact.objects.get(account=big, email="p498@cliente.example").reports_to.email == "jefa@cliente.example"

    unchanged_small, _r = statements(personas.lead, contacts_file(small, 10))
    unchanged_big, result = statements(personas.lead, contacts_file(big, 500))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 500)
    assert abs(unchanged_big - unchanged_small) <= 2, (unchanged_small, unchanged_big)

    history = Contact.history.count()
    changed_small, _r = statements(personas.lead, contacts_file(small, 10, position="Ventas"))
    changed_big, result = statements(personas.lead, contacts_file(big, 500, position="Ventas"))
    assert (result.created, result.updated, result.unchanged) == (0, 499, 1)
    assert abs(changed_big - changed_small) <= 2, (changed_small, changed_big)
    assert Contact.history.count() == history + 9 + 499
    contact = Contact.objects.get(account=big, email="p7@cliente.example")
    assert (contact.position, contact.version) == ("Ventas", 2)
    assert contact.history.first().history_type == "~"


def test_contacts_dry_plan_counts(personas):
    run("contacts", contacts_file(personas.account, 5), personas.lead)
    dry, _plan = plan(_plan_contacts, contacts_file(personas.account, 6, position="Ventas"))
    assert (dry.created, dry.updated, dry.unchanged) == (1, 4, 1)
    assert Contact.objects.filter(account=personas.account).count() == 5


def test_stored_values_are_joined_in_batches_whatever_the_order(personas):
    a, b = personas.account, personas.other_account
    FinancialRecord.objects.create(account=a, month="2024-01-01", revenue=1)
    FinancialRecord.objects.create(account=b, month="2024-01-01", revenue=2)
    items = [((a.pk, date(2024, 1, 1)), "a1"), ((b.pk, date(2024, 1, 1)), "b1"), ((a.pk, date(2024, 2, 1)), "a2")]
    joined = list(writing.with_stored(FinancialRecord, key=("account", "month"), fields=("revenue",), items=items,
                                      batch=1))
    assert [(payload, before) for _k, payload, before in joined] == [
        ("a1", (Decimal("1.00"),)), ("b1", (Decimal("2.00"),)), ("a2", None)]
