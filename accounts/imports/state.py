"""What an import's plan depends on in the database, as one short fingerprint.

The check (the dry run) plans the file against the stored rows; the import, minutes later, plans it
again. When the check found nothing to write and nothing the planners read has changed since, the
second planning would find nothing too: the import then ends at once, with the check's counts. Every
change to the rows a planner compares leaves a history row (services, admin and imports all record one),
so the newest history id of each compared model moves whenever they change. Contacts and financials
only look accounts up (by number, tax id or name), so for them the accounts' keys are read whole rather
than any edit of an account counting; so are the people named by e-mail and the programme's currency.
"""

import hashlib

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Max

from kam.models import ProgrammeSettings

from ..models import Account, Contact, FinancialRecord, ImportKind

# The models each kind compares with what the file says.
COMPARED: dict[str, tuple] = {
    ImportKind.ACCOUNTS: (Account,),
    ImportKind.CONTACTS: (Contact,),
    ImportKind.FINANCIALS: (FinancialRecord,),
}


def stored_state(kind: str) -> str:
    """The fingerprint of what planning an import of `kind` reads: equal fingerprints, equal plans."""
    parts = []
    for model in COMPARED[kind]:
        newest = model.history.aggregate(newest=Max("history_id"))["newest"]
        parts.append(f"{model._meta.label}:{newest or 0}")
    if kind != ImportKind.ACCOUNTS:
        # What reading.AccountIndex matches rows on.
        parts.append("accounts:" + _account_keys_digest())
    settings = ProgrammeSettings.objects.values_list("version", "currency").first()
    parts.append(f"settings:{settings}")
    if kind != ImportKind.FINANCIALS:
        # Accounts and contacts name people by e-mail; a renamed address or a changed role changes who a
        # row names without any history row of ours.
        people = get_user_model().objects.order_by("pk").values_list("pk", "email", "is_active", "groups__name")
        parts.append("people:" + _digest(people))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _account_keys_digest() -> str:
    """A digest of every account's id and keys. On PostgreSQL the server computes it (100,000 accounts:
    tens of milliseconds, where reading them into Python took 0.2 s, twice per import)."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Account._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*), md5(string_agg(concat_ws(chr(31), id, name, country, tax_id, "
                           f"customer_number), chr(30) ORDER BY id)) FROM {table}")
            count, digest = cursor.fetchone()
        return f"{count}:{digest}"
    keys = Account.objects.order_by("pk").values_list("pk", "name", "country", "tax_id", "customer_number")
    return _digest(keys.iterator(chunk_size=20_000))


def _digest(rows) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr(row).encode())
    return digest.hexdigest()
