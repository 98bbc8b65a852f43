from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import translation

from fugong.accounts import audit
from fugong.core import links
from fugong.demo import world


class Command(BaseCommand):
    help = "Migrate, load the demo county (idempotent) and print the demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-migrate", action="store_false", dest="migrate", help="Skip `migrate`.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["migrate"]:
            # In this process rather than a separate `fugong migrate`: start-up is most of the time.
            call_command("migrate", verbosity=0, interactive=False)
        with translation.override("zh-hans"), audit.origin(audit.Origin("command")):
            logins = world.load()
        self.stdout.write(self.style.SUCCESS(f"Fugong demo is ready. Sign in at {links.absolute('/')} with:"))
        width = max(len(u) for u, *_ in logins)
        for username, name, role, where in logins:
            place = f" · {where}" if where else ""
            self.stdout.write(f"  {username.ljust(width)}  {world.DEMO_PASSWORD}  {name} · {role}{place}")
