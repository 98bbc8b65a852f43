from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "fugong.delivery"
    verbose_name = _("Delivery")

    def ready(self) -> None:
        from fugong.directory.signals import zone_status_changed

        from . import erasure  # noqa: F401 - registers photos and drivers' mobiles as kept data
        from .audiences import register_audiences
        from .services.dispatch import on_zone_closed
        from .services.orders import on_zone_status_changed

        zone_status_changed.connect(on_zone_status_changed, dispatch_uid="delivery.holds")
        zone_status_changed.connect(on_zone_closed, dispatch_uid="delivery.tell_managers")
        register_audiences()  # the bureau's shops, for notify's broadcasts
