"""Deployment checks of Fugong's own settings (`fugong check --deploy`); Django checks its own."""

import ipaddress
import os
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


@register(Tags.security, deploy=True)
def check_base_url(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Every link sent (SMS, robots, e-mail) or printed (venue posters, QR codes) starts with
    BASE_URL: left at its development default, or on this machine, none of them opens for the
    people they are meant for."""
    url = settings.BASE_URL
    parts = urlsplit(url)
    problems = []
    if not parts.hostname or _is_loopback(parts.hostname):
        problems.append("it points at no public host, so links sent in messages and printed on QR codes open nowhere")
    if parts.scheme != "https":
        problems.append("it is not https, so signed links (keys to a route, a duty page) travel in clear")
    if not problems:
        return []
    unset = "" if os.environ.get("BASE_URL") else " (not set in the environment)"
    return [
        CheckWarning(
            f"BASE_URL is {url}{unset}: {'; '.join(problems)}.",
            hint="Set BASE_URL to the https:// address people reach this site at, e.g. https://fugong.example.gov.cn.",
            id="fugong.W001",
        )
    ]
