from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "fugong.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from . import erasure  # noqa: F401 - registers sent messages as a kind of kept data
        from .monitoring import register as register_monitoring

        register_monitoring()  # the outbox's readiness check and metrics
