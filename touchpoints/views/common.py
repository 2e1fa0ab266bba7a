from django.http import Http404
from django.shortcuts import render

from accounts.selectors import account_get_for_user
from kam.query import int_param

from .. import selectors


def _account_from_query(request, param="account"):
    """The account named in the query string, if the user may see it (404 otherwise)."""
    query = request.GET if request.GET.get(param) else request.POST
    if not query.get(param):
        return None
    pk = int_param(query, param)
    if pk is None:
        raise Http404
    return account_get_for_user(request.user, pk)


def _account_picker(request, *, target: str, incidents: bool, title: str):
    query = request.GET.get("q", "").strip()[:100]
    accounts = selectors.accounts_for_picker(request.user, query=query, incidents=incidents)
    context = {"accounts": accounts, "query": query, "target": target, "title": title,
               "incidents": incidents}
    if request.htmx:
        return render(request, "touchpoints/partials/account_options.html", context)
    return render(request, "touchpoints/account_picker.html", context)


def _labels(choices) -> dict:
    # Translated once per request: get_FOO_display() would rebuild and hash every lazy label per row.
    return {value: str(label) for value, label in choices}

