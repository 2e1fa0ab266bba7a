"""Every view declares who may use it. The decorators below both enforce the rule and record it on
the view (`view.access`), so the URL x persona test can fail any view that declares nothing.

Status conventions: anonymous users are redirected to the login page; a signed-in user without the
role gets 403; an object the user may not see is a 404 (raised by the entity's access-scoped getter).
"""

from functools import wraps

from django.contrib.auth.decorators import login_required as django_login_required
from django.core.exceptions import PermissionDenied

from .roles import has_role


def public(view):
    """Open to anyone, signed in or not (login page, share links, health check)."""
    view.access = "public"
    return view


def signed_in(view):
    """Any signed-in user; object access is then decided by the entity's getter (404 if not visible)."""
    wrapped = django_login_required(view)
    wrapped.access = "signed-in"
    return wrapped


def role_required(*roles: str):
    """Signed-in users holding at least one of `roles` (Django groups); others get 403."""

    def decorator(view):
        @wraps(view)
        def _wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped = django_login_required(_wrapped)
        wrapped.access = ("roles", tuple(roles))  # type: ignore[attr-defined]  # read by the access matrix
        return wrapped

    return decorator
