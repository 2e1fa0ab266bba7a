import django_filters
from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kam.roles import KAM, SPONSOR

from . import health
from .forms import UserChoiceField
from .models import Account, Industry, ParetoClass, Quadrant, Tier

User = get_user_model()

# Health bands over Account.health_score (written by metrics).
HEALTH_BANDS = (
    ("good", format_lazy(_("Good ({low}–100)"), low=health.GOOD_FROM)),
    ("watch", format_lazy(_("Watch ({low}–{high})"), low=health.WATCH_FROM, high=health.GOOD_FROM - 1)),
    ("poor", format_lazy(_("Poor (0–{high})"), high=health.WATCH_FROM - 1)),
    ("unknown", _("Not measured yet")),
)


class UserChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


def _users(role):
    def qs(request):
        return User.objects.filter(groups__name=role, is_active=True).order_by("first_name", "last_name")
    return qs


class VisibleRevenueOrdering(django_filters.OrderingFilter):
    """Revenue sorts on `revenue_visible` (see selectors.with_commercial): accounts whose figures the
    reader may not see come last, in no order their figures would give away."""

    def get_ordering_value(self, param):
        value = super().get_ordering_value(param)
        if value.lstrip("-") == "revenue_visible":
            field = F("revenue_visible")
            return field.desc(nulls_last=True) if value.startswith("-") else field.asc(nulls_last=True)
        return value


class AccountFilter(django_filters.FilterSet):
    """Filters and sorting over a queryset annotated by `selectors.with_commercial`."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    tier = django_filters.ChoiceFilter(label=_("Tier"), choices=Tier.choices)
    kam = UserChoiceFilter(label=_("KAM"), queryset=_users(KAM))
    sponsor = UserChoiceFilter(label=_("Sponsor"), queryset=_users(SPONSOR))
    industry = django_filters.ChoiceFilter(label=_("Industry"), choices=Industry.choices)
    quadrant = django_filters.ChoiceFilter(label=_("Quadrant"), choices=Quadrant.choices)
    pareto_class = django_filters.ChoiceFilter(label=_("Pareto class"), choices=ParetoClass.choices)
    health = django_filters.ChoiceFilter(label=_("Health"), choices=HEALTH_BANDS, method="health_band")
    archived = django_filters.ChoiceFilter(label=_("Show"), choices=(("true", _("Archived accounts")),),
                                           empty_label=_("Active accounts"), method="archived_filter")
    sort = VisibleRevenueOrdering(
        label=_("Sort by"),
        fields=(("name", "name"), ("revenue_visible", "revenue"), ("health_score", "health"),
                ("attractiveness", "attractiveness"), ("strength", "strength"), ("tier", "tier"),
                ("pareto_class", "pareto")),
        field_labels={"name": _("name"), "revenue_visible": _("12-month revenue"), "health_score": _("health"),
                      "attractiveness": _("attractiveness"), "strength": _("relative strength"),
                      "tier": _("tier"), "pareto_class": _("Pareto class")},
    )

    class Meta:
        model = Account
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(tax_id__iexact=value) | Q(customer_number__iexact=value)
                               | Q(region__icontains=value))

    def health_band(self, queryset, name, value):
        band = health.health_band_q(value)
        return queryset if band is None else queryset.filter(band)

    def archived_filter(self, queryset, name, value):
        # The base queryset includes archived accounts; by default the list shows active ones only.
        return queryset

    def filter_queryset(self, queryset):
        archived = self.form.cleaned_data.get("archived") == "true"
        queryset = queryset.filter(archived_at__isnull=not archived)
        qs = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            qs = qs.order_by("name", "pk")
        return qs
