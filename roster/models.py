from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kam.history import Attributed
from kam.validators import free_text_length, sane_date, visible_text

SCORE_MIN, SCORE_MAX = 1, 5


class Competence(Attributed, models.Model):
    """One competence the KAMs are assessed and trained on. Retired ones keep their past scores and
    courses but are no longer asked for in new assessments."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80, validators=[visible_text])
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking (kam.versioning)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("competence")
        verbose_name_plural = _("competences")

    def __str__(self):
        return gettext(self.name)


class AssessmentKind(models.TextChoices):
    LEAD = "lead", _("Programme lead")
    SELF = "self", _("Self-assessment")


class SkillAssessment(models.Model):
    """A dated set of scores of one KAM on the competences, by the programme lead or by the KAM. Never
    edited: a new assessment is the next point of the trend."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="skill_assessments")
    kind = models.CharField(_("kind"), max_length=4, choices=AssessmentKind.choices)
    assessed_on = models.DateField(_("date"), default=timezone.localdate, validators=[sane_date])
    note = models.TextField(_("note"), blank=True, validators=[free_text_length])
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "kind", "-assessed_on", "-pk"]
        indexes = [models.Index(fields=["person", "kind", "-assessed_on"])]
        verbose_name = _("skills assessment")
        verbose_name_plural = _("skills assessments")

    def __str__(self):
        return f"{self.person_id} {self.kind} {self.assessed_on}"


class SkillScore(models.Model):
    assessment = models.ForeignKey(SkillAssessment, on_delete=models.CASCADE, related_name="scores")
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "competence"], name="skill_score_once"),
            models.CheckConstraint(condition=models.Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX),
                                   name="skill_score_range"),
        ]
        verbose_name = _("skill score")
        verbose_name_plural = _("skill scores")

    def __str__(self):
        return f"{self.competence_id}: {self.score}"


class CourseStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")


class Course(Attributed, models.Model):
    """One piece of training in a KAM's plan."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="courses")
    title = models.CharField(_("title"), max_length=200, validators=[visible_text])
    competence = models.ForeignKey(Competence, verbose_name=_("competence"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="courses")
    provider = models.CharField(_("provider"), max_length=120, blank=True, validators=[visible_text])
    link = models.URLField(_("link"), max_length=300, blank=True)
    due_date = models.DateField(_("due"), validators=[sane_date])
    status = models.CharField(_("status"), max_length=8, choices=CourseStatus.choices,
                              default=CourseStatus.PLANNED)
    completed_on = models.DateField(_("completed on"), null=True, blank=True, validators=[sane_date])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"])]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self):
        return self.title


def _limit(label, default):
    return models.PositiveIntegerField(label, default=default,
                                       validators=[MinValueValidator(1), MaxValueValidator(10_000)])


class RosterSettings(Attributed, models.Model):
    """The lead's capacity targets per KAM: one row, kept in history."""

    max_key_accounts = _limit(_("key accounts per KAM (at most)"), 6)
    max_accounts = _limit(_("accounts per KAM (at most)"), 20)
    # Reminders of a planned course start this many days before it is due.
    reminder_days = models.PositiveIntegerField(_("remind of a course this many days before it is due"),
                                                default=14, validators=[MinValueValidator(1),
                                                                        MaxValueValidator(365)])
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("roster settings")
        verbose_name_plural = _("roster settings")

    def __str__(self):
        return gettext("Roster settings")

    @classmethod
    def current(cls) -> "RosterSettings":
        obj = cls.objects.order_by("pk").first()
        if obj is None:
            obj = cls.objects.create()
        return obj
