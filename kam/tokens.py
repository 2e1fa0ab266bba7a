"""Secret addresses given to people outside a login (share links, client sessions, survey links, calendar
feeds): a random token of 256 bits, of which only the SHA-256 is stored, so a copy of the database hands
out no working address. One rule for all of them."""

import hashlib
import secrets

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    """What is stored of `token` and looked up when it comes back."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_new() -> tuple[str, str]:
    """A new token and its hash: the token is shown or sent once, the hash is kept."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)
