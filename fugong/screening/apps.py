from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "fugong.screening"
    label = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        from . import erasure  # noqa: F401 - registers check-ins and staff temperatures as kept data
        from .audiences import register_audiences
        from .monitoring import register as register_metrics

        register_audiences()  # the sites' staff, for notify's broadcasts
        register_metrics()  # check-ins per minute on /metrics
