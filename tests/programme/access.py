from tests.access import FORBIDDEN, NOT_ALLOWED, Case, expect, may_post, only

READERS = ("lead", "sponsor")


def build(world):
    from accounts.models import Tier
    from programme import services
    from tests.factories import AccountFactory

    world.review = services.review_create(actor=world.lead)
    world.candidate = AccountFactory(name="Candidata S.A.", tier=Tier.DEVELOPMENT, kam=world.kam,
                                     sponsor=world.sponsor)
    world.proposal = services.proposal_create(actor=world.lead, review=world.review, account=world.account,
                                              to_tier=Tier.DEVELOPMENT, reason="Pierde dinero")


def review(w):
    return {"pk": w.review.pk}


POST_ONLY = expect(FORBIDDEN, lead=NOT_ALLOWED)  # the lead's, by POST only

def lead_first(expected):
    """Read as the lead first (tests/test_submit_once.py reads a page as its first reader): the page's
    forms are the lead's."""
    return dict(sorted(expected.items(), key=lambda item: item[0] != "lead"))


CASES = {
    "programme:review_list": Case(lead_first(only(*READERS))),
    "programme:review_create": Case(only("lead")),
    "programme:review_compare": Case(only(*READERS)),
    "programme:review_detail": Case(lead_first(only(*READERS)), kwargs=review),
    "programme:review_edit": Case(only("lead"), kwargs=review),
    "programme:review_transition": Case(POST_ONLY, kwargs=lambda w: {"pk": w.review.pk, "action": "hold"}),
    "programme:proposal_add": Case(POST_ONLY, kwargs=review),
    "programme:change_add": Case(POST_ONLY, kwargs=review),
    "programme:proposal_decide": Case(only("lead"), kwargs=lambda w: {"pk": w.proposal.pk}),
    "programme:review_settings": Case(only("lead")),
}


# --- the write column -------------------------------------------------------------------------------
# Everything written here is the programme lead's (programme.services.lead_require).


def _create(w):
    from programme.models import ProgrammeReview

    ProgrammeReview.objects.all().delete()
    return {"period_start": w.review.period_start.isoformat()}


def _edit(w):
    return {"version": w.review.version, "held_on": "", "notes": "Revisión trimestral",
            "target_plan_coverage": "80"}


def _proposal(w):
    return {"account": w.candidate.pk, "to_tier": "key", "reason": "Cuadrante estratégico"}


def _decide(w):
    return {"decision": "reject", "note": "Esperamos al próximo trimestre"}


def _settings(w):
    from programme.models import ReviewSettings

    return {"cadence_months": "6", "version": ReviewSettings.current().version}


WRITES = {
    "programme:review_create": (_create, may_post("lead")),
    "programme:review_edit": (_edit, may_post("lead")),
    "programme:review_transition": (lambda w: {}, may_post("lead")),
    "programme:proposal_add": (_proposal, may_post("lead")),
    "programme:change_add": (lambda w: {"text": "Un patrocinador por cuenta clave"}, may_post("lead")),
    "programme:proposal_decide": (_decide, may_post("lead")),
    "programme:review_settings": (_settings, may_post("lead")),
}
for _name, (_post, _expected) in WRITES.items():
    CASES[_name].post, CASES[_name].post_expected = _post, _expected
