"""The framework commercial agreement of an account ("acuerdo comercial marco") and its terms."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Account
from kam.history import Attributed
from kam.validators import free_text_length, sane_date, visible_text
from planning.models import Commitment, Negotiation, NegotiationAgreement, Party

# Notice usually asked for by framework supply agreements; the KAM changes it per agreement.
DEFAULT_NOTICE_DAYS = 90
MAX_NOTICE_DAYS = 730
# What "expiring soon" means on the account page and the KAM's dashboard.
EXPIRING_WINDOW_DAYS = 90


class AgreementStatus(models.TextChoices):
    NEGOTIATION = "negotiation", _("In negotiation")
    SIGNED = "signed", _("Signed")
    ACTIVE = "active", _("Active")
    EXPIRING = "expiring", _("Expiring")
    RENEWED = "renewed", _("Renewed")
    ENDED = "ended", _("Ended")


# Agreements that bind us now or soon: the ones whose renewal someone must watch.
LIVE_STATUSES = (AgreementStatus.SIGNED, AgreementStatus.ACTIVE, AgreementStatus.EXPIRING)
CLOSED_STATUSES = (AgreementStatus.RENEWED, AgreementStatus.ENDED)


class TermKind(models.TextChoices):
    PRICE = "price", _("Prices and discounts")
    PAYMENT = "payment", _("Payment terms")
    SERVICE = "service", _("Service levels")
    VOLUME = "volume", _("Volumes")
    OTHER = "other", _("Other terms")


class FrameworkAgreement(Attributed, models.Model):
    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="framework_agreements")
    negotiation = models.ForeignKey(Negotiation, verbose_name=_("negotiation"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="framework_agreements")
    title = models.CharField(_("title"), max_length=200, validators=[visible_text])
    scope = models.TextField(_("scope"), blank=True, validators=[free_text_length],
                             help_text=_("Products, sites and companies of the group it covers."))
    start_date = models.DateField(_("start date"), validators=[sane_date])
    end_date = models.DateField(_("end date"), validators=[sane_date])
    renewal_date = models.DateField(_("renewal date"), validators=[sane_date],
                                    help_text=_("When it renews or ends unless notice is given."))
    notice_days = models.PositiveSmallIntegerField(_("notice period (days)"), default=DEFAULT_NOTICE_DAYS,
                                                   validators=[MaxValueValidator(MAX_NOTICE_DAYS)])
    # Derived (agreements.formulas.notice_date) and stored: the nightly job and the lists filter on it.
    notice_date = models.DateField(_("notice date"))
    status = models.CharField(_("status"), max_length=12, choices=AgreementStatus.choices,
                              default=AgreementStatus.NEGOTIATION)
    signed_on = models.DateField(_("signed on"), null=True, blank=True, validators=[sane_date])
    successor = models.OneToOneField("self", verbose_name=_("renewed by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="predecessor")
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["renewal_date", "pk"]
        verbose_name = _("framework agreement")
        verbose_name_plural = _("framework agreements")
        indexes = [models.Index(fields=["status", "notice_date"]),
                   models.Index(fields=["status", "renewal_date"])]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="agreement_ends_after_start"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("agreements:detail", args=[self.pk])


class AgreementTerm(Attributed, models.Model):
    """One clause a KAM looks up: a price or discount step, a payment term, a service level, a volume."""

    agreement = models.ForeignKey(FrameworkAgreement, on_delete=models.CASCADE, related_name="terms")
    kind = models.CharField(_("kind"), max_length=8, choices=TermKind.choices, default=TermKind.OTHER)
    text = models.CharField(_("term"), max_length=400, validators=[visible_text])
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True, blank=True,
                                help_text=_("Optional figure: a discount, a price, days, a volume."))
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("e.g. %, €/t, days, t/year"))
    party = models.CharField(_("who delivers"), max_length=6, choices=Party.choices, default=Party.US)
    negotiation_agreement = models.ForeignKey(NegotiationAgreement, null=True, blank=True,
                                              on_delete=models.SET_NULL, related_name="framework_terms")
    commitment = models.OneToOneField(Commitment, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="agreement_term")
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("agreement term")
        verbose_name_plural = _("agreement terms")

    def __str__(self):
        return self.text
