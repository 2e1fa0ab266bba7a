"""How long each kind of cached entry may live, in seconds: every cache lifetime of the project is here.

Entries are keyed so that a change of what they show gives a new key (docs/caching.md); the lifetime
only bounds how long an entry nobody asks for any more stays, and what a write the application cannot
see (psql by hand, a write while the cache was unreachable) can leave on screen."""

# Rendered parts of pages keyed on the change stamps of the tables they read (kam/datastamps.py).
FRAGMENT_SECONDS = 5 * 60
# Results keyed on everything they are computed from (a recompute run, a fingerprint of the rows).
DERIVED_SECONDS = 24 * 60 * 60
