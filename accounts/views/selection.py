"""Selection criteria, assessment, tier decisions, portfolio and pareto views."""


from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kam import selectors as kam_selectors
from kam import versioning
from kam.access import role_required
from kam.idempotency import once_per_submit
from kam.models import ParetoBasis, ProgrammeSettings
from kam.roles import KAM, LEAD, SPONSOR, has_role
from kam.selectors import paginate, query_replaced
from kam.tones import TIER_CHART_COLOURS

from .. import scoring, selectors, services
from ..forms import (
    AssessmentForm,
    CriterionForm,
    TierDecisionForm,
)
from ..models import Quadrant, SelectionCriterion, Tier
from .accounts import _account_with_perm, _detail_url, _filter_form_vary, _filtered_accounts


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
    # Revenue or contribution (?basis=); the programme's basis (the one its classes follow) by default.
    basis = selectors.pareto_basis(request.GET.get("basis"))
    programme_basis = selectors.pareto_basis()
    summary = selectors.pareto_summary(basis)
    scoped = selectors.accounts_visible_to(request.user)
    rows = selectors.pareto_rows(request.user, basis)
    a_line, b_line = int(scoring.PARETO_A_SHARE * 100), int(scoring.PARETO_B_SHARE * 100)
    by_revenue = basis == ParetoBasis.REVENUE
    chart = {"shares": summary["shares"], "ranks": summary["ranks"], "key": summary["key_ranks"],
             "key_shares": summary["key_shares"], "count": summary["count"],
             "lines": {"a": a_line, "b": b_line},
             "labels": {"curve": _("Cumulative share of revenue (%)") if by_revenue
                        else _("Cumulative share of contribution (%)"), "key": _("Key account"),
                        "x": _("Accounts ranked by 12-month revenue") if by_revenue
                        else _("Accounts ranked by 12-month contribution"),
                        "a": _("%(share)s %% (A)") % {"share": a_line}, "b": _("%(share)s %% (B)") % {"share": b_line}}}
    mismatches = selectors.tier_mismatches(scoped)
    return render(request, "accounts/pareto.html", {
        "page": paginate(request, rows), "summary": summary, "chart": chart, "basis": basis,
        "programme_basis": programme_basis, "bases": ParetoBasis.choices,
        "mismatches": list(mismatches[:kam_selectors.PAGE_SIZE]), "mismatch_count": mismatches.count(),
        "user_is_lead": has_role(request.user, LEAD),
    })


# --- Imports ---------------------------------------------------------------------------------------
