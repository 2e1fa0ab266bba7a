"""The kinds of events of the accounts app (kam.messages), registered by AccountsConfig.ready."""

from django.utils.translation import gettext_lazy as _

from kam.messages import DATE, PARTS, TEXT, Choice, register

ACCOUNT_CREATED = register("accounts.created", _("Account created"))
ACCOUNT_UPDATED = register("accounts.updated", _("Account details edited"))
ACCOUNT_ARCHIVED = register("accounts.archived", _("Account archived"))
ACCOUNT_UNARCHIVED = register("accounts.unarchived", _("Account restored from the archive"))
STAGE_CHANGED = register("accounts.stage", _("Relationship stage: %(from)s → %(to)s"),
                         **{"from": Choice("accounts.RelationshipStageChange", "from_stage"),
                            "to": Choice("accounts.RelationshipStageChange", "to_stage")})
SINCE = register("accounts.since", _("since %(date)s"), date=DATE)
TIER_DECIDED = register("accounts.tier", _("Tier: %(from)s → %(to)s. %(reason)s"),
                        **{"from": Choice("accounts.Account", "tier"), "to": Choice("accounts.Account", "tier")})
ASSESSED = register("accounts.assessed", _("Assessed by %(who)s: attractiveness %(a)s, strength %(s)s"))
QUADRANT = register("accounts.quadrant", "%(quadrant)s", quadrant=Choice("accounts.Account", "quadrant"))
TEAM_JOINED = register("accounts.team_joined", _("%(person)s joined the account team (%(dept)s)"))
TEAM_ROLE = register("accounts.team_role", _("%(person)s's role on the team changed"))
TEAM_LEFT = register("accounts.team_left", _("%(person)s left the account team"))
CONTACT_GONE = register("accounts.contact_gone", _("%(name)s left the company"))
CONTACT_SUCCEEDED = register("accounts.contact_succeeded",
                             _("%(name)s left the company; %(successor)s takes the position"))
CONTACTS_IMPORTED = register("accounts.contacts_imported", _("Contacts imported from CSV"))
CONTACT_ERASED = register("accounts.contact_erased", _("A contact's personal data was erased (%(who)s)"))
# Several messages in one line.
LINE = register("accounts.line", "%(parts)s", parts=PARTS)
# A text the programme itself wrote, in English, translated when read.
SOURCE_TEXT = register("accounts.text", "%(text)s", text=TEXT)
