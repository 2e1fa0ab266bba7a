"""The kinds of notices of the roster app (kam.messages), registered by RosterConfig.ready."""

from django.utils.translation import gettext_lazy as _

from kam.messages import DATE, register

NOTICE_ASSESSED = register(
    "roster.notice_assessed", _("The programme lead recorded an assessment of your skills"),
    body=_("Compare it with your own on your development page."))
NOTICE_COURSE_ADDED = register(
    "roster.notice_course_added", _("New course in your training plan: %(title)s"),
    body=_("Due on %(date)s."), date=DATE)
NOTICE_COURSE_OVERDUE = register(
    "roster.notice_course_overdue", _("Course overdue: %(title)s"),
    body=_("%(person)s · was due on %(date)s"), date=DATE)
NOTICE_COURSE_DUE = register(
    "roster.notice_course_due", _("Course due on %(date)s: %(title)s"),
    body=_("Mark it done on your development page once completed."), date=DATE)
