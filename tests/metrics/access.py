from tests.access import FORBIDDEN, NOT_ALLOWED, Case, expect, only

CASES = {
    "metrics:dashboard_kam": Case(only("kam")),
    "metrics:dashboard_sponsor": Case(only("sponsor")),
    # The programme lead is a superuser, which also counts as lead for the programme dashboard.
    "metrics:dashboard_program": Case(only("lead", "sponsor")),
    "metrics:programme_settings": Case(only("lead")),
    "metrics:recompute_now": Case(expect(FORBIDDEN, lead=NOT_ALLOWED)),  # POST only, lead only
}
