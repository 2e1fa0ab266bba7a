"""The kinds of events and notices of the agreements app (kam.messages), registered by
AgreementsConfig.ready."""

from django.utils.translation import gettext_lazy as _

from kam.messages import DATE, Choice, register

DRAFTED = register("agreements.drafted", _("Framework agreement drafted: %(title)s"))
STATUS = register("agreements.status", _("Framework agreement %(title)s: %(status)s"),
                  status=Choice("agreements.FrameworkAgreement", "status", lower=True))
RENEWED = register("agreements.renewed", _("Framework agreement %(title)s renewed: the successor is in negotiation"))
TERM_COMMITTED = register("agreements.term_committed",
                          _("Term of %(title)s added to the plan as a commitment: %(term)s"))
EXPIRING = register("agreements.expiring",
                    _("Framework agreement %(title)s reached its notice date (renewal on %(date)s)"), date=DATE)
NOTICE_EXPIRING = register(
    "agreements.notice_expiring", _("Framework agreement at its notice date: %(title)s (%(account)s)"),
    body=_("Notice must be given by %(notice)s; the agreement renews or ends on %(renewal)s. Renew it, "
           "renegotiate it or end it."), notice=DATE, renewal=DATE)
