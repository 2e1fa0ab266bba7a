from tests.access import OK, Case, expect, may_post, only

# The charter's text: the lead, sponsors and KAMs read all of it, operations their department's; the
# compliance figures: the lead and sponsors (whole programme), KAMs (their own accounts).
READERS = expect(OK, teammate=403, outsider=403)
COMPLIANCE = only("kam", "sponsor", "lead")


def build(world):
    from charter.models import Promise
    from tests.factories import department

    world.promise = Promise.objects.create(department=department("operations"), measure="sla_resolution",
                                           target=95, text="Incidencias resueltas dentro del SLA")


def _promise(w):
    from charter.models import Promise
    from tests.factories import department

    promise = Promise.objects.get(pk=w.promise.pk)
    return {"department": department("operations").pk, "text": "Incidencias resueltas en plazo",
            "measure": "sla_resolution", "target": "90", "tiers": ["key"], "active": "on", "order": "1",
            "version": promise.version}


CASES = {
    "charter:charter": Case(READERS),
    "charter:promise_new": Case(only("lead")),
    "charter:promise_edit": Case(only("lead"), kwargs=lambda w: {"pk": w.promise.pk}),
    "charter:compliance": Case(COMPLIANCE),
    "charter:account_compliance": Case(COMPLIANCE, kwargs=lambda w: {"pk": w.account.pk}),
}

# Only the programme lead writes the charter.
WRITES = {
    "charter:promise_new": (_promise, may_post("lead")),
    "charter:promise_edit": (_promise, may_post("lead")),
}
for _name, (_post, _expected) in WRITES.items():
    CASES[_name].post, CASES[_name].post_expected = _post, _expected
