from django.db import transaction

from .models import Account, Activity


@transaction.atomic
def activity_record(*, account: Account, kind: str, summary: str, actor=None, occurred_at=None,
                    link: str = "", department=None, subkind: str = "", commercial: bool = False) -> Activity:
    """Add one event to the account's stream, in the caller's transaction: the event exists exactly
    when the change it describes does."""
    fields = dict(account=account, kind=kind, summary=summary[:300], actor=actor, link=link[:300],
                  department=department, subkind=subkind, commercial=commercial)
    if occurred_at is not None:
        fields["occurred_at"] = occurred_at
    return Activity.objects.create(**fields)
