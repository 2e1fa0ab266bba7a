from celery import shared_task

from . import services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def recompute_revenue():
    """Trailing-12-month revenue and Pareto classes move with the calendar even without new figures."""
    services.revenue_recompute()
