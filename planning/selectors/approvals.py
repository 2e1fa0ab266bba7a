"""Reads on approvals: who may sign a plan off, which sign-offs it needs and lacks, and what the client
agreed to against what the plan says now."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _

from kam.models import Department

from ..models import CONOCIMIENTO_FIELDS, MATERIAL_TEXT_FIELDS, Party


def signers_for(plan, department) -> list:
    """Who may give `department`'s sign-off on `plan` (`department` None: the sponsor's).

    Four eyes: the department's people on the account's team and the department's named signers,
    except the plan's owner and anyone who may edit the plan (they would approve their own work).
    The sponsor's sign-off is the account's sponsor's alone."""
    account = plan.account
    if department is None:
        sponsor = account.sponsor
        return [sponsor] if sponsor is not None and sponsor.is_active and sponsor.pk != plan.owner_id else []
    people = (get_user_model().objects.filter(is_active=True)
              .filter(Q(account_memberships__account=account, account_memberships__department=department)
                      | Q(signing_departments=department))
              .exclude(pk__in=[pk for pk in (plan.owner_id, account.kam_id) if pk]).distinct()
              .order_by("first_name", "last_name", "pk"))
    return [u for u in people if not u.has_perm("planning.change_plan", account)]


def can_sign_for(user, plan, department) -> bool:
    return user.is_authenticated and any(u.pk == user.pk for u in signers_for(plan, department))


def commitment_terms(commitment) -> dict:
    """A commitment's content as agreed (no progress): what a sign-off approves and the client agrees to."""
    return {
        "id": commitment.pk,
        "party": commitment.party,
        "department_id": commitment.department_id,
        "who": str(commitment.department or commitment.contact or ""),
        "description": commitment.description,
        "due_date": commitment.due_date.isoformat() if commitment.due_date else "",
    }


def agreement_changes(plan, agreed=None) -> dict | None:
    """What changed since the client's last agreement: None if they never agreed, else the agreed
    version and the text fields and commitments added, removed or changed since."""
    agreed = agreed or plan.agreed_versions.order_by("-agreed_at", "-pk").first()
    if agreed is None:
        return None
    now = agreed_content(plan)
    then = agreed.content
    text = [name for name, value in now["text"].items() if (then.get("text", {}).get(name) or "") != (value or "")]
    before = {c["id"]: c for c in then.get("commitments", [])}
    after = {c["id"]: c for c in now["commitments"]}
    return {
        "agreed": agreed,
        "text": text,
        "added": [c for key, c in after.items() if key not in before],
        "removed": [c for key, c in before.items() if key not in after],
        "changed": [{"before": before[key], "after": c} for key, c in after.items()
                    if key in before and before[key] != c],
        "any": bool(text) or any(key not in before or before[key] != c for key, c in after.items())
        or any(key not in after for key in before),
    }



def required_signoff_departments(plan) -> list[Department]:
    """Each department that owns one of our commitments must sign off (plus the sponsor)."""
    ids = (plan.commitments.filter(party=Party.US).values_list("department_id", flat=True).distinct())
    return list(Department.objects.filter(pk__in=ids))


def missing_signoff_keys(plan) -> set:
    """The required sign-offs not given now: department ids, None for the sponsor's."""
    signed = set(plan.signoffs.filter(cleared_at__isnull=True).values_list("department_id", flat=True))
    keys = {d.pk for d in required_signoff_departments(plan)} | {None}
    return keys - signed


def missing_signoffs(plan) -> list[str]:
    """Labels of the sign-offs still missing for `committed` (the sponsor's first)."""
    signed = set(plan.signoffs.filter(cleared_at__isnull=True).values_list("department_id", flat=True))
    missing = [str(d) for d in required_signoff_departments(plan) if d.pk not in signed]
    if None not in signed:
        missing.insert(0, str(_("Executive sponsor")))
    return missing


def agreed_content(plan) -> dict:
    """What the client agrees to: the plan's text and both sides' commitments (see AgreedVersion)."""
    commitments = plan.commitments.select_related("department", "contact").order_by("due_date", "pk")
    return {
        "text": {name: getattr(plan, name) for name in MATERIAL_TEXT_FIELDS},
        "commitments": [commitment_terms(c) for c in commitments],
    }


def agreement_marks(plan, hidden=()) -> dict:
    """What a page marks as changed since the client's agreement: `changes` (see `agreement_changes`),
    `changed` (text field → the text as agreed) and `commitment_marks` (id → "new" or "changed"), left
    out for the `hidden` sections."""
    changes = agreement_changes(plan) if plan.client_agreed_at else None
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


def signoffs_owed_by(user) -> list[dict]:
    """Contract: the sign-offs `user` may give and nobody has given yet, on plans in internal review:
    [{"plan", "department"}] (department None: the sponsor's). The same people as `signers_for`, found
    set-based for every plan at once (a fixed number of queries): the account's sponsor for the sponsor's
    sign-off; for a department's, its people on the account's team and its named signers, never the
    plan's owner, the account's KAM or anyone who may edit the plan."""
    from accounts.models import AccountTeamMember
    from kam.roles import KAM, LEAD, user_roles

    from ..models import AccountPlan, Commitment, PlanStatus, SignOff

    if not user.is_authenticated or not user.is_active:
        return []
    roles = user_roles(user)
    in_review = AccountPlan.objects.filter(status=PlanStatus.IN_REVIEW).select_related("account")
    owed: list[dict] = []
    signed = SignOff.objects.filter(cleared_at__isnull=True)
    for plan in (in_review.filter(account__sponsor=user).exclude(owner=user)
                 .exclude(pk__in=signed.filter(department__isnull=True).values("plan_id")).order_by("pk")):
        owed.append({"plan": plan, "department": None})
    if LEAD in roles:  # the lead may edit every plan: never a department's signer
        return owed
    teams = dict(AccountTeamMember.objects.filter(user=user).values_list("account_id", "department_id"))
    named = set(user.signing_departments.values_list("pk", flat=True))
    departments = named | {d for d in teams.values() if d}
    if not departments:
        return owed
    pairs = (Commitment.objects.filter(party=Party.US, department_id__in=departments,
                                       plan__status=PlanStatus.IN_REVIEW)
             .values_list("plan_id", "department_id").distinct())
    candidates: dict[int, set[int]] = {}
    for plan_id, department_id in pairs:
        candidates.setdefault(plan_id, set()).add(department_id)
    if not candidates:
        return owed
    given = set(signed.filter(plan_id__in=candidates, department__isnull=False)
                .values_list("plan_id", "department_id"))
    names = {d.pk: d for d in Department.objects.filter(pk__in=departments)}
    for plan in in_review.filter(pk__in=candidates).order_by("pk"):
        account = plan.account
        if user.pk in (plan.owner_id, account.kam_id) or (KAM in roles and account.pk in teams):
            continue
        for department_id in sorted(candidates[plan.pk]):
            if (plan.pk, department_id) in given:
                continue
            if department_id in named or teams.get(account.pk) == department_id:
                owed.append({"plan": plan, "department": names[department_id]})
    return owed
