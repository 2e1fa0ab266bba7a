"""The migration that turned the client's loose comments into the plan's request threads keeps every
comment, its author, text and date, and goes back the way it came."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("planning", "0005_client_verification_and_requests")
AFTER = ("planning", "0006_share_comments_into_client_threads")


def _migrate(planning_node=None):
    """Every app at its latest migration, planning at `planning_node` (its latest when None); the
    models as they were then."""
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    targets = [node for node in leaves if node[0] != "planning" or planning_node is None]
    if planning_node is not None:
        targets.append(planning_node)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def test_share_comments_become_comment_threads_and_back():
    apps = _migrate(BEFORE)
    try:
        User = apps.get_model("auth", "User")
        Account = apps.get_model("accounts", "Account")
        Contact = apps.get_model("accounts", "Contact")
        AccountPlan = apps.get_model("planning", "AccountPlan")
        ShareLink = apps.get_model("planning", "ShareLink")
        ShareComment = apps.get_model("planning", "ShareComment")
        kam = User.objects.create(username="kam_migracion")
        account = Account.objects.create(name="Aceros del Norte")
        contact = Contact.objects.create(account=account, name="Luis Pérez", email="luis@cliente.example")
        plan = AccountPlan.objects.create(account=account, period_start=datetime.date(2026, 1, 1),
                                          period_end=datetime.date(2026, 12, 31))
        link = ShareLink.objects.create(plan=plan, token_hash="a" * 64, contact=contact, created_by=kam,
                                        expires_at=timezone.now() + datetime.timedelta(days=30))
        said = timezone.now() - datetime.timedelta(days=3)
        ShareComment.objects.create(link=link, author="Luis Pérez", body="¿Podemos revisar los plazos?",
                                    created_at=said)

        apps = _migrate(AFTER)
        ClientThread = apps.get_model("planning", "ClientThread")
        thread = ClientThread.objects.get(plan_id=plan.pk)
        assert (thread.kind, thread.link_id, thread.contact_id, thread.created_at) == ("comment", link.pk,
                                                                                     contact.pk, said)
        message = thread.messages.get()
        assert (message.author_name, message.body, message.created_at) == ("Luis Pérez",
                                                                           "¿Podemos revisar los plazos?", said)

        apps = _migrate(BEFORE)
        comment = apps.get_model("planning", "ShareComment").objects.get(link_id=link.pk)
        assert (comment.author, comment.body, comment.created_at) == ("Luis Pérez", "¿Podemos revisar los plazos?",
                                                                      said)
    finally:
        _migrate()
