"""The feed as an iCalendar document (RFC 5545), written by the `icalendar` library."""

import datetime
from collections.abc import Iterable

from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

from .sources import Event

# The UIDs' domain: fixed, so that the same object keeps its UID whatever address serves the feed.
UID_DOMAIN = "kam-calendar"


def render(events: Iterable[Event], *, name: str, base_url: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//KAM platform//Calendar feed//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = timezone.now()
    for e in events:
        ev = VEvent()
        ev.add("uid", f"{e.uid}@{UID_DOMAIN}")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", e.day)  # a date, not a time: an all-day event
        ev.add("dtend", e.day + datetime.timedelta(days=1))
        ev.add("summary", e.title)
        if e.description:
            ev.add("description", e.description)
        if e.path:
            ev.add("url", base_url + e.path)
        ev.add("transp", "TRANSPARENT")  # a date to remember, not time taken
        cal.add_component(ev)
    return cal.to_ical()
