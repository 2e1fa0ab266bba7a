"""Give the events and notices written before message kinds existed their kind and parameters, where
the row says which event it was (its kind, subkind or event key and the object it points at), so they
too read in each reader's language. Rows this cannot recognise keep showing their stored text.

The kinds are those of accounts/messages.py, touchpoints/messages.py (written out: a migration must not
follow later renames)."""

import re

from django.db import migrations

INCIDENT_LINK = re.compile(r"/incidents/(\d+)/")
NOTICE_KEY = re.compile(r"^incident:(\d+):(opened|ack-breach|resolve-breach)$")
ACCOUNT_EVENTS = {"created": "accounts.created", "updated": "accounts.updated", "archived": "accounts.archived",
                  "unarchived": "accounts.unarchived"}
BREACHES = {"ack": "touchpoints.ack_breached", "resolve": "touchpoints.resolve_breached"}
BATCH = 1000


def _incident_id(link):
    found = INCIDENT_LINK.search(link or "")
    return int(found.group(1)) if found else None


def _first_line(text):
    return text.splitlines()[0] if text else ""


def forwards(apps, schema_editor):
    Activity = apps.get_model("accounts", "Activity")
    Notification = apps.get_model("kam", "Notification")
    Incident = apps.get_model("touchpoints", "ServiceIncident")
    Touchpoint = apps.get_model("touchpoints", "Touchpoint")

    pending = Activity.objects.filter(message="")
    changed = []
    for a in pending.filter(kind="account", subkind__in=list(ACCOUNT_EVENTS)).only("pk", "subkind").iterator(BATCH):
        a.message, a.params = ACCOUNT_EVENTS[a.subkind], {}
        changed.append(a)

    incident_rows = list(pending.filter(kind__in=["incident_opened", "incident_breached"])
                         .only("pk", "kind", "subkind", "link"))
    incidents = Incident.objects.in_bulk({i for i in map(_incident_id, (a.link for a in incident_rows)) if i})
    for a in incident_rows:
        incident = incidents.get(_incident_id(a.link))
        if incident is None:
            continue
        if a.kind == "incident_opened":
            a.message = "touchpoints.incident_opened"
            a.params = {"severity": incident.severity, "category": incident.category, "title": incident.title}
        elif a.subkind in BREACHES:
            a.message, a.params = BREACHES[a.subkind], {"id": incident.pk, "title": incident.title}
        else:
            continue
        changed.append(a)

    for a in (pending.filter(kind__in=["touchpoint", "sponsor_visit"])
              .only("pk", "account_id", "occurred_at", "subkind").iterator(BATCH)):
        t = (Touchpoint.objects.filter(account_id=a.account_id, occurred_at=a.occurred_at, kind=a.subkind)
             .only("kind", "channel", "summary").order_by("pk").first())
        if t is None:
            continue
        a.message = "touchpoints.touchpoint"
        a.params = {"kind": t.kind, "channel": t.channel, "line": _first_line(t.summary)}
        changed.append(a)
    Activity.objects.bulk_update(changed, ["message", "params"], batch_size=BATCH)

    notices = list(Notification.objects.filter(message="", event_key__startswith="incident:")
                   .only("pk", "event_key"))
    keyed = [(n, NOTICE_KEY.match(n.event_key)) for n in notices]
    keyed = [(n, m) for n, m in keyed if m]
    incidents = (Incident.objects.select_related("account")
                 .in_bulk({int(m.group(1)) for _n, m in keyed}))
    changed = []
    for n, m in keyed:
        incident = incidents.get(int(m.group(1)))
        if incident is None:
            continue
        account = incident.account.name
        if m.group(2) == "opened":
            n.message = "touchpoints.notice_incident_opened"
            n.params = {"severity": incident.severity, "account": account, "title": incident.title,
                        "due": incident.ack_due_at.isoformat()}
        else:
            which = "ack" if m.group(2) == "ack-breach" else "resolve"
            n.message = f"touchpoints.notice_{which}_breached"
            due = incident.ack_due_at if which == "ack" else incident.resolve_due_at
            n.params = {"account": account, "id": incident.pk, "title": incident.title, "due": due.isoformat()}
        changed.append(n)
    Notification.objects.bulk_update(changed, ["message", "params"], batch_size=BATCH)


def backwards(apps, schema_editor):
    """The stored texts were never changed: forgetting the kinds is enough."""
    apps.get_model("accounts", "Activity").objects.exclude(message="").update(message="", params={})
    apps.get_model("kam", "Notification").objects.exclude(message="").update(message="", params={})


class Migration(migrations.Migration):

    dependencies = [
        ("touchpoints", "0006_input_bounds"),
        ("accounts", "0015_activity_message"),
        ("kam", "0013_message_kinds"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
