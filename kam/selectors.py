from django.core.paginator import Paginator

from .models import Notification


def notifications_for(user, *, unread_only=False):
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


def paginate(request, queryset, per_page=25):
    """One page of `queryset` from the request's `page` parameter; bad page numbers fall back
    to the nearest valid page instead of raising."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


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
