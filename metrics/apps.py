from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = _("Metrics")

    def ready(self):
        from kam import health

        from . import signals

        signals.connect()
        health.register("metrics", _metrics_health)


def _metrics_health() -> str:
    from .selectors import metrics_freshness

    return metrics_freshness().describe()
