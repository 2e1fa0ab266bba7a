"""Records that are kept: the programme's decisions and the evidence behind them (tier decisions,
assessments, sign-offs, the versions the client agreed to, the erasure log).

Deleting one is refused at every level: the admin has no delete (kam/admin_site.py), the model and
its querysets raise `ProtectedError`, the foreign keys they hang from are PROTECT (so deleting the
account or plan above them is refused too), and on PostgreSQL a trigger refuses a DELETE whoever
issues it, a psql session included. TRUNCATE is left alone: it is what a test run's reset and a
restore use, never the application.
"""

from django.db import models
from django.db.models import ProtectedError


def _refuse(objects):
    raise ProtectedError("These records are kept: deleting them is refused.", set(objects))


class KeptQuerySet(models.QuerySet):
    def delete(self):
        _refuse(self)

    delete.queryset_only = True  # type: ignore[attr-defined]  # read by Manager.from_queryset


class Kept(models.Model):
    """Base for records that are never deleted (they may still be updated, e.g. a sign-off cleared)."""

    objects = KeptQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        _refuse([self])


# The trigger's function is created once (kam's migration) and shared by every kept table.
_FUNCTION = """
CREATE OR REPLACE FUNCTION kam_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are an append-only record: deleting them is refused', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;
"""


def install_delete_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_FUNCTION, params=None)


def remove_delete_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS kam_refuse_delete()")


def delete_guard(*tables: str):
    """(forward, backward) RunPython functions adding a refuse-delete trigger to each table."""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(
                f'CREATE TRIGGER "{table}_kept" BEFORE DELETE ON "{table}" '
                f"FOR EACH ROW EXECUTE FUNCTION kam_refuse_delete()")

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_kept" ON "{table}"')

    return forward, backward
