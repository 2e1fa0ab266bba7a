from tests.access import NOT_ALLOWED, OK, REDIRECT, Case, expect

CASES = {
    # "/" redirects every signed-in persona to its role's home page.
    "home": Case(expect(REDIRECT)),
    "healthz": Case(expect(OK, anonymous=OK)),
    "login": Case(expect(REDIRECT, anonymous=OK)),  # signed-in users are sent home
    "logout": Case(expect(NOT_ALLOWED)),  # POST only
    "password_change": Case(expect(OK)),
    "password_change_done": Case(expect(OK)),
    # For people who cannot sign in: open to all. A bad link shows the "no longer valid" page.
    "password_reset": Case(expect(OK, anonymous=OK)),
    "password_reset_done": Case(expect(OK, anonymous=OK)),
    "password_reset_confirm": Case(expect(OK, anonymous=OK), kwargs={"uidb64": "MQ", "token": "abc-def"}),
    "password_reset_complete": Case(expect(OK, anonymous=OK)),
    "set_language": Case(expect(REDIRECT, anonymous=REDIRECT)),  # GET just redirects back
    "kam:notifications": Case(expect(OK)),
    "kam:notification_read": Case(expect(NOT_ALLOWED), kwargs={"pk": 1}),
    "kam:notification_read_all": Case(expect(NOT_ALLOWED)),
    # The admin's own login page: only the programme lead (staff) gets in.
    "admin:index": Case(expect(REDIRECT, lead=OK)),
}
