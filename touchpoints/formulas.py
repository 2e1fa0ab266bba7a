"""The arithmetic of the client survey: the mutuality gap and when an answer raises an alert. Plain
functions without the database."""

from decimal import Decimal


def mutuality_gap(client_score, our_rating) -> Decimal | None:
    """Our team's rating of the partnership minus the client's satisfaction, both 0–10: positive when we
    think better of the relationship than the client does (the relationship is at risk without our
    knowing), negative when the client rates it higher (under-served). None when either is missing.
    Source: the "mutuality" of key account relationships (Ryals & McDonald, *Key Account Plans*, 2008;
    Woodburn & McDonald, *Key Customers*, 2011): a partnership exists only where both sides say it does,
    so the distance between the two views is measured, not either view alone."""
    if client_score is None or our_rating is None:
        return None
    return Decimal(our_rating) - Decimal(client_score)


def survey_alert_reasons(client_score: int, gap: Decimal | None, *, score_below: int,
                         gap_above: int) -> list[str]:
    """Why a survey answer alerts the KAM and the sponsor (programme settings): "score" when the client's
    satisfaction is below the floor, "gap" when our rating and theirs are further apart than the gap
    threshold, in either direction (the same |gap| the satisfaction component of health subtracts)."""
    reasons = []
    if client_score < score_below:
        reasons.append("score")
    if gap is not None and abs(gap) > gap_above:
        reasons.append("gap")
    return reasons
