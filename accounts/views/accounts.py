"""Account list, detail, edit, archive and stage views."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam import versioning
from kam.access import role_required, signed_in
from kam.idempotency import once_per_submit
from kam.roles import KAM, LEAD, has_role
from kam.selectors import paginate, query_replaced

from .. import selectors, services
from ..filters import AccountFilter
from ..forms import (
    AccountCreateForm,
    AccountForm,
    StageChangeForm,
)


def _account_with_perm(request, pk, perm):
    """The account if visible (else 404) and `perm` holds on it (else 403)."""
    account = selectors.account_get_for_user(request.user, pk)
    if not request.user.has_perm(perm, account):
        raise PermissionDenied
    return account


def _detail_url(account):
    return reverse("accounts:detail", args=[account.pk])


# Rows per page of the account tables: the filters and sorting carry across pages, and the full list is
# the export; more rows per page cost rendering time on every request.
# The financials page shows two years at a time.
MONTHS_PER_PAGE = 24


# --- Registry --------------------------------------------------------------------------------------
def _filtered_accounts(request):
    base = selectors.with_commercial(selectors.accounts_visible_to(request.user, include_archived=True),
                                     request.user)
    # Always bound, so the default (active accounts, by name) applies without any parameter.
    return AccountFilter(request.GET, queryset=base, request=request)


def _filter_form_vary(request):
    """Besides the people it offers (read while it renders), the filter form shows the query string's
    values (see kam/datastamps.py)."""
    return query_replaced(request.GET, page=None)


@signed_in
def account_list(request):
    f = _filtered_accounts(request)
    page = paginate(request, f.qs)
    return render(request, "accounts/account_list.html", {
        "filter": f, "page": page, "can_create": has_role(request.user, LEAD, KAM),
        "is_filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
        "filter_vary": _filter_form_vary(request),
        "may_export_financials": selectors.reads_commercial_anywhere(request.user),
    })


@role_required(LEAD, KAM)
@once_per_submit
def account_create(request):
    may_assign = request.user.has_perm("accounts.assign_people")
    form = AccountCreateForm(request.POST or None, may_assign=may_assign,
                             initial={"kam": request.user if has_role(request.user, KAM) else None})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "relationship_stage")}
        created = []
        done, _conflict = versioning.form_write(form, lambda: created.append(services.account_create(
            actor=request.user, stage=form.cleaned_data["relationship_stage"], **data)))
        if done:
            messages.success(request, _("Account “%(name)s” created.") % {"name": created[0].name})
            return redirect(_detail_url(created[0]))
    return render(request, "accounts/account_form.html", {"form": form, "account": None,
                                                          "may_assign": may_assign})


@signed_in
def account_detail(request, pk):
    account = selectors.account_get_for_user(request.user, pk)
    user = request.user
    commercial = user.has_perm("accounts.view_commercial", account)
    trend = selectors.revenue_trend(account) if commercial else []
    contacts = selectors.relationship_map(account)
    assessments = selectors.latest_assessments(account)
    context = {
        "commercial": commercial,
        "can_enter_financials": commercial and user.has_perm("accounts.change_financials", account),
        "account": account,
        # parent_id too: the related manager reads it on every row, and deferring it cost a query each.
        "children": list(account.children.filter(archived_at__isnull=True).only("pk", "name", "tier", "parent_id")),
        "team": list(selectors.account_team(account)),
        "stages": list(selectors.stage_history(account)[:10]),
        "decisions": list(selectors.tier_decisions_for(account)[:5]),
        "assessments": assessments,
        "attr_spread": _spread(a.attractiveness for a in assessments),
        "strength_spread": _spread(a.strength for a in assessments),
        "trend": trend,
        "trend_last": trend[-12:],
        "revenue_change": selectors.revenue_change(trend),
        "chart": {"labels": [r["month"].strftime("%Y-%m") for r in trend],
                  "revenue": [float(r["revenue"]) for r in trend], "label": _("Monthly revenue")},
        "contact_count": len(contacts["current"]),
        "warnings": contacts["warnings"],
        "can_edit": user.has_perm("accounts.change_account", account),
        "can_manage_team": user.has_perm("accounts.manage_team", account),
        "can_assess": user.has_perm("accounts.assess_account", account),
        "can_decide": user.has_perm("accounts.decide_tier", account),
        "panels": [(app, reverse("accounts:panel", args=[account.pk, app])) for app in PANELS],
    }
    return render(request, "accounts/account_detail.html", context)


# Panels that higher apps contribute to the account page (docs/architecture.md, "Panels"). They load in their own
# request (htmx, on page load), so the hub's query budget does not depend on what the other apps show.
PANELS = {"planning": "account_plan_panel", "agreements": "account_agreements_panel",
          "touchpoints": "account_touchpoints_panel", "charter": "account_charter_panel",
          "metrics": "account_metrics_panel", "surveys": "account_survey_panel"}


@signed_in
def account_panel(request, pk, app):
    if app not in PANELS:
        raise Http404
    account = selectors.account_get_for_user(request.user, pk)
    return render(request, "accounts/_panel.html", {"account": account, "app": app, "tag": PANELS[app]})


def _spread(values):
    from ..scoring import spread

    return spread(list(values))


@signed_in
def account_edit(request, pk):
    account = _account_with_perm(request, pk, "accounts.change_account")
    may_assign = request.user.has_perm("accounts.assign_people", account)
    form = AccountForm(request.POST or None, instance=account, may_assign=may_assign)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        done, conflict = versioning.form_write(form, lambda: services.account_update(
            actor=request.user, account=account, expected_version=form.cleaned_data.get("version"), **data))
        if done:
            messages.success(request, _("Account saved."))
            return redirect(_detail_url(account))
    return render(request, "accounts/account_form.html", {"form": form, "account": account,
                                                          "may_assign": may_assign, "conflict": conflict})


@signed_in
@require_POST
def account_archive(request, pk):
    account = _account_with_perm(request, pk, "accounts.change_account")
    services.account_archive(account=account, actor=request.user)
    messages.success(request, _("Account archived. It keeps its history and can be restored."))
    return redirect(_detail_url(account))


@signed_in
@require_POST
def account_unarchive(request, pk):
    account = _account_with_perm(request, pk, "accounts.change_account")
    services.account_unarchive(account=account, actor=request.user)
    messages.success(request, _("Account restored."))
    return redirect(_detail_url(account))


@signed_in
@once_per_submit
def account_stage(request, pk):
    account = _account_with_perm(request, pk, "accounts.change_account")
    form = StageChangeForm(request.POST or None, initial={"changed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid() and versioning.form_write(form, lambda: services.stage_change(
            actor=request.user, account=account, to_stage=form.cleaned_data["to_stage"],
            changed_on=form.cleaned_data["changed_on"], note=form.cleaned_data["note"]))[0]:
        messages.success(request, _("Relationship stage updated."))
        return redirect(_detail_url(account))
    return render(request, "accounts/stage_form.html", {"form": form, "account": account,
                                                        "stages": selectors.stage_history(account)})


# --- Team ------------------------------------------------------------------------------------------
