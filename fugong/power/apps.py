from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PowerConfig(AppConfig):
    name = "fugong.power"
    label = "power"
    verbose_name = _("Power service")

    def ready(self) -> None:
        from fugong.screening import next_steps

        from . import erasure  # noqa: F401 - registers residents as kept data
        from .services import hall, notices

        notices.register_recipient_lists()
        next_steps.register(hall.offer_number)
