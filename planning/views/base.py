"""What the plan pages share: how a plan's page is addressed, who may edit, and the editor's context with
its forms (the data comes from `selectors.plan_editor`)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from kam import versioning
from kam.errors import Conflict
from kam.forms import VersionedForm

from .. import selectors
from ..forms import (
    SECTION_FIELDS,
    ClientAgreementForm,
    CommitmentForm,
    KnowledgeTaskForm,
    OpportunityForm,
    PlanPeriodForm,
    PlanReviewForm,
    ValueDeliveredForm,
    person_label,
    section_form_class,
)
from ..models import CommitmentStatus

ROW_FORMS: dict[str, type[VersionedForm]] = {
    "task": KnowledgeTaskForm, "opportunity": OpportunityForm, "commitment": CommitmentForm,
             "review": PlanReviewForm, "value": ValueDeliveredForm}
ROW_TAB = {"task": "conocimiento", "opportunity": "vision", "commitment": "compromiso",
           "review": "compromiso", "value": "compromiso"}


def plan_url(plan, tab=""):
    url = reverse("planning:plan_detail", args=[plan.pk])
    return f"{url}#{tab}" if tab else url


def require_editor(user, account):
    """Readers of the plan who may not edit it get 403 (they know it exists); others got 404 before."""
    if not user.has_perm("planning.change_plan", account):
        raise PermissionDenied


def form_errors_text(form) -> str:
    return " ".join(str(e) for errs in form.errors.values() for e in errs)


def form_data(form) -> dict:
    """A versioned form's cleaned data without its version (which the service gets as `expected_version`)."""
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


def versioned_save(form, save) -> tuple[bool, Conflict | None]:
    """Save a valid versioned form through `save(data, expected_version)`. An `Invalid` goes onto the
    form; a `Conflict` keeps the user's input on the form, so that the next save is made knowingly from
    the version now shown, and is returned to be shown. Returns (saved, conflict)."""
    return versioning.form_write(form, lambda: save(form_data(form), form.cleaned_data.get("version")))


def row_form(kind, plan, choices=None, **kwargs):
    cls = ROW_FORMS[kind]
    if kind == "task":
        people = choices["people"] if choices else None
        return cls(people=people, **kwargs)
    if kind == "commitment":
        if choices:
            return cls(account=plan.account, people=choices["people"], contacts=choices["contacts"],
                       departments=choices["departments"], **kwargs)
        return cls(account=plan.account, **kwargs)
    return cls(**kwargs)


def _status_options():
    """The status list's <option>s, one variant per selected status: built once per page instead
    of once per commitment row."""
    labels = [(value, str(label)) for value, label in CommitmentStatus.choices]
    return {current: format_html_join("", "<option value=\"{}\"{}>{}</option>",
                                      ((value, mark_safe(" selected") if value == current else "", label)
                                       for value, label in labels))
            for current, _label in labels}


def _editor_forms(plan, actions) -> dict:
    choices = selectors.editor_choices(plan)
    forms: dict[str, Any] = {
        "sections": {s: section_form_class(s)(instance=plan, prefix=s) for s in SECTION_FIELDS},
        "row_forms": {k: row_form(k, plan, choices, prefix=k) for k in ROW_FORMS},
        "agreement_form": ClientAgreementForm(account=plan.account, prefix="agree"),
    }
    # One fetch of the people for both "owner" lists (the page's query budget is tight).
    people = [("", "---------")] + [(u.pk, person_label(u)) for u in choices["people"]]
    for kind in ("task", "commitment"):
        forms["row_forms"][kind].fields["owner"].choices = people
    if actions["set_period"]:
        forms["period_form"] = PlanPeriodForm(prefix="period", initial={
            "period_kind": plan.period_kind, "period_start": plan.period_start, "version": plan.version})
    return forms


def editor_context(request, plan, **extra) -> dict:
    """The editor's page: what `selectors.plan_editor` reads, and the forms when the user may edit."""
    ctx = selectors.plan_editor(request.user, plan)
    status_options = _status_options()
    for c in ctx["commitments"]:
        c.status_options = status_options.get(c.status, "")
    if ctx["can_edit"]:
        ctx.update(_editor_forms(plan, ctx["actions"]))
    ctx.update(extra)
    return ctx
