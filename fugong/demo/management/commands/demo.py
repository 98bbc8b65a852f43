from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from fugong.accounts import audit
from fugong.demo import world


class Command(BaseCommand):
    help = "Load the demo county (idempotent) and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("zh-hans"), audit.origin(audit.Origin("command")):
            logins = world.load()
        self.stdout.write(self.style.SUCCESS("Fugong demo is ready. Sign in at http://127.0.0.1:8000 with:"))
        width = max(len(u) for u, *_ in logins)
        for username, name, role, where in logins:
            self.stdout.write(f"  {username.ljust(width)}  {world.DEMO_PASSWORD}  {name} · {role} · {where}")
