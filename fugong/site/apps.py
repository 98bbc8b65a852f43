from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The top layer: the pieces that bring every module together (home page, menu, worker
    schedule). Nothing below imports it."""

    name = "fugong.site"
    label = "site"
    verbose_name = _("Site")
