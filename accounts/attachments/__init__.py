"""Files attached to accounts and to what belongs to an account (plans, negotiations, agreements...).

Accounts cannot import the apps above it, so each app declares its attachable models here, from its
AppConfig.ready:

    from accounts import attachments

    attachments.register(
        Negotiation,
        account_of=lambda negotiation: negotiation.account,
        may_read=lambda user, negotiation: user.has_perm("accounts.view_commercial", negotiation.account),
        may_change=lambda user, negotiation: user.has_perm("planning.change_plan", negotiation.account),
        label=_("negotiation"),
    )

Then `{% attachments_panel negotiation %}` (`{% load attachment_tags %}`) on the object's page lists its
files and offers the upload to who may change it. Every read and write asks the account's access
(`accounts.view_account`) and then the registered functions: a person who may see the account but not
the object gets 404 for its files, as for the object itself. The account's own files are registered
here for `Account`.
"""

from .registry import Attachable, entry_by_key, entry_for, register, registered

__all__ = ["Attachable", "entry_by_key", "entry_for", "register", "registered"]
