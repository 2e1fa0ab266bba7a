"""The roster's permissions. A person's development is between them and the programme lead: other KAMs,
sponsors and operations see none of it.

Objects: a person (a user in the KAM role) for `roster.view_person` and `roster.self_assess`, a course
for `roster.complete_course`."""

import rules

from kam.permissions import is_kam_role, is_lead


@rules.predicate
def is_self(user, person):
    return person is not None and user.is_authenticated and person.pk == user.pk


@rules.predicate
def owns_course(user, course):
    return course is not None and user.is_authenticated and course.person_id == user.pk


rules.add_perm("roster.manage", is_lead)
rules.add_perm("roster.view_person", is_lead | (is_kam_role & is_self))
rules.add_perm("roster.self_assess", is_kam_role & is_self)
rules.add_perm("roster.complete_course", is_lead | (is_kam_role & owns_course))
