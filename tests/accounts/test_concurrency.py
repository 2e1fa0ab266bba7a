"""Two people at once, on real PostgreSQL: each thread has its own connection and transaction, as two
requests would. No edit is silently lost, no pair of writes deadlocks, no uniqueness race ends in a
server error."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from accounts import services
from accounts.models import AccountTeamMember, Contact
from kam.errors import Conflict
from tests.factories import ContactFactory, department

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")


def race(*calls, hold=0.3, timeout=30):
    """Run each call in its own thread and transaction, started together; each transaction stays open
    `hold` seconds after its call, so that the others run while it is uncommitted. Returns each call's
    result or the exception it raised, in order."""
    results = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i, call):
        try:
            start.wait()
            with transaction.atomic():
                results[i] = call()
                time.sleep(hold)
        except Exception as exc:  # reported by the caller's assertions
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a writer is still waiting: deadlock or lost wake-up"
    return results


def _one_won(results):
    conflicts = [r for r in results if isinstance(r, Conflict)]
    others = [r for r in results if not isinstance(r, Conflict)]
    assert len(conflicts) == 1 and len(others) == 1, results
    assert not isinstance(others[0], Exception), others[0]
    return others[0], conflicts[0]


def test_two_people_editing_one_contact_never_lose_a_change_silently(personas):
    contact = ContactFactory(account=personas.account, name="Marta Ibáñez", position="Compras")
    seen = contact.version

    def edit(actor, position):
        return lambda: services.contact_save(actor=actor, account=personas.account, contact=contact,
                                             expected_version=seen, data={"position": position})

    winner, conflict = _one_won(race(edit(personas.kam, "Directora de compras"),
                                     edit(personas.lead, "Jefa de compras")))
    contact.refresh_from_db()
    assert contact.position == winner.position and contact.version == seen + 1
    # The one refused is told what the other saved.
    assert [(c.field, c.theirs) for c in conflict.changes] == [("position", winner.position)]
    assert contact.history.first().version == contact.version


def test_two_people_editing_one_team_member_never_lose_a_change_silently(personas):
    member = AccountTeamMember.objects.get(account=personas.account, user=personas.teammate)
    seen = member.version

    def edit(actor, role):
        return lambda: services.team_member_update(actor=actor, member=member, expected_version=seen,
                                                   department=member.department, role=role)

    winner, conflict = _one_won(race(edit(personas.kam, "Controller"), edit(personas.lead, "Tesorería")))
    member.refresh_from_db()
    assert member.role == winner.role and member.version == seen + 1
    assert [(c.field, c.theirs) for c in conflict.changes] == [("role", winner.role)]


def test_a_removal_from_an_old_version_does_not_discard_an_edit(personas):
    member = AccountTeamMember.objects.get(account=personas.account, user=personas.teammate)
    seen = member.version
    _winner, _conflict = _one_won(race(
        lambda: services.team_member_update(actor=personas.kam, member=member, expected_version=seen,
                                            department=department("finance"), role="Controller"),
        lambda: services.team_member_remove(actor=personas.lead, member=member, expected_version=seen) or "removed"))
    # Whichever came first, the other saw it: either the edit stands or the removal was made knowingly.
    assert AccountTeamMember.objects.filter(pk=member.pk, role="Controller").exists() or \
        not AccountTeamMember.objects.filter(pk=member.pk).exists()


def test_contact_history_records_carry_the_version(personas):
    contact = ContactFactory(account=personas.account)
    services.contact_save(actor=personas.kam, account=personas.account, contact=contact,
                          expected_version=contact.version, data={"phone": "600 000 000"})
    assert list(Contact.objects.get(pk=contact.pk).history.values_list("version", flat=True)) == [2, 1]


def test_archiving_while_a_financial_entry_is_saved_neither_deadlocks_nor_fails(personas):
    """The archive locks its account row, then recomputes revenue across the table; a financial entry on
    another account recomputes too. Held apart at the worst moment (the archive about to recompute while
    holding its row), both must commit."""
    from decimal import Decimal

    from django.utils import timezone

    from accounts.models import Account, FinancialRecord
    from tests.factories import AccountFactory, FinancialRecordFactory

    month = (timezone.localdate().replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
    accounts = [AccountFactory() for _ in range(30)]
    for i, a in enumerate(accounts):
        FinancialRecordFactory(account=a, month=month, revenue=Decimal(1000 + i))
    services.revenue_recompute()
    archived, entered = accounts[-1], accounts[0]  # the archived row comes last in a scan of the table
    archive_recomputes = threading.Event()

    def pause_before_the_recompute(execute, sql, params, many, context):
        if "WITH rev AS" in sql:
            archive_recomputes.set()
            time.sleep(1)
        return execute(sql, params, many, context)

    def archive():
        with connection.execute_wrapper(pause_before_the_recompute):
            return services.account_archive(actor=personas.lead, account=archived)

    def enter():
        assert archive_recomputes.wait(10)
        return services.financial_record_save(actor=personas.lead, account=entered, month=month,
                                              revenue=Decimal("99999"), cost_of_goods=Decimal(0),
                                              cost_to_serve=Decimal(0))

    results = race(archive, enter, hold=0)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Account.objects.get(pk=archived.pk).archived_at is not None
    assert FinancialRecord.objects.get(account=entered, month=month).revenue == Decimal("99999")
    assert Account.objects.get(pk=entered.pk).revenue_12m == Decimal("99999")


def test_a_financial_entry_updates_only_the_account_rows_whose_figures_change(personas):
    from decimal import Decimal

    from django.utils import timezone

    from tests.factories import AccountFactory, FinancialRecordFactory

    month = (timezone.localdate().replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
    big = AccountFactory()
    FinancialRecordFactory(account=big, month=month, revenue=Decimal(100000))
    small = [AccountFactory() for _ in range(10)]
    for a in small:
        FinancialRecordFactory(account=a, month=month, revenue=Decimal(10))
    services.revenue_recompute()
    assert services.revenue_recompute() == 0  # nothing changed since: nothing written

    def row_versions():  # PostgreSQL gives a row a new xmin each time it is written
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, xmin::text FROM accounts_account")
            return dict(cursor.fetchall())

    # Read inside the entry's transaction: what happens after it commits (the metrics recompute it
    # triggers) is another transaction's doing.
    with transaction.atomic():
        before = row_versions()
        services.financial_record_save(actor=personas.lead, account=small[0], month=month, revenue=Decimal(11),
                                       cost_of_goods=Decimal(0), cost_to_serve=Decimal(0))
        after = row_versions()
    # Its revenue moved and no account changed class: one row written, not the whole table.
    assert {pk for pk in before if before[pk] != after[pk]} == {small[0].pk}


# --- Uniqueness and the key-account cap under concurrent requests -------------------------------------
def _invalid(results, field):
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and len(results) - len(refused) == 1, results
    from kam.errors import Invalid

    assert isinstance(refused[0], Invalid), refused[0]
    assert field in refused[0].errors
    return refused[0]


def test_two_accounts_created_with_one_tax_id_at_once_end_in_a_form_error_not_a_server_error(personas):
    from accounts.models import Account

    def create(name):
        return lambda: services.account_create(actor=personas.lead, name=name, tax_id="B12345678")

    refused = _invalid(race(create("Primera S.A."), create("Segunda S.A.")), "tax_id")
    assert "Another account already has this tax id" in refused.errors["tax_id"][0]
    assert Account.objects.filter(tax_id="B12345678").count() == 1


def test_two_criteria_of_one_name_created_at_once_end_in_a_form_error(personas):
    from decimal import Decimal

    from accounts.models import SelectionCriterion

    def create():
        return services.criterion_save(actor=personas.lead, data={
            "name": "Solvencia", "axis": "attractiveness", "weight": Decimal(1), "scale_max": 5, "active": True,
            "order": 9})

    _invalid(race(create, create), "name")
    assert SelectionCriterion.objects.filter(name="Solvencia").count() == 1


def test_one_person_added_twice_to_a_team_at_once_ends_in_a_form_error(personas):
    def add(role):
        return lambda: services.team_member_add(actor=personas.kam, account=personas.account, user=personas.outsider,
                                                department=department("technical"), role=role)

    _invalid(race(add("Calidad"), add("Laboratorio")), "user")
    assert AccountTeamMember.objects.filter(account=personas.account, user=personas.outsider).count() == 1


def test_two_promotions_racing_for_the_last_place_do_not_exceed_the_cap_unnoticed(personas):
    from accounts.models import Account, TierDecision
    from kam.models import ProgrammeSettings
    from tests.factories import AccountFactory

    ProgrammeSettings.objects.filter(pk=ProgrammeSettings.current().pk).update(key_account_cap=2)  # one place left
    candidates = [AccountFactory(tier="development", kam=personas.kam) for _ in range(2)]

    def promote(account):
        return lambda: services.tier_decide(actor=personas.lead, account=account, to_tier="key", reason="Estratégica",
                                            kam=personas.kam, sponsor=personas.sponsor)

    _invalid(race(*(promote(a) for a in candidates)), "cap_override")
    assert Account.objects.filter(tier="key").count() == 2
    assert not TierDecision.objects.filter(cap_override=True).exists()
