"""Every form of the project, shown to a browser and sent back untouched, saves what it showed.

Each form (every Form/ModelForm/formset in the apps' forms.py, and every FilterSet in their filters.py:
found here, not listed, so a new form is covered) is rendered in Spanish and in English with realistic
values (past dates, datetimes, decimals with decimals), its HTML is read back the way a browser posts
it (an <input type="date"> whose value is not an ISO date is posted empty, a decimal comma in an
<input type="number"> too: `bench.htmlforms.browser_value`), and the data is bound to the same form
again: it must be valid and clean to exactly the values it was shown with.

A form that cannot be built generically (it needs an object or keyword arguments) has an entry in
CASES below; a form with neither fails the test until it gets one.
"""

import datetime
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import django_filters
import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.formsets import BaseFormSet
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import timezone, translation

from bench.htmlforms import browser_value, parse_forms
from tests.access import APPS_WITH_ACCESS, all_cases
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

LANGUAGES = ("es", "en")


def _is_form_class(obj, module) -> bool:
    if not isinstance(obj, type):
        return False
    if issubclass(obj, BaseFormSet) and obj is not BaseFormSet:
        # A formset factory's classes carry Django's module names: the form's bases tell where it is from.
        return any(c.__module__ == module.__name__ for c in getattr(obj, "form", object).__mro__)
    if obj.__module__ != module.__name__:
        return False
    if issubclass(obj, django_filters.FilterSet):
        return True
    if issubclass(obj, forms.BaseModelForm):
        return obj._meta.model is not None  # without a model it is a base for other forms
    return issubclass(obj, forms.BaseForm)


def discover() -> dict[str, type]:
    found = {}
    for app in APPS_WITH_ACCESS:
        for name in (f"{app}.forms", f"{app}.filters"):
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name == name:
                    continue
                raise
            for attr, obj in vars(module).items():
                if _is_form_class(obj, module):
                    found[f"{name}.{attr}"] = obj
    return found


# --- Building each form with realistic values --------------------------------------------------------
def _past(days=40) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def _moment(days=2) -> datetime.datetime:
    return (timezone.localtime() - datetime.timedelta(days=days)).replace(hour=9, minute=45, second=0,
                                                                          microsecond=0)


@dataclass
class Case:
    """`make(data=None, files=None)` builds the form (or formset, or FilterSet) as the view does:
    unbound with its initial values, or bound to `data`."""

    make: Callable
    files: dict = field(default_factory=dict)


def _criteria():
    from accounts.models import SelectionCriterion

    return SelectionCriterion.objects.filter(active=True).order_by("axis", "order", "name")


def _accounts_cases(w):
    from accounts import forms as f
    from accounts.filters import AccountFilter
    from accounts.models import Account, SelectionCriterion

    w.contact.last_contact_date, w.contact.phone, w.contact.notes = _past(12), "+34 600 000 000", "Línea 1\nLínea 2"
    w.contact.save()
    w.account.region = "Asturias"
    w.account.save()
    criterion = SelectionCriterion.objects.get(pk=w.criterion.pk)
    criterion.weight = Decimal("2.75")
    criterion.save()
    criteria = list(_criteria())
    new_account = {"name": "Forjas del Cantábrico S.L.", "tax_id": "B12345678", "industry": "steel",
                   "country": "ES", "region": "Cantabria", "status": Account._meta.get_field("status").default,
                   "kam": w.kam.pk, "sponsor": w.sponsor.pk, "relationship_stage": "cooperative"}
    filter_query = QueryDict(mutable=True)
    filter_query.update({"q": "Aceros", "tier": "key", "kam": str(w.kam.pk), "health": "good", "sort": "-revenue"})
    request = RequestFactory().get("/accounts/")
    request.user = w.lead
    return {
        "accounts.forms.AccountForm": Case(lambda data=None, files=None: f.AccountForm(data, instance=w.account)),
        "accounts.forms.AccountCreateForm": Case(lambda data=None, files=None: f.AccountCreateForm(
            data, initial=new_account)),
        "accounts.forms.StageChangeForm": Case(lambda data=None, files=None: f.StageChangeForm(
            data, initial={"to_stage": "cooperative", "changed_on": _past(3), "note": "Acuerdo marco firmado"})),
        "accounts.forms.TeamMemberForm": Case(lambda data=None, files=None: f.TeamMemberForm(
            data, instance=w.member)),
        "accounts.forms.TeamMemberEditForm": Case(lambda data=None, files=None: f.TeamMemberEditForm(
            data, instance=w.member)),
        "accounts.forms.ContactForm": Case(lambda data=None, files=None: f.ContactForm(
            data, instance=w.contact, account=w.account)),
        "accounts.forms.ContactGoneForm": Case(lambda data=None, files=None: f.ContactGoneForm(
            data, contact=w.contact, initial={"left_at": _past(5), "successor_name": "Rosa Vega"})),
        "accounts.forms.CriterionForm": Case(lambda data=None, files=None: f.CriterionForm(data, instance=criterion)),
        "accounts.forms.AssessmentForm": Case(lambda data=None, files=None: f.AssessmentForm(
            data, criteria=criteria,
            initial={"assessed_on": _past(7), "note": "Buen año", f"score_{criteria[0].pk}": 4,
                     f"note_{criteria[0].pk}": "Crece en Europa"})),
        "accounts.forms.TierDecisionForm": Case(lambda data=None, files=None: f.TierDecisionForm(
            data, account=w.account, initial={"to_tier": "standard", "reason": "Cumple los criterios"})),
        "accounts.forms.FinancialRecordForm": Case(lambda data=None, files=None: f.FinancialRecordForm(
            data, initial={"month": _past(40).replace(day=1), "revenue": Decimal("125430.75"),
                           "cost_of_goods": Decimal("80210.50"), "cost_to_serve": Decimal("9876.05")})),
        "accounts.forms.ImportForm": Case(
            lambda data=None, files=None: f.ImportForm(data, files, initial={"kind": "financials"}),
            files={"file": SimpleUploadedFile("cifras.csv", b"tax_id;month\n", content_type="text/csv")}),
        "accounts.forms.AttachmentForm": Case(
            lambda data=None, files=None: f.AttachmentForm(data, files, initial={"description": "Contrato firmado"}),
            files={"file": SimpleUploadedFile("contrato.pdf", b"%PDF-1.4\n", content_type="application/pdf")}),
        "accounts.filters.AccountFilter": Case(lambda data=None, files=None: AccountFilter(
            filter_query if data is None else data, queryset=Account.objects.all(), request=request)),
    }


def _planning_cases(w):
    from planning import forms as f
    from planning.models import (
        Concession,
        NegotiationAgreement,
        NegotiationObjective,
        NegotiationVariable,
        Opportunity,
        PlanReview,
        ValueDelivered,
    )
    from tests.planning.factories import TaskFactory

    plan, neg = w.plan, w.negotiation
    plan.next_review_date = _past(-20)
    plan.summary = "Crecer un 4,5 % en mantenimiento"
    plan.save()
    task = TaskFactory(plan=plan, owner=w.kam, due_date=_past(-10))
    opportunity = Opportunity.objects.create(plan=plan, client_benefit="Reducir paradas", our_solution="Sensores",
                                             value=Decimal("125000.50"), probability=40, expected_date=_past(-90))
    w.commitment.delivered_on, w.commitment.owner, w.commitment.status = _past(2), w.kam, "done"
    w.commitment.save()
    review = PlanReview.objects.create(plan=plan, planned_on=_past(10), held_on=_past(9), attendees="Ana, Jorge",
                                       outcome="Revisión trimestral")
    value = ValueDelivered.objects.create(plan=plan, outcome="Ahorro energético", amount=Decimal("25000.35"),
                                          delivered_on=_past(30), confirmed_by_client=True)
    neg.scheduled_on, neg.our_batna, neg.plan = _past(-15), "Otro distribuidor", plan
    neg.save()
    objective = NegotiationObjective.objects.create(negotiation=neg, party="us", description="Volumen")
    variable = NegotiationVariable.objects.create(negotiation=neg, name="Precio", our_target="-2 %",
                                                  our_limit="-4 %")
    concession = Concession.objects.create(negotiation=neg, party="client", description="Plazo",
                                           in_exchange_for="Volumen", made_on=_past(4))
    agreement = NegotiationAgreement.objects.get(pk=w.agreement.pk)
    agreement.due_date = _past(-30)
    agreement.save()

    def section(name):
        return Case(lambda data=None, files=None: f.section_form_class(name)(data, instance=plan, prefix=name))

    return {
        # Built by a function rather than declared, one class per section of the editor.
        "planning.forms.section_form_class(summary)": section("summary"),
        "planning.forms.section_form_class(conocimiento)": section("conocimiento"),
        "planning.forms.section_form_class(vision)": section("vision"),
        "planning.forms.KnowledgeTaskForm": Case(lambda data=None, files=None: f.KnowledgeTaskForm(
            data, instance=task)),
        "planning.forms.OpportunityForm": Case(lambda data=None, files=None: f.OpportunityForm(
            data, instance=opportunity)),
        "planning.forms.CommitmentForm": Case(lambda data=None, files=None: f.CommitmentForm(
            data, instance=w.commitment, account=w.account, initial={"version": w.commitment.version})),
        "planning.forms.ClientAgreementForm": Case(lambda data=None, files=None: f.ClientAgreementForm(
            data, account=w.account, initial={"contact": w.contact.pk, "channel": "meeting", "note": "En la visita"})),
        "planning.forms.PlanReviewForm": Case(lambda data=None, files=None: f.PlanReviewForm(data, instance=review)),
        "planning.forms.ValueDeliveredForm": Case(lambda data=None, files=None: f.ValueDeliveredForm(
            data, instance=value)),
        "planning.forms.ShareLinkForm": Case(lambda data=None, files=None: f.ShareLinkForm(
            data, account=w.account, initial={"label": "Director de compras", "contact": w.contact.pk})),
        "planning.forms.ClientRequestForm": Case(lambda data=None, files=None: f.ClientRequestForm(
            data, sections=[("general", None), ("vision", "Visión")], commitments=[w.commitment],
            initial={"target": f"commitment:{w.commitment.pk}", "body": "Otra fecha, por favor"})),
        "planning.forms.NegotiationCreateForm": Case(lambda data=None, files=None: f.NegotiationCreateForm(
            data, initial={"title": "Renovación 2027"})),
        "planning.forms.NegotiationForm": Case(lambda data=None, files=None: f.NegotiationForm(
            data, instance=neg, initial={"version": neg.version})),
        "planning.forms.ObjectiveForm": Case(lambda data=None, files=None: f.ObjectiveForm(data, instance=objective)),
        "planning.forms.VariableForm": Case(lambda data=None, files=None: f.VariableForm(data, instance=variable)),
        "planning.forms.ConcessionForm": Case(lambda data=None, files=None: f.ConcessionForm(
            data, instance=concession)),
        "planning.forms.AgreementForm": Case(lambda data=None, files=None: f.AgreementForm(data, instance=agreement)),
        "planning.forms.AgreementToCommitmentForm": Case(lambda data=None, files=None: f.AgreementToCommitmentForm(
            data, account=w.account, initial={"owner": w.kam.pk, "contact": w.contact.pk})),
    }


def _touchpoints_cases(w):
    from touchpoints import forms as f
    from touchpoints.models import SlaPolicy

    incident = w.incident
    incident.status, incident.resolution, incident.cost = "in_progress", "Repuesto enviado", Decimal("1234.56")
    incident.save()
    policy = SlaPolicy.objects.order_by("pk").first()
    return {
        "touchpoints.forms.TouchpointForm": Case(lambda data=None, files=None: f.TouchpointForm(
            data, user=w.kam, account=w.account,
            initial={"occurred_at": _moment(), "channel": "video", "kind": "commercial", "quality": 4,
                     "summary": "Revisión del pedido\ncon el 2,5 % de descuento", "contacts": [w.contact.pk],
                     "cost": Decimal("85.40"), "follow_up": True, "follow_up_note": "Enviar oferta",
                     "follow_up_due": _moment().date() + datetime.timedelta(days=3)})),
        "touchpoints.forms.IncidentForm": Case(lambda data=None, files=None: f.IncidentForm(
            data, user=w.operator, account=w.account,
            initial={"severity": "high", "category": "quality", "title": "Lote defectuoso", "contact": w.contact.pk})),
        "touchpoints.forms.IncidentUpdateForm": Case(lambda data=None, files=None: f.IncidentUpdateForm(
            data, incident=incident)),
        "touchpoints.forms.IncidentAssignForm": Case(lambda data=None, files=None: f.IncidentAssignForm(
            data, incident=incident)),
        "touchpoints.forms.FeedbackForm": Case(lambda data=None, files=None: f.FeedbackForm(
            data, account=w.account, initial={"contact": w.contact.pk, "score": 8, "received_on": _past(3)})),
        "touchpoints.forms.SlaPolicyForm": Case(lambda data=None, files=None: f.SlaPolicyForm(data, instance=policy)),
        "touchpoints.forms.SlaPolicyFormSet": Case(lambda data=None, files=None: f.SlaPolicyFormSet(
            data, queryset=SlaPolicy.objects.order_by("pk"))),
    }


def _metrics_cases(w):
    from kam.models import ProgrammeSettings
    from metrics import forms as f

    return {
        "metrics.forms.ProgrammeSettingsForm": Case(lambda data=None, files=None: f.ProgrammeSettingsForm(
            data, instance=ProgrammeSettings.current())),
    }


def _programme_cases(w):
    from programme import forms as f
    from programme.models import ReviewChange, ReviewSettings

    w.review.held_on, w.review.notes, w.review.targets = _past(3), "Revisión con la dirección", {
        "plan_coverage": "82.5", "satisfaction": "7.25"}
    w.review.save()
    change = ReviewChange(review=w.review, text="Un patrocinador por cuenta clave")
    return {
        "programme.forms.ReviewSettingsForm": Case(lambda data=None, files=None: f.ReviewSettingsForm(
            data, instance=ReviewSettings.current())),
        "programme.forms.ReviewForm": Case(lambda data=None, files=None: f.ReviewForm(data, instance=w.review)),
        "programme.forms.ChangeForm": Case(lambda data=None, files=None: f.ChangeForm(data, instance=change)),
    }


def _roster_cases(w):
    from roster import forms as f
    from roster.models import Competence, Course, RosterSettings

    course = Course.objects.create(person=w.kam, title="Finanzas para no financieros", provider="Escuela",
                                   link="https://example.com/curso", competence=Competence.objects.first(),
                                   due_date=_past(-30), completed_on=_past(2))
    return {
        "roster.forms.CourseForm": Case(lambda data=None, files=None: f.CourseForm(data, instance=course)),
        "roster.forms.CourseDoneForm": Case(lambda data=None, files=None: f.CourseDoneForm(data, instance=course)),
        "roster.forms.RosterSettingsForm": Case(lambda data=None, files=None: f.RosterSettingsForm(
            data, instance=RosterSettings.current())),
    }


def _charter_cases(w):
    from charter import forms as f
    from charter.models import Promise

    promise = Promise.objects.get(pk=w.promise.pk)
    promise.target, promise.tiers = Decimal("92.75"), ["key", "development"]
    promise.save()
    return {"charter.forms.PromiseForm": Case(lambda data=None, files=None: f.PromiseForm(data, instance=promise))}


def _agreements_cases(w):
    from agreements import forms as f

    agreement, term = w.framework, w.term
    agreement.scope, agreement.notice_days, agreement.renewal_date = "Bobinas\nChapa", 75, _past(-300)
    agreement.save()
    term.value, term.unit, term.party = Decimal("2.75"), "%", "client"
    term.save()
    return {
        "agreements.forms.FrameworkAgreementForm": Case(lambda data=None, files=None: f.FrameworkAgreementForm(
            data, instance=agreement)),
        "agreements.forms.TermForm": Case(lambda data=None, files=None: f.TermForm(data, instance=term)),
        "agreements.forms.DraftFromNegotiationForm": Case(lambda data=None, files=None: f.DraftFromNegotiationForm(
            data, account=w.account, initial={"negotiation": w.negotiation.pk})),
    }


def explicit_cases(w) -> dict[str, Case]:
    return {**_accounts_cases(w), **_planning_cases(w), **_touchpoints_cases(w), **_agreements_cases(w),
            **_charter_cases(w), **_metrics_cases(w),
            **_programme_cases(w), **_roster_cases(w)}


def _generic_value(f: forms.Field):
    """A realistic value for a field of a form that needs nothing but its initial values."""
    if isinstance(f, forms.ModelMultipleChoiceField):
        return list(f.queryset[:2])
    if isinstance(f, forms.ModelChoiceField):
        return f.queryset.first()
    if isinstance(f, forms.MultipleChoiceField):
        return [str(v) for v, _label in f.choices][:2]
    if isinstance(f, forms.TypedChoiceField):
        return f.coerce([v for v, _label in f.choices if v != ""][-1])
    if isinstance(f, forms.ChoiceField):
        return [v for v, _label in f.choices if v != ""][-1]
    if isinstance(f, forms.BooleanField):
        return True
    if isinstance(f, forms.DateTimeField):
        return _moment()
    if isinstance(f, forms.DateField):
        return _past()
    if isinstance(f, forms.DecimalField):
        places = f.decimal_places if f.decimal_places is not None else 2
        return min(Decimal("12.3456789").quantize(Decimal(1).scaleb(-places)), f.max_value or Decimal("1e9"))
    if isinstance(f, forms.IntegerField):
        return max(min(7, f.max_value if f.max_value is not None else 7), f.min_value or 0)
    if isinstance(f, forms.CharField):
        return "Revisión del 2,5 % «ñ»"[: f.max_length or None]
    raise TypeError(f"no generic value for {type(f).__name__}")


def generic_case(cls) -> Case | None:
    """A plain Form whose constructor needs nothing else, shown with a realistic value in every field."""
    if not issubclass(cls, forms.Form) or issubclass(cls, forms.BaseModelForm):
        return None
    required = [p for p in list(inspect.signature(cls.__init__).parameters.values())[1:]
                if p.default is inspect.Parameter.empty and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
                and p.name not in ("data", "files")]
    if required:
        return None
    try:
        initial = {name: _generic_value(f) for name, f in cls().fields.items()}
    except (TypeError, IndexError):
        return None
    return Case(lambda data=None, files=None: cls(data, files, initial=initial))


# --- The round trip ----------------------------------------------------------------------------------
def _forms_of(obj) -> list:
    if isinstance(obj, django_filters.FilterSet):
        return [obj.form]
    if isinstance(obj, BaseFormSet):
        return list(obj.forms)
    return [obj]


def _html(obj) -> str:
    if isinstance(obj, django_filters.FilterSet):
        return str(obj.form)
    return str(obj)


def _valid(obj) -> tuple[bool, object]:
    if isinstance(obj, django_filters.FilterSet):
        return obj.form.is_valid(), obj.form.errors
    if isinstance(obj, BaseFormSet):
        return obj.is_valid(), (obj.non_form_errors(), obj.errors)
    return obj.is_valid(), obj.errors


def _shown(obj) -> list[dict]:
    """The values each form shows: its initial values, or what it cleaned if it is bound (filters)."""
    values = []
    for form in _forms_of(obj):
        if form.is_bound:
            assert form.is_valid(), form.errors
            values.append(dict(form.cleaned_data))
        else:
            values.append({name: form[name].initial for name in form.fields})
    return values


def _pk(value):
    return getattr(value, "pk", value)


def _same(f: forms.Field, shown, got) -> bool:
    if isinstance(f, forms.ModelMultipleChoiceField):
        return {str(_pk(v)) for v in shown or []} == {str(v.pk) for v in got}
    if isinstance(f, forms.ModelChoiceField):
        return (None if shown in (None, "") else str(_pk(shown))) == (None if got is None else str(got.pk))
    if isinstance(f, forms.MultipleChoiceField):
        return {str(v) for v in shown or []} == {str(v) for v in got}
    if isinstance(f, forms.TypedChoiceField):
        return (f.empty_value if shown in (None, "") else f.coerce(shown)) == got
    if isinstance(f, forms.ChoiceField):
        return ("" if shown is None else str(shown)) == got
    if isinstance(f, forms.BooleanField):
        return bool(shown) == got
    if isinstance(f, forms.FileField):
        return True  # a browser never sends a file back by itself; the test supplies one
    if isinstance(f, forms.CharField):
        shown = "" if shown is None else str(shown)
        return (shown.strip() if f.strip else shown) == (got or "")
    if isinstance(f, forms.DecimalField) and shown is not None and got is not None:
        return Decimal(str(shown)) == got
    return shown == got


def browser_post(html: str) -> QueryDict:
    """What a browser sends for this HTML untouched (typed inputs sanitised as browsers do)."""
    parsed = parse_forms(f'<form method="post">{html}</form>')[0]
    data = QueryDict(mutable=True)
    for name, values in parsed.defaults().items():
        data.setlist(name, values)
    return data


def round_trip(case: Case, language: str) -> list[str]:
    problems = []
    with translation.override(language):
        shown_obj = case.make()
        shown = _shown(shown_obj)
        was_bound = _forms_of(shown_obj)[0].is_bound if _forms_of(shown_obj) else False
        html = _html(shown_obj)
        for f in parse_forms(f"<form>{html}</form>")[0].fields:
            if f.tag == "input" and f.value and not browser_value(f.type, f.value):
                problems.append(f"{f.name}: {f.value!r} in an <input type={f.type}> is lost by browsers")
        posted = case.make(browser_post(html), dict(case.files))
        ok, errors = _valid(posted)
        if not ok:
            return [*problems, f"not valid when sent back: {errors}"]
        for i, (form, values) in enumerate(zip(_forms_of(posted), shown, strict=True)):
            for name, f in form.fields.items():
                got = form.cleaned_data.get(name)
                same = values.get(name) == got if was_bound else _same(f, values.get(name), got)
                if not same:
                    problems.append(f"form {i}, {name}: shown {values.get(name)!r}, came back {got!r}")
    return problems


FORMS = discover()


def test_forms_are_discovered():
    # The discovery itself: if it found nothing, every other test here would pass vacuously.
    for expected in ("accounts.forms.ContactForm", "planning.forms.PlanCreateForm",
                     "touchpoints.forms.SlaPolicyFormSet", "accounts.filters.AccountFilter",
                     "metrics.forms.ProgrammeSettingsForm"):
        assert expected in FORMS
    assert "planning.forms.VersionedForm" not in FORMS  # a base without a model is not a form to show


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_form_comes_back_unchanged_from_a_browser(world, language):
    cases = explicit_cases(world)
    failures = {}
    for key, cls in FORMS.items():
        case = cases.get(key) or generic_case(cls)
        if case is None:
            failures[key] = ["cannot be built generically: add it to CASES in tests/test_form_roundtrip.py"]
            continue
        try:
            problems = round_trip(case, language)
        except Exception as exc:  # noqa: BLE001 - report every form's failure, not just the first
            problems = [f"{type(exc).__name__}: {exc}"]
        if problems:
            failures[key] = problems
    for key in cases.keys() - FORMS.keys():
        if "(" not in key:  # the dynamically built section forms are not module attributes
            failures[key] = ["a case for a form that no longer exists"]
        elif problems := round_trip(cases[key], language):
            failures[key] = problems
    assert not failures, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in sorted(failures.items()))


def test_every_page_gives_browsers_values_their_inputs_take(world, settings):
    """The pages as served in Spanish, templates included (some write their inputs by hand): no typed
    input carries a value a browser would throw away."""
    from django.urls import reverse

    lost = []
    for url_name, case in sorted(all_cases().items()):
        url = reverse(url_name, kwargs=case.resolve_kwargs(world)) + case.query
        persona = next((p for p, status in case.expected.items() if status == 200), None)
        if persona is None:
            continue
        client = client_for(getattr(world, persona))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
        response = client.get(url)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        for form in parse_forms(response.content.decode()):
            for f in form.fields:
                if f.tag == "input" and f.value and not browser_value(f.type, f.value):
                    lost.append(f"{url_name}: {f.name}={f.value!r} (type={f.type})")
    assert not lost, "\n".join(lost)


def test_the_round_trip_sees_what_browsers_lose():
    """The check itself: the widgets this project no longer uses lose Spanish values, and it says so."""

    class Careless(forms.Form):
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
        moment = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
        amount = forms.DecimalField(decimal_places=2, localize=True, widget=forms.NumberInput)

    initial = {"day": _past(), "moment": _moment(), "amount": Decimal("1234.56")}
    case = Case(lambda data=None, files=None: Careless(data, initial=initial))
    problems = round_trip(case, "es")
    assert [p.split(":")[0] for p in problems[:3]] == ["day", "moment", "amount"]
    assert "not valid when sent back" in problems[-1]
    assert round_trip(case, "en") == []  # which is why English-speaking tests never saw it
