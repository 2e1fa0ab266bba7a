"""What the plan pages share: the editor's forms and context, and how a plan's page is addressed."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from accounts.models import Contact
from kam.models import Department, ProgrammeSettings

from .. import selectors, services
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
from ..models import (
    CONOCIMIENTO_FIELDS,
    CommitmentStatus,
    Party,
    PlanStatus,
)

ROW_FORMS = {"task": KnowledgeTaskForm, "opportunity": OpportunityForm, "commitment": CommitmentForm,
             "review": PlanReviewForm, "value": ValueDeliveredForm}
ROW_TAB = {"task": "conocimiento", "opportunity": "vision", "commitment": "compromiso",
           "review": "compromiso", "value": "compromiso"}


def _plan_url(plan, tab=""):
    url = reverse("planning:plan_detail", args=[plan.pk])
    return f"{url}#{tab}" if tab else url


def _require_editor(user, account):
    """Readers of the plan who may not edit it get 403 (they know it exists); others got 404 before."""
    if not user.has_perm("planning.change_plan", account):
        raise PermissionDenied


def _form_errors_text(form) -> str:
    return " ".join(str(e) for errs in form.errors.values() for e in errs)


def _choices_for(plan):
    """The choice lists of the editor's forms, each fetched once per page."""
    people = get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name")
    contacts = Contact.objects.filter(account=plan.account, left_at__isnull=True)
    departments = Department.objects.all()
    return {"people": people, "contacts": contacts, "departments": departments}


def _row_form(kind, plan, choices=None, **kwargs):
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


def _plan_context(request, plan, *, with_forms=True, **extra):
    """Everything the editor shows, in a fixed number of queries whatever the plan's size."""
    user = request.user
    account = plan.account
    settings = ProgrammeSettings.current()
    tasks = list(plan.tasks.select_related("owner"))
    opportunities = list(plan.opportunities.all())
    commitments = list(plan.commitments.select_related("department", "owner", "contact"))
    signoffs = list(plan.signoffs.select_related("department", "signed_by"))
    reviews = list(plan.reviews.all())
    value_entries = list(plan.value_entries.all())
    can_edit = user.has_perm("planning.change_plan", account) and plan.status != PlanStatus.CLOSED
    active = [s for s in signoffs if s.cleared_at is None]
    signed = {s.department_id: s for s in active}
    required_depts = {c.department for c in commitments if c.party == Party.US and c.department_id}
    required = [{"label": _("Executive sponsor"), "department": None, "signoff": signed.get(None)}]
    required += [{"label": str(d), "department": d, "signoff": signed.get(d.pk)}
                 for d in sorted(required_depts, key=lambda d: (d.order, d.name))]
    for r in required:
        # Who may sign only matters while the plan awaits sign-offs: spare the lookups otherwise.
        r["can_sign"] = (plan.status == PlanStatus.IN_REVIEW and r["signoff"] is None
                         and selectors.can_sign_for(user, plan, r["department"]))
    today = timezone.localdate()
    status_options = _status_options()
    for c in commitments:
        c.overdue = c.is_overdue(today)
        c.can_update = plan.status != PlanStatus.CLOSED and (can_edit or c.owner_id == user.pk)
        c.status_options = status_options.get(c.status, "")
    with_forms = with_forms and can_edit
    choices = _choices_for(plan) if with_forms else None
    ctx = {
        "plan": plan, "account": account, "flags": selectors.plan_flags(plan, stale_days=settings.plan_stale_days),
        "tasks": tasks, "opportunities": opportunities, "commitments": commitments,
        "us_commitments": [c for c in commitments if c.party == Party.US],
        "client_commitments": [c for c in commitments if c.party == Party.CLIENT],
        "signoffs": active, "cleared_signoffs": [s for s in signoffs if s.cleared_at is not None],
        "required_signoffs": required, "commercial": getattr(plan, "commercial", False),
        **_agreement_marks(plan),
        "missing_signoffs": [r["label"] for r in required if r["signoff"] is None],
        "reviews": reviews, "value_entries": value_entries,
        "pipeline": services.weighted_pipeline(opportunities),
        "pipeline_total": sum((o.value for o in opportunities), 0),
        "value_total": sum((v.amount for v in value_entries), 0),
        "value_confirmed": sum((v.amount for v in value_entries if v.confirmed_by_client), 0),
        "can_edit": can_edit, "now": timezone.now(),
        "history": list(selectors.plan_history(plan, limit=5)),
    }
    if with_forms:
        ctx["sections"] = {s: section_form_class(s)(instance=plan, prefix=s) for s in SECTION_FIELDS}
        ctx["row_forms"] = {k: _row_form(k, plan, choices, prefix=k) for k in ROW_FORMS}
        # One fetch of the people for both "owner" lists (the page's query budget is tight).
        people = [("", "---------")] + [(u.pk, person_label(u)) for u in choices["people"]]
        for kind in ("task", "commitment"):
            ctx["row_forms"][kind].fields["owner"].choices = people
        ctx["agreement_form"] = ClientAgreementForm(account=account, prefix="agree")
        if plan.status == PlanStatus.DRAFT:
            ctx["period_form"] = PlanPeriodForm(prefix="period", initial={
                "period_kind": plan.period_kind, "period_start": plan.period_start, "version": plan.version})
    ctx.update(extra)
    return ctx


def _agreement_marks(plan, hidden=()) -> dict:
    """What the document marks as changed since the client's agreement: `changed` (text field → the
    text as agreed) and `commitment_marks` (id → "new" or "changed"), left out for hidden sections."""
    changes = selectors.agreement_changes(plan) if plan.client_agreed_at else None
    if not changes:
        return {"changes": None, "changed": {}, "commitment_marks": {}}
    visible = {"summary"}
    if "conocimiento" not in hidden:
        visible |= set(CONOCIMIENTO_FIELDS)
    if "vision" not in hidden:
        visible.add("vision_statement")
    agreed_text = changes["agreed"].content.get("text", {})
    marks = {}
    if "commitments" not in hidden:
        marks.update({c["id"]: "new" for c in changes["added"]})
        marks.update({c["after"]["id"]: "changed" for c in changes["changed"]})
    else:
        changes = {**changes, "removed": [], "added": [], "changed": []}
    return {"changes": changes, "commitment_marks": marks,
            "changed": {name: agreed_text.get(name, "") for name in changes["text"] if name in visible}}
