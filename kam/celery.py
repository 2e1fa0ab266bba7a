import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")

app = Celery("kam")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="kam.tasks.ping")
def ping():
    """A trivial task: proves a worker is consuming from the broker."""
    return "pong"
