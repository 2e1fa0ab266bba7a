from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam import versioning
from kam.access import role_required, signed_in
from kam.errors import Conflict, Invalid, add_to_form
from kam.idempotency import once_per_submit
from kam.roles import LEAD, has_role

from . import measures, selectors, services
from .forms import CompetenceForm, CourseDoneForm, CourseForm, RosterSettingsForm, SkillAssessmentForm
from .models import AssessmentKind, RosterSettings


@role_required(LEAD)
def overview(request):
    return render(request, "roster/overview.html", selectors.roster_overview())


@signed_in
def person(request, pk):
    """A KAM's development page: the lead's and their own view of their skills, their training, their
    load and what the platform measures on their accounts. For the lead and the person only (404)."""
    person = selectors.person_get_for_user(request.user, pk)
    context = selectors.person_page(person)
    context.update(measures=measures.measures_for([person])[person.pk], is_lead=has_role(request.user, LEAD),
                   is_self=request.user.pk == person.pk)
    for course in context["courses"]:
        course.done_form = CourseDoneForm(instance=course, prefix=f"c{course.pk}")
    return render(request, "roster/person.html", context)


@signed_in
@once_per_submit
def assess(request, pk):
    """The person's self-assessment, or the lead's assessment of them: which one is who is asking."""
    person = selectors.person_get_for_user(request.user, pk)
    kind = AssessmentKind.SELF if request.user.pk == person.pk else AssessmentKind.LEAD
    form = SkillAssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_record(actor=request.user, person=person, kind=kind, scores=form.scores(),
                                       assessed_on=form.cleaned_data["assessed_on"], note=form.cleaned_data["note"])
        except Invalid as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Assessment recorded."))
            return redirect("roster:person", pk=person.pk)
    return render(request, "roster/assess.html", {"form": form, "person": person, "kind": kind,
                                                  "is_self": kind == AssessmentKind.SELF},
                  status=400 if form.errors else 200)


@role_required(LEAD)
@once_per_submit
def course_new(request, pk):
    person = selectors.person_get_for_user(request.user, pk)
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_add(actor=request.user, person=person, data=form.cleaned_data)
        except Invalid as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Course added to the training plan."))
            return redirect("roster:person", pk=person.pk)
    return render(request, "roster/course_form.html", {"form": form, "person": person},
                  status=400 if form.errors else 200)


@signed_in
@require_POST
def course_done(request, pk):
    course = selectors.course_get_for_user(request.user, pk)
    form = CourseDoneForm(request.POST, instance=course, prefix=f"c{course.pk}")
    if form.is_valid():
        done, conflict = versioning.form_write(form, lambda: services.course_complete(
            actor=request.user, course=course, completed_on=form.cleaned_data["completed_on"],
            expected_version=form.cleaned_data.get("version")))
        if done:
            messages.success(request, _("Course marked done."))
        else:
            messages.error(request, str(conflict) if conflict else " ".join(
                str(m) for errors in form.errors.values() for m in errors))
    else:
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
    return redirect("roster:person", pk=course.person_id)


@role_required(LEAD)
def roster_settings(request):
    form = RosterSettingsForm(request.POST or None, instance=RosterSettings.current())
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data if name != "version"}
        if not data:
            messages.info(request, _("Nothing changed."))
            return redirect("roster:settings")
        done, conflict = versioning.form_write(form, lambda: services.roster_settings_update(
            actor=request.user, expected_version=form.cleaned_data.get("version"), data=data))
        if done:
            messages.success(request, _("Roster targets saved."))
            return redirect("roster:settings")
    return render(request, "roster/settings.html", {"form": form, "conflict": conflict,
                                                    **selectors.settings_page()})


@role_required(LEAD)
@once_per_submit
def competence_new(request):
    form = CompetenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.competence_add(actor=request.user, name=form.cleaned_data["name"])
        except Invalid as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Competence added: new assessments score it."))
            return redirect("roster:settings")
    return render(request, "roster/competence_form.html", {"form": form}, status=400 if form.errors else 200)


@role_required(LEAD)
@require_POST
def competence_active(request, pk):
    competence = selectors.competence_get(pk)
    active = request.POST.get("active") == "1"
    try:
        services.competence_set_active(actor=request.user, competence=competence, active=active,
                                       expected_version=request.POST.get("version"))
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Competence back in use.") if active else _("Competence retired."))
    return redirect("roster:settings")


@role_required(LEAD)
def comparison(request):
    return render(request, "roster/comparison.html", measures.comparison_page())
