"""Negotiation preparation: objectives, variables, concessions and agreements."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Account
from kam.history import Attributed
from kam.validators import free_text_length, sane_date, visible_text

from .choices import NegotiationStrategy, Party, Priority
from .plan import AccountPlan
from .rows import Commitment


class Negotiation(Attributed, models.Model):
    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="negotiations")
    plan = models.ForeignKey(AccountPlan, verbose_name=_("plan"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="negotiations")
    title = models.CharField(_("subject"), max_length=200, validators=[visible_text])
    scheduled_on = models.DateField(_("date"), null=True, blank=True, validators=[sane_date])
    our_batna = models.TextField(_("our BATNA (MAPAN)"), blank=True,
                                 help_text=_("Our best alternative if there is no agreement."),
                                 validators=[free_text_length])
    their_batna = models.TextField(_("the client's BATNA (MAPAN)"), blank=True, validators=[free_text_length])
    strategy = models.CharField(_("strategy"), max_length=14, choices=NegotiationStrategy.choices,
                                blank=True)
    strategy_notes = models.TextField(_("strategy notes"), blank=True, validators=[free_text_length])
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("negotiation")
        verbose_name_plural = _("negotiations")

    def __str__(self):
        return self.title


class NegotiationObjective(models.Model):
    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="objectives")
    party = models.CharField(_("side"), max_length=6, choices=Party.choices)
    description = models.CharField(_("objective"), max_length=300, validators=[visible_text])
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices,
                                                default=Priority.MEDIUM)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["party", "priority", "pk"]

    def __str__(self):
        return self.description


class NegotiationVariable(models.Model):
    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="variables")
    name = models.CharField(_("variable"), max_length=160, help_text=_("e.g. price, term, volume"))
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices,
                                                default=Priority.MEDIUM)
    our_target = models.CharField(_("our target"), max_length=160)
    our_limit = models.CharField(_("our limit"), max_length=160)
    client_position = models.CharField(_("client's expected position"), max_length=160, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["priority", "pk"]

    def __str__(self):
        return self.name


class Concession(models.Model):
    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="concessions")
    party = models.CharField(_("given by"), max_length=6, choices=Party.choices)
    description = models.CharField(_("concession"), max_length=300, validators=[visible_text])
    in_exchange_for = models.CharField(_("in exchange for"), max_length=300, blank=True)
    made_on = models.DateField(_("date"), default=timezone.localdate)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["made_on", "pk"]

    def __str__(self):
        return self.description


class NegotiationAgreement(Attributed, models.Model):
    """An agreement written down at the table; following it up means turning it into a commitment."""

    negotiation = models.ForeignKey(Negotiation, on_delete=models.CASCADE, related_name="agreements")
    description = models.CharField(_("agreement"), max_length=400, validators=[visible_text])
    party = models.CharField(_("who delivers"), max_length=6, choices=Party.choices, default=Party.US)
    due_date = models.DateField(_("due"), null=True, blank=True, validators=[sane_date])
    commitment = models.OneToOneField(Commitment, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="negotiation_agreement")
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.description
