from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class AccountsConfig(AppConfig):
    name = "fugong.accounts"
    label = "accounts"
    verbose_name = pgettext_lazy("sign-in", "Accounts")

    def ready(self) -> None:
        from . import erasure  # noqa: F401 - registers the audit log as a kind of kept data
