from tests.access import NOT_ALLOWED, NOT_FOUND, OK, POST_PERSONAS, REDIRECT, Case, expect, may_post


def build(world):
    from kam.services import notification_send

    # Each person has one unread notification; `world.notification` is the KAM's.
    for persona in POST_PERSONAS:
        user = getattr(world, persona, None)
        if user is not None:
            created = notification_send(recipients=[user], event_key=f"test:{persona}", title="Aviso",
                                        link="/notifications/")
            if persona == "kam":
                world.notification = created[0]

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
    "kam:notification_read": Case(expect(NOT_ALLOWED), kwargs=lambda w: {"pk": w.notification.pk}),
    "kam:notification_read_all": Case(expect(NOT_ALLOWED)),
    # Each person's own settings: there is no one else's to ask for.
    "kam:profile": Case(expect(OK)),
    # The admin's own login page: only the programme lead (staff) gets in.
    "admin:index": Case(expect(REDIRECT, lead=OK)),
}


SIGNED_IN = tuple(p for p in POST_PERSONAS if p != "anonymous")
WRITES = {
    # Signing out acts on the session, not on the domain; switching language too, and for a signed-in
    # person it also becomes their chosen language.
    "logout": (lambda w: {}, may_post(*POST_PERSONAS), ()),
    "set_language": (lambda w: {"language": "es", "next": "/"}, may_post(*POST_PERSONAS), SIGNED_IN),
    "kam:profile": (lambda w: {"language": "es"}, may_post(*SIGNED_IN), None),
    # Signed-in people are sent home; a person signing in records the sign-in.
    "login": (lambda w: {"username": "kam", "password": "pw-test-12345"}, may_post(*POST_PERSONAS), ("anonymous",)),
    "password_change": (lambda w: {"old_password": "pw-test-12345", "new_password1": "Otra-clave-larga-2027",
                                   "new_password2": "Otra-clave-larga-2027"}, may_post(*SIGNED_IN), None),
    # Only the KAM's own notification; anyone else's is not found.
    "kam:notification_read": (lambda w: {}, may_post("kam", **{p: NOT_FOUND for p in SIGNED_IN if p != "kam"}),
                              None),
    "kam:notification_read_all": (lambda w: {}, may_post(*SIGNED_IN), None),
    # Anyone may ask; the e-mail is sent by a background job (tests/kam/test_password_reset.py), so the
    # request itself writes nothing here.
    "password_reset": (lambda w: {"email": "kam@example.com"}, may_post(*POST_PERSONAS), ()),
}
for _name, (_post, _expected, _writes) in WRITES.items():
    CASES[_name].post, CASES[_name].post_expected, CASES[_name].post_writes = _post, _expected, _writes
