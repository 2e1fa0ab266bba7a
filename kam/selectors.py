import datetime

from django.core.paginator import Paginator
from django.utils import timezone

from .models import Notification, OutboxTask, UserProfile


def notifications_for(user, *, unread_only=False):
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


# Rows per page of every paginated list and table.
PAGE_SIZE = 25


def paginate(request, queryset, per_page: int | None = None):
    """One page (PAGE_SIZE rows unless said otherwise) of `queryset` from the request's `page` parameter;
    bad page numbers fall back to the nearest valid page instead of raising."""
    return Paginator(queryset, per_page or PAGE_SIZE).get_page(request.GET.get("page"))


def query_replaced(query, **changes) -> str:
    """`query` (a request's GET) as a query string with some parameters replaced; None or "" drops one.
    Keeps a list's filters across its pages and sorts."""
    query = query.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


# The outbox is reported late in /healthz when its oldest runnable row has waited this long (the worker,
# the scheduler or the broker is away).
OUTBOX_LATE_AFTER = datetime.timedelta(minutes=5)


def outbox_status() -> str:
    """For /healthz: "ok", or "N waiting since <ISO time>" when work has waited too long."""
    now = timezone.now()
    pending = OutboxTask.objects.filter(done_at__isnull=True, failed_at__isnull=True, run_after__lte=now)
    oldest = pending.order_by("run_after").values_list("run_after", flat=True).first()
    if oldest is None or oldest > now - OUTBOX_LATE_AFTER:
        return "ok"
    return f"{pending.count()} waiting since {timezone.localtime(oldest).isoformat(timespec='seconds')}"


def user_language_chosen(user) -> str:
    """The language the person chose on their profile ("" when they have not chosen one)."""
    return UserProfile.objects.filter(user=user).values_list("language", flat=True).first() or ""
