"""The kinds of events and notices of the planning app (kam.messages), registered by
PlanningConfig.ready."""

from django.utils.translation import gettext_lazy as _

from kam.messages import DATE, MESSAGES, TEXT, TEXTS, Choice, Fields, register

# Parts of other messages.
PERIOD = register("planning.period", "%(kind)s %(start)s–%(end)s",
                  kind=Choice("planning.AccountPlan", "period_kind"), start=DATE, end=DATE)
FIELDS_CHANGED = register("planning.fields", "%(fields)s", fields=Fields("planning.AccountPlan"))
COMMITMENT_ADDED = register("planning.commitment_added", _("commitment added: %(what)s"))
COMMITMENT_CHANGED = register("planning.commitment_changed", _("commitment changed: %(what)s"))
COMMITMENT_REMOVED = register("planning.commitment_removed", _("commitment removed: %(what)s"))
FIELDS_LIST = register("planning.what", "%(what)s", what=MESSAGES)

# Events of the account's stream.
STARTED = register("planning.started", _("Plan started for %(period)s"), period=MESSAGES)
PERIOD_SET = register("planning.period_set", _("Plan period set to %(period)s"), period=MESSAGES)
SUBMITTED = register("planning.submitted", _("Plan submitted for internal sign-off"))
SIGNED_OFF = register("planning.signed_off", _("Plan signed off by %(who)s"), who=TEXT)
COMMITTED = register("planning.committed", _("Plan committed: our teams signed it off"))
RETURNED = register("planning.returned", _("Plan returned to draft"))
AGREED = register("planning.agreed", _("The client agreed to the plan (%(who)s, %(how)s)"),
                  how=Choice("planning.AccountPlan", "client_agreement_channel"))
SHARED = register("planning.shared", _("Plan shared with the client (%(who)s)"))
CLIENT_VERIFIED = register("planning.client_verified", _("%(who)s opened the shared plan with their code"))
CLIENT_ACTED = register("planning.client_acted", _("%(who)s (client): %(action)s · %(what)s"),
                        action=Choice("planning.ClientAction", "kind", lower=True))
CLIENT_ANSWERED = register("planning.client_answered", _("We answered the client's request: %(what)s"))
RESHARED = register("planning.reshared", _("Plan open again for the client's agreement (%(who)s)"))
REVIEW_HELD = register("planning.review_held", _("Plan review held on %(date)s"), date=DATE)
CLOSED = register("planning.closed", _("Plan closed"))
SIGNOFF_REOPENED = register("planning.signoff_reopened",
                            _("Changed after sign-off (%(what)s): sign-off needed from %(who)s"),
                            what=MESSAGES, who=TEXTS)
REAGREEMENT = register("planning.reagreement",
                       _("Changed after the client's agreement (%(what)s): the client must agree again"),
                       what=MESSAGES)

# Notices.
NOTICE_SIGNOFF = register(
    "planning.notice_signoff", _("Sign-off needed: plan for %(account)s"),
    body=_("%(who)s submitted the account plan (%(period)s) for internal sign-off."), period=MESSAGES)
NOTICE_SIGNOFF_AGAIN = register(
    "planning.notice_signoff_again", _("Sign-off needed again: plan for %(account)s"),
    body=_("The plan (%(period)s) changed after it was signed off; what you approved needs your sign-off again."),
    period=MESSAGES)
NOTICE_REAGREE = register(
    "planning.notice_reagree", _("Plan for %(account)s needs the client's agreement again"),
    body=_("It changed after the client agreed: %(what)s"), what=MESSAGES)
NOTICE_ALL_SIGNED = register(
    "planning.notice_all_signed", _("All sign-offs given: plan for %(account)s"),
    body=_("The plan can now be committed and shared with the client."))
NOTICE_AGREED = register(
    "planning.notice_agreed", _("The client agreed to the plan for %(account)s"),
    body=_("%(who)s agreed to the plan (%(how)s)."), how=Choice("planning.AccountPlan", "client_agreement_channel"))
NOTICE_SHARE_COMMENT = register(
    "planning.notice_share_comment", _("The client commented on the plan for %(account)s"),
    body="%(author)s: %(text)s")
NOTICE_CLIENT_ACTED = register(
    "planning.notice_client_acted", _("Client activity on the plan for %(account)s"),
    body=_("%(who)s: %(action)s · %(what)s"), action=Choice("planning.ClientAction", "kind", lower=True))
NOTICE_REVIEW_DUE = register(
    "planning.notice_review_due", _("Plan review due: %(account)s"),
    body=_("The plan's review was due on %(date)s. Hold it with the client and record it."), date=DATE)
NOTICE_STALE = register(
    "planning.notice_stale", _("Plan not updated for %(days)d days: %(account)s"),
    body=_("A plan nobody updates is not being worked. Review it."))
NOTICE_COMMITMENT_MISSED = register(
    "planning.notice_commitment_missed", _("Commitment missed: %(what)s"),
    body=_("%(account)s · due %(date)s"), date=DATE)
NOTICE_TASK_DUE = register(
    "planning.notice_task_due", _("Knowledge task due on %(date)s: %(what)s"),
    body=_("%(account)s · due %(date)s"), date=DATE)
NOTICE_COMMITMENT_DUE = register(
    "planning.notice_commitment_due", _("Commitment due on %(date)s: %(what)s"),
    body=_("%(account)s · due %(date)s"), date=DATE)


def period(plan) -> list:
    """A plan's period as a MESSAGES parameter."""
    return [(PERIOD, {"kind": plan.period_kind, "start": plan.period_start, "end": plan.period_end})]
