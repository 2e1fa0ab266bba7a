import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam import selectors as kam_selectors
from kam import versioning
from kam.access import role_required, signed_in
from kam.errors import Conflict
from kam.idempotency import once_per_submit
from kam.models import ProgrammeSettings
from kam.people import person_label
from kam.roles import KAM, LEAD, SPONSOR, has_role
from kam.selectors import paginate, query_replaced
from kam.tones import TIER_CHART_COLOURS
from kam.uploads import upload_refused

from . import imports, scoring, selectors, services
from .filters import AccountFilter
from .forms import (
    AccountCreateForm,
    AccountForm,
    AssessmentForm,
    ContactEraseForm,
    ContactForm,
    ContactGoneForm,
    CriterionForm,
    FinancialRecordForm,
    ImportForm,
    StageChangeForm,
    TeamMemberEditForm,
    TeamMemberForm,
    TierDecisionForm,
)
from .models import AccountTeamMember, Contact, ImportRun, Quadrant, SelectionCriterion, Tier


def _account_with_perm(request, pk, perm):
    """The account if visible (else 404) and `perm` holds on it (else 403)."""
    account = selectors.account_get_for_user(request.user, pk)
    if not request.user.has_perm(perm, account):
        raise PermissionDenied
    return account


def _detail_url(account):
    return reverse("accounts:detail", args=[account.pk])


# Rows per page of the account tables: the filters and sorting carry across pages, and the full list is
# the CSV export; more rows per page cost rendering time on every request.
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
    })


@signed_in
def account_export(request):
    """The filtered list as CSV (semicolon-separated with a BOM, as spreadsheets in Spanish expect)."""
    f = _filtered_accounts(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="accounts-{timezone.localdate():%Y%m%d}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    for row in imports.export_rows(f.qs):
        writer.writerow(row)
    return response


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
PANELS = {"planning": "account_plan_panel", "touchpoints": "account_touchpoints_panel",
          "metrics": "account_metrics_panel"}


@signed_in
def account_panel(request, pk, app):
    if app not in PANELS:
        raise Http404
    account = selectors.account_get_for_user(request.user, pk)
    return render(request, "accounts/_panel.html", {"account": account, "app": app, "tag": PANELS[app]})


def _spread(values):
    from .scoring import spread

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
@signed_in
@once_per_submit
def account_team(request, pk):
    account = _account_with_perm(request, pk, "accounts.manage_team")
    form = TeamMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and versioning.form_write(form, lambda: services.team_member_add(
            actor=request.user, account=account, **form.cleaned_data))[0]:
        messages.success(request, _("Team updated."))
        return redirect("accounts:team", pk=account.pk)
    return render(request, "accounts/team.html", {"account": account, "form": form,
                                                  "team": selectors.account_team(account)})


def _member(request, pk, member_pk):
    account = _account_with_perm(request, pk, "accounts.manage_team")
    member = get_object_or_404(AccountTeamMember.objects.select_related("user", "account", "department"),
                               pk=member_pk, account=account)
    return account, member


@signed_in
def team_member_edit(request, pk, member_pk):
    account, member = _member(request, pk, member_pk)
    form = TeamMemberEditForm(request.POST or None, instance=member)
    conflict = None
    if request.method == "POST" and form.is_valid():
        done, conflict = versioning.form_write(form, lambda: services.team_member_update(
            actor=request.user, member=member, expected_version=form.cleaned_data.get("version"),
            department=form.cleaned_data["department"], role=form.cleaned_data["role"]))
        if done:
            messages.success(request, _("Team updated."))
            return redirect("accounts:team", pk=account.pk)
    return render(request, "accounts/team_member_form.html", {"account": account, "member": member, "form": form,
                                                              "conflict": conflict})


@signed_in
@require_POST
def team_member_remove(request, pk, member_pk):
    account, member = _member(request, pk, member_pk)
    try:
        services.team_member_remove(actor=request.user, member=member, expected_version=request.POST.get("version"))
    except Conflict:
        messages.warning(request, _("%(person)s's place on the team was changed meanwhile; nothing was removed. "
                                    "Check the team as it is now.") % {
            "person": person_label(member.user)})
    else:
        messages.success(request, _("%(person)s removed from the team.") % {
            "person": person_label(member.user)})
    return redirect("accounts:team", pk=account.pk)


# --- Relationship map ------------------------------------------------------------------------------
@signed_in
def account_contacts(request, pk):
    account = selectors.account_get_for_user(request.user, pk)
    return render(request, "accounts/contacts.html", {
        "account": account, "map": selectors.relationship_map(account),
        "can_edit": request.user.has_perm("accounts.change_account", account),
        "personal_data": request.user.has_perm("accounts.handle_personal_data", account)})


@signed_in
@once_per_submit
def contact_new(request, pk):
    account = _account_with_perm(request, pk, "accounts.change_account")
    form = ContactForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid() and versioning.form_write(form, lambda: services.contact_save(
            actor=request.user, account=account, data=_contact_data(form)))[0]:
        messages.success(request, _("Contact added."))
        return redirect("accounts:contacts", pk=account.pk)
    return render(request, "accounts/contact_form.html", {"form": form, "account": account, "contact": None})


def _contact_data(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


def _contact_with_perm(request, contact_pk):
    contact = get_object_or_404(Contact.objects.select_related("account"), pk=contact_pk)
    account = _account_with_perm(request, contact.account_id, "accounts.change_account")
    return contact, account


@signed_in
def contact_edit(request, contact_pk):
    contact, account = _contact_with_perm(request, contact_pk)
    form = ContactForm(request.POST or None, instance=contact, account=account)
    conflict = None
    if request.method == "POST" and form.is_valid():
        done, conflict = versioning.form_write(form, lambda: services.contact_save(
            actor=request.user, account=account, contact=contact, data=_contact_data(form),
            expected_version=form.cleaned_data.get("version")))
        if done:
            messages.success(request, _("Contact saved."))
            return redirect("accounts:contacts", pk=account.pk)
    return render(request, "accounts/contact_form.html", {
        "form": form, "account": account, "contact": contact, "conflict": conflict,
        "personal_data": request.user.has_perm("accounts.handle_personal_data", account)})


@signed_in
def contact_gone(request, contact_pk):
    contact, account = _contact_with_perm(request, contact_pk)
    if contact.is_gone:
        messages.info(request, _("%(name)s is already marked as gone.") % {"name": contact.name})
        return redirect("accounts:contacts", pk=account.pk)
    form = ContactGoneForm(request.POST or None, contact=contact)
    if request.method == "POST" and form.is_valid() and versioning.form_write(form, lambda: services.contact_mark_gone(
            actor=request.user, contact=contact, left_at=form.cleaned_data["left_at"],
            successor=form.cleaned_data["successor"], successor_name=form.cleaned_data["successor_name"]))[0]:
        messages.success(request, _("%(name)s marked as gone; the position and its history stay.") % {
            "name": contact.name})
        return redirect("accounts:contacts", pk=account.pk)
    return render(request, "accounts/contact_gone.html", {"form": form, "account": account, "contact": contact})


# --- Personal data: export and erasure (the programme lead) -----------------------------------------
def _contact_for_personal_data(request, contact_pk):
    contact = get_object_or_404(Contact.objects.select_related("account"), pk=contact_pk)
    account = _account_with_perm(request, contact.account_id, "accounts.handle_personal_data")
    return contact, account


@role_required(LEAD)
def contact_personal_data(request, contact_pk):
    contact, account = _contact_for_personal_data(request, contact_pk)
    return render(request, "accounts/contact_personal_data.html", {
        "contact": contact, "account": account, "data": selectors.contact_personal_data(contact)})


@role_required(LEAD)
def contact_personal_data_json(request, contact_pk):
    contact, _account = _contact_for_personal_data(request, contact_pk)
    response = JsonResponse(selectors.contact_personal_data(contact), encoder=DjangoJSONEncoder,
                            json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}-personal-data.json"'
    return response


@role_required(LEAD)
def contact_erase(request, contact_pk):
    contact, account = _contact_for_personal_data(request, contact_pk)
    form = ContactEraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and versioning.form_write(form, lambda: services.contact_erase(
            actor=request.user, contact=contact, reason=form.cleaned_data["reason"]))[0]:
        messages.success(request, _("The contact's personal data was erased; the erasure is logged."))
        return redirect("accounts:contacts", pk=account.pk)
    return render(request, "accounts/contact_erase.html", {
        "form": form, "account": account, "contact": contact, "terms": selectors.contact_mention_terms(contact)})


# --- Financials ------------------------------------------------------------------------------------
@signed_in
@once_per_submit
def account_financials(request, pk):
    account = _account_with_perm(request, pk, "accounts.view_commercial")
    can_edit = request.user.has_perm("accounts.change_financials", account)
    form = FinancialRecordForm(request.POST or None)
    # Whoever may not enter figures is refused by the service (403), form valid or not.
    if request.method == "POST" and not can_edit:
        services.permission_require(actor=request.user, perm="accounts.change_financials", obj=account)
    if request.method == "POST" and form.is_valid() and versioning.form_write(
            form, lambda: services.financial_record_save(actor=request.user, account=account, **form.cleaned_data))[0]:
        messages.success(request, _("Financials for %(month)s saved.") % {
            "month": form.cleaned_data["month"].strftime("%Y-%m")})
        return redirect("accounts:financials", pk=account.pk)
    page = paginate(request, account.financials.order_by("-month"), MONTHS_PER_PAGE)
    return render(request, "accounts/financials.html", {"account": account, "form": form, "page": page,
                                                        "can_edit": can_edit})


# --- Selection: criteria, assessments, tier decisions -----------------------------------------------
@role_required(LEAD)
def selection(request):
    criteria = list(SelectionCriterion.objects.all())
    history = (SelectionCriterion.history.select_related("history_user").order_by("-history_date")[:15])
    mismatches = selectors.tier_mismatches()
    return render(request, "accounts/selection.html", {
        "criteria": criteria,
        "weights": {axis: sum(c.weight for c in criteria if c.axis == axis and c.active)
                    for axis in ("attractiveness", "strength")},
        "history": history, "size": selectors.programme_size(),
        "mismatches": paginate(request, mismatches),
        "recent_decisions": selectors.recent_tier_decisions()[:10],
    })


@role_required(LEAD)
@once_per_submit
def criterion_edit(request, criterion_pk=None):
    criterion = get_object_or_404(SelectionCriterion, pk=criterion_pk) if criterion_pk else None
    form = CriterionForm(request.POST or None, instance=criterion)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        done, conflict = versioning.form_write(form, lambda: services.criterion_save(
            actor=request.user, criterion=criterion, data=data, expected_version=form.cleaned_data.get("version")))
        if done:
            messages.success(request, _("Criterion saved; every assessed account was rescored with the new weights."))
            return redirect("accounts:selection")
    return render(request, "accounts/criterion_form.html", {"form": form, "criterion": criterion,
                                                            "conflict": conflict})


@role_required(LEAD, SPONSOR)
@once_per_submit
def account_assess(request, pk):
    account = _account_with_perm(request, pk, "accounts.assess_account")
    criteria = SelectionCriterion.objects.filter(active=True).order_by("axis", "order", "name")
    form = AssessmentForm(request.POST or None, criteria=criteria)
    if request.method == "POST" and form.is_valid() and versioning.form_write(form, lambda: services.assessment_create(
            actor=request.user, account=account, scores=form.scores(), assessed_on=form.cleaned_data["assessed_on"],
            note=form.cleaned_data["note"]))[0]:
        account.refresh_from_db()
        messages.success(request, _("Assessment saved: attractiveness %(a)s, strength %(s)s.") % {
            "a": "–" if account.attractiveness is None else f"{account.attractiveness:.0f}",
            "s": "–" if account.strength is None else f"{account.strength:.0f}"})
        return redirect(_detail_url(account))
    return render(request, "accounts/assess.html", {
        "account": account, "form": form, "assessments": selectors.latest_assessments(account)})


@role_required(LEAD)
@once_per_submit
def account_tier(request, pk):
    account = _account_with_perm(request, pk, "accounts.decide_tier")
    form = TierDecisionForm(request.POST or None, account=account)
    conflict = None
    if request.method == "POST" and form.is_valid():
        done, conflict = versioning.form_write(form, lambda: services.tier_decide(
            actor=request.user, account=account, to_tier=form.cleaned_data["to_tier"],
            reason=form.cleaned_data["reason"], expected_tier=form.cleaned_data["expected_tier"],
            cap_override=form.cleaned_data["cap_override"], override_reason=form.cleaned_data["override_reason"],
            kam=form.cleaned_data["kam"], sponsor=form.cleaned_data["sponsor"]))
        if done:
            messages.success(request, _("Tier decision recorded."))
            return redirect("accounts:tier", pk=account.pk)
        if conflict is not None:
            # The next decision is made knowingly from the tier now shown.
            data = request.POST.copy()
            data["expected_tier"] = conflict.current.tier
            form.data = data
    return render(request, "accounts/tier.html", {
        "account": account, "form": form, "decisions": selectors.tier_decisions_for(account),
        "conflict": conflict,
        "size": selectors.programme_size(), "evidence": selectors.tier_evidence(account)})


# --- Portfolio and Pareto --------------------------------------------------------------------------
@role_required(LEAD, SPONSOR, KAM)
def portfolio(request):
    f = _filtered_accounts(request)
    qs = f.qs.filter(attractiveness__isnull=False, strength__isnull=False)
    programme = ProgrammeSettings.current()

    def chart():
        # Read here, not from `programme`: the chart is cached with the tables read while building it.
        current = ProgrammeSettings.current()
        return {"points": selectors.portfolio_points(qs),
                "thresholds": {"x": float(current.strength_threshold),
                               "y": float(current.attractiveness_threshold)},
                "quadrants": {q.value: str(q.label) for q in Quadrant}, "tiers": {t.value: str(t.label) for t in Tier},
                "detail_url": selectors.portfolio_detail_url(), "scales": selectors.portfolio_scales(),
                "colours": TIER_CHART_COLOURS}

    unassessed = f.qs.filter(attractiveness__isnull=True).count()
    return render(request, "accounts/portfolio.html", {
        "filter": f, "page": paginate(request, qs.order_by("-attractiveness", "-strength", "pk")),
        # Every assessed account is a bubble: the template calls `chart` only when the cached JSON is
        # missing. Who sees which accounts depends on the person's roles and teams, hence the person.
        "chart": chart,
        "chart_vary": (request.user.pk, query_replaced(request.GET, page=None)),
        "filter_vary": _filter_form_vary(request),
        "programme": programme, "unassessed": unassessed,
        "size": selectors.programme_size() if has_role(request.user, LEAD) else None,
    })


@role_required(LEAD, SPONSOR, KAM)
def pareto(request):
    summary = selectors.pareto_summary()
    scoped = selectors.accounts_visible_to(request.user)
    rows = selectors.pareto_rows(request.user)
    a_line, b_line = int(scoring.PARETO_A_SHARE * 100), int(scoring.PARETO_B_SHARE * 100)
    chart = {"shares": summary["shares"], "key": summary["key_ranks"], "lines": {"a": a_line, "b": b_line},
             "labels": {"curve": _("Cumulative share of revenue (%)"), "key": _("Key account"),
                        "x": _("Accounts ranked by 12-month revenue"),
                        "a": _("%(share)s %% (A)") % {"share": a_line}, "b": _("%(share)s %% (B)") % {"share": b_line}}}
    mismatches = selectors.tier_mismatches(scoped)
    return render(request, "accounts/pareto.html", {
        "page": paginate(request, rows), "summary": summary, "chart": chart,
        "mismatches": list(mismatches[:kam_selectors.PAGE_SIZE]), "mismatch_count": mismatches.count(),
        "user_is_lead": has_role(request.user, LEAD),
    })


# --- Imports ---------------------------------------------------------------------------------------
@role_required(LEAD)
@once_per_submit
def import_page(request):
    form = ImportForm(request.POST or None, request.FILES or None, upload_refused=upload_refused(request))
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = imports.run_import(kind=form.cleaned_data["kind"], data=upload.read(), filename=upload.name,
                                    actor=request.user)
        if result.ok:
            messages.success(request, _("Imported %(rows)s rows: %(created)s created, %(updated)s updated.") % {
                "rows": result.rows, "created": result.created, "updated": result.updated})
            return redirect("accounts:imports")
    return render(request, "accounts/imports.html", {
        "form": form, "result": result, "columns": imports.COLUMNS,
        "runs": ImportRun.objects.select_related("imported_by")[:15]})

