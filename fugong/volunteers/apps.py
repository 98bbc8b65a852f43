from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "fugong.volunteers"
    label = "volunteers"
    verbose_name = _("Volunteers")

    def ready(self) -> None:
        from . import erasure  # noqa: F401 - registers former members and mediation parties as kept data
        from .audiences import register_audiences

        register_audiences()  # the teams' members, for notify's broadcasts
