"""The client's loose comments on share links become threads of the plan (kind "comment"), which the KAM
answers from the plan page; then the old table goes."""

from django.db import migrations


def comments_to_threads(apps, schema_editor):
    ShareComment = apps.get_model("planning", "ShareComment")
    ClientThread = apps.get_model("planning", "ClientThread")
    ClientMessage = apps.get_model("planning", "ClientMessage")
    for c in ShareComment.objects.select_related("link").order_by("created_at", "pk").iterator():
        thread = ClientThread.objects.create(plan_id=c.link.plan_id, link_id=c.link_id, contact_id=c.link.contact_id,
                                             kind="comment", created_at=c.created_at)
        ClientMessage.objects.create(thread=thread, author_name=c.author, body=c.body, created_at=c.created_at)


def threads_to_comments(apps, schema_editor):
    ShareComment = apps.get_model("planning", "ShareComment")
    ClientMessage = apps.get_model("planning", "ClientMessage")
    for m in (ClientMessage.objects.filter(thread__kind="comment", author_user__isnull=True,
                                           thread__link__isnull=False).select_related("thread")):
        ShareComment.objects.create(link_id=m.thread.link_id, author=m.author_name[:160] or "—", body=m.body,
                                    created_at=m.created_at)


class Migration(migrations.Migration):

    dependencies = [
        ("planning", "0005_client_verification_and_requests"),
    ]

    operations = [
        migrations.RunPython(comments_to_threads, threads_to_comments),
        migrations.DeleteModel(name="ShareComment"),
    ]
