"""How a person of ours is named wherever the platform shows them: pages, e-mails, records, choices."""


def person_label(user) -> str:
    """The person's full name, or their username when they have none; "" for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
