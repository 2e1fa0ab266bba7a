from django.utils.functional import SimpleLazyObject

from .navigation import nav_tree
from .roles import ROLE_LABELS, user_roles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread():
        return user.notifications.filter(read_at__isnull=True).count()

    return {
        "nav_items": SimpleLazyObject(lambda: nav_tree(user)),
        "unread_notifications": SimpleLazyObject(unread),
        "user_role_labels": SimpleLazyObject(
            lambda: [ROLE_LABELS[r] for r in sorted(user_roles(user)) if r in ROLE_LABELS]
        ),
    }
