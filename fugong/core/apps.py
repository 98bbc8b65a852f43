from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fugong.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        # Imported for what they register: the deployment checks, core's kinds of kept data, its
        # readiness checks and metrics.
        from . import checks, erasure_kinds, metrics, readiness  # noqa: F401
        from .logging import install_record_factory
        from .sane_dates import refuse_unreal_dates

        pre_save.connect(refuse_unreal_dates, dispatch_uid="fugong.refuse_unreal_dates")
        install_record_factory()
