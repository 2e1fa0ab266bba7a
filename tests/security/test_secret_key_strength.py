"""What counts as a weak SECRET_KEY (kam.security.secret_key_problem); production refuses to start with
one (tests/test_deploy_check.py)."""

import secrets
import string

import pytest

from kam.security import secret_key_problem


@pytest.mark.parametrize("key", [
    secrets.token_urlsafe(50),
    secrets.token_hex(25),  # 50 hex digits: 16 symbols, 200 bits
    "".join(secrets.choice(string.ascii_letters + string.digits + "!@#$%^&*(-_=+)") for _ in range(50)),
    "k9Qz-production-like-secret-7fT2mW4xR8vB1nL6pJ3sD0hG5yU_eA!cV",
])
def test_strong_keys_pass(key):
    assert secret_key_problem(key) is None


@pytest.mark.parametrize(("key", "why"), [
    ("", "shorter than 50"),
    ("x", "shorter than 50"),
    (secrets.token_urlsafe(30)[:49], "shorter than 50"),
    ("a" * 64, "too little entropy"),
    ("abcde" * 12, "too little entropy"),
    ("changeme" * 8, "published"),
    ("Tr0ub4dor&3-" * 6, "too little entropy"),  # a short password repeated to length
    ("a" * 45 + "bcdefghijk", "too little entropy"),
    ("django-insecure-" + secrets.token_urlsafe(40), "published"),
    ("insecure-development-key-never-use-in-production-0123456789abcdef", "published"),
    ("please-change-me-" + secrets.token_urlsafe(40), "published"),
    ("bench-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz", "published"),
])
def test_weak_keys_are_named(key, why):
    assert why in (secret_key_problem(key) or "")
