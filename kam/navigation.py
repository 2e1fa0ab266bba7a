"""The main navigation by role. Items whose URL is not installed are left out, so an app can be
removed from INSTALLED_APPS without breaking every page."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .roles import KAM, LEAD, OPERATIONS, SPONSOR, user_roles

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ANY = None


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: "StrOrPromise"
    roles: tuple | None  # None: every signed-in user
    # Items of one group share a menu when a person has two or more of them; the programme lead's
    # pages would otherwise overflow the bar at laptop widths, in Spanish above all.
    group: "StrOrPromise | None" = None


PROGRAMME = _("Programme")
ANALYSIS = _("Analysis")


NAV_ITEMS = (
    # Everyone's own list of what is theirs to do: first, one click from every page.
    NavItem("metrics:my_work", _("My work"), ANY),
    NavItem("metrics:dashboard_kam", _("My dashboard"), (KAM,)),
    NavItem("metrics:dashboard_sponsor", _("Sponsor dashboard"), (SPONSOR,)),
    NavItem("metrics:dashboard_program", _("Programme dashboard"), (LEAD, SPONSOR), PROGRAMME),
    NavItem("accounts:list", _("Accounts"), ANY),
    NavItem("touchpoints:incident_list", _("Incidents"), (OPERATIONS, LEAD, KAM)),
    NavItem("touchpoints:touchpoint_new", _("Log touchpoint"), ANY),
    NavItem("accounts:portfolio", _("Portfolio"), (LEAD, SPONSOR, KAM), ANALYSIS),
    NavItem("accounts:pareto", _("Pareto"), (LEAD, SPONSOR, KAM), ANALYSIS),
    NavItem("charter:compliance", _("Charter compliance"), (LEAD, SPONSOR, KAM), ANALYSIS),
    NavItem("programme:review_list", _("Programme reviews"), (LEAD, SPONSOR), PROGRAMME),
    NavItem("charter:charter", _("Service charter"), (LEAD, OPERATIONS), PROGRAMME),
    NavItem("agreements:programme_list", _("Framework agreements"), (LEAD, SPONSOR), PROGRAMME),
    NavItem("roster:overview", _("KAM roster"), (LEAD,), PROGRAMME),
    NavItem("accounts:selection", _("Selection criteria"), (LEAD,), PROGRAMME),
    NavItem("accounts:imports", _("Imports"), (LEAD,), PROGRAMME),
    NavItem("metrics:programme_settings", _("Settings"), (LEAD,), PROGRAMME),
)

# Where "/" sends each role with a dashboard, in order of precedence; everyone else lands on My work.
HOME_BY_ROLE = (
    (LEAD, "metrics:dashboard_program"),
    (SPONSOR, "metrics:dashboard_sponsor"),
    (KAM, "metrics:dashboard_kam"),
)
FALLBACK_HOME = "metrics:my_work"


def _reverse_or_none(name):
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def nav_for(user) -> list[dict]:
    roles = user_roles(user)
    items = []
    for item in NAV_ITEMS:
        if item.roles is not None and not roles & set(item.roles):
            continue
        url = _reverse_or_none(item.url_name)
        if url:
            items.append({"url": url, "label": item.label, "name": item.url_name, "group": item.group})
    return items


def nav_tree(user) -> list[dict]:
    """`nav_for` as the bar shows it: a group a person has two or more items of becomes one menu
    ({"label", "children"}) where its first item stood; a group of one stays a plain link."""
    items = nav_for(user)
    sizes: dict = {}
    for item in items:
        if item["group"] is not None:
            sizes[item["group"]] = sizes.get(item["group"], 0) + 1
    tree: list[dict] = []
    menus: dict = {}
    for item in items:
        group = item["group"]
        if group is None or sizes[group] < 2:
            tree.append(item)
        elif group in menus:
            menus[group]["children"].append(item)
        else:
            menus[group] = {"label": group, "children": [item]}
            tree.append(menus[group])
    return tree


def home_url_for(user) -> str:
    roles = user_roles(user)
    for role, name in HOME_BY_ROLE:
        if role in roles:
            url = _reverse_or_none(name)
            if url:
                return url
    return _reverse_or_none(FALLBACK_HOME) or _reverse_or_none("accounts:list") or reverse("kam:notifications")
