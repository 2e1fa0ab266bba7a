"""What the plan's editor shows, in a fixed number of queries whatever the plan's size."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Contact
from kam.models import Department, ProgrammeSettings

from .. import workflow
from ..models import Party
from .approvals import agreement_marks, can_sign_for
from .client import plan_client_activity
from .plans import plan_flags, plan_history


def may_edit(user, plan) -> bool:
    return user.has_perm("planning.change_plan", plan.account) and plan.is_open


def weighted_pipeline(opportunities) -> Decimal:
    return sum((o.weighted_value for o in opportunities), Decimal("0.00"))


def _rows(plan) -> dict:
    return {
        "tasks": list(plan.tasks.select_related("owner")),
        "opportunities": list(plan.opportunities.all()),
        "commitments": list(plan.commitments.select_related("department", "owner", "contact")),
        "reviews": list(plan.reviews.all()),
        "value_entries": list(plan.value_entries.all()),
    }


def _mark_commitments(user, plan, commitments, *, can_edit: bool) -> None:
    """Each commitment: is it overdue, and may `user` report its progress."""
    today = timezone.localdate()
    for c in commitments:
        c.overdue = c.is_overdue(today)
        c.can_update = plan.is_open and (can_edit or c.owner_id == user.pk)


def _by_party(commitments) -> dict:
    return {"us_commitments": [c for c in commitments if c.party == Party.US],
            "client_commitments": [c for c in commitments if c.party == Party.CLIENT]}


def _required_signoffs(user, plan, commitments, active) -> list[dict]:
    """The sponsor's sign-off and one per department owning one of our commitments: given or not, and
    whether `user` may give it now."""
    signed = {s.department_id: s for s in active}
    departments = {c.department for c in commitments if c.party == Party.US and c.department_id}
    required = [{"label": _("Executive sponsor"), "department": None, "signoff": signed.get(None)}]
    required += [{"label": str(d), "department": d, "signoff": signed.get(d.pk)}
                 for d in sorted(departments, key=lambda d: (d.order, d.name))]
    for r in required:
        # Who may sign only matters while the plan awaits sign-offs: spare the lookups otherwise.
        r["can_sign"] = (workflow.is_allowed(plan.status, "sign_off") and r["signoff"] is None
                         and can_sign_for(user, plan, r["department"]))
    return required


def _signoffs(user, plan, commitments) -> dict:
    signoffs = list(plan.signoffs.select_related("department", "signed_by"))
    active = [s for s in signoffs if s.cleared_at is None]
    required = _required_signoffs(user, plan, commitments, active)
    return {"signoffs": active, "cleared_signoffs": [s for s in signoffs if s.cleared_at is not None],
            "required_signoffs": required,
            "missing_signoffs": [r["label"] for r in required if r["signoff"] is None]}


def _totals(opportunities, value_entries) -> dict:
    return {
        "pipeline": weighted_pipeline(opportunities),
        "pipeline_total": sum((o.value for o in opportunities), 0),
        "value_total": sum((v.amount for v in value_entries), 0),
        "value_confirmed": sum((v.amount for v in value_entries if v.confirmed_by_client), 0),
    }


def plan_editor(user, plan) -> dict:
    """The plan as its editor shows it to `user` (a plan from `plan_get_for_user`): its rows, its
    sign-offs, what changed since the client's agreement, its totals, and what `user` may do."""
    rows = _rows(plan)
    can_edit = may_edit(user, plan)
    _mark_commitments(user, plan, rows["commitments"], can_edit=can_edit)
    return {
        "plan": plan, "account": plan.account, **rows, **_by_party(rows["commitments"]),
        "flags": plan_flags(plan, stale_days=ProgrammeSettings.current().plan_stale_days),
        **_signoffs(user, plan, rows["commitments"]), **agreement_marks(plan),
        **_totals(rows["opportunities"], rows["value_entries"]),
        "commercial": getattr(plan, "commercial", False), "can_edit": can_edit,
        "actions": workflow.allowed(plan.status), "now": timezone.now(),
        "history": list(plan_history(plan, limit=5)),
        **plan_client_activity(plan),
    }


def editor_choices(plan) -> dict:
    """The choice lists of the editor's forms, each fetched once per page."""
    people = get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name")
    contacts = Contact.objects.filter(account=plan.account, left_at__isnull=True)
    return {"people": people, "contacts": contacts, "departments": Department.objects.all()}

