# Autodiscovered by rules.apps.AutodiscoverRulesConfig: registers the permissions at start-up.
from . import permissions  # noqa: F401
