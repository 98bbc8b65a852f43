"""Fugong started the production way, end to end: DEBUG off, a real secret, collected and hashed
static files, gunicorn with deploy/gunicorn.conf.py behind a pretend nginx (the X-Real-IP and
X-Forwarded-Proto headers it sets) and one `fugong worker`, on a database of its own made and
migrated for this test. Someone signs in through the real form, opens a page of each app, gets a
static file by its hashed name, sees a background task run; a signed link's token never reaches
the log in clear; both processes stop cleanly on SIGTERM, as systemd stops them.

Self-contained (its own database, its own free port, its own static folder), so it runs beside
the rest of the suite under pytest-xdist; on PostgreSQL its database is made on the server of
DATABASE_URL under a unique name and dropped afterwards, otherwise it is a SQLite file.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
# A graceful stop ends well inside gunicorn's graceful timeout (30 s, and systemd's 45 s after
# it): a second or two on a quiet machine, some seconds on a busy one.
STOP_WITHIN_SECONDS = 30
UP_WITHIN_SECONDS = 180
CJK = re.compile("[\u4e00-\u9fff]")
# One page of each app, as the platform administrator sees it.
PAGES = {
    "site": "/",
    "directory": "/directory/regions/",
    "notify": "/notify/",
    "volunteers": "/volunteers/",
    "delivery": "/delivery/",
    "screening": "/screening/",
    "power": "/power/",
    "resumption": "/resumption/",
    "accounts": "/accounts/users/",
}

pytestmark = pytest.mark.xdist_group("production-smoke")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database: on PostgreSQL a new one on DATABASE_URL's server, else a SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'smoke.sqlite3'}"
        return
    import psycopg

    name = f"{urlsplit(url).path.lstrip('/') or 'fugong'}_smoke_{uuid.uuid4().hex[:8]}"
    server = urlsplit(url)._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(url)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_environment(database_url: str, tmp_path: Path) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    return environment | {
        "DJANGO_SETTINGS_MODULE": "fugong.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "0",
        "SECURE_SSL": "1",  # as in production (the test settings turn it off for the suite)
        "SECRET_KEY": "smoke-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1",
        "BASE_URL": "https://127.0.0.1",
        "DATABASE_URL": database_url,
        "FUGONG_VAR_DIR": str(tmp_path / "var"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "TASKS_BACKEND": "db",
        "GUNICORN_WORKERS": "1",
    }


SET_UP = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from fugong.demo import world
    from fugong.demo.resumption import BASELINE
    from fugong.directory.models import Region, Site
    from fugong.directory.tasks import apply_due_zone_changes
    from fugong.resumption import services as resumption
    from fugong.screening.services import venues
    # The seeds' regions, organisations and logins; the resumption index's set-up without its
    # year of meter readings; a venue, whose check-in link is signed.
    world.load(volunteers=False, delivery=False, screening=False, power=False, resumption=False)
    resumption.save_setup(None, Region.objects.get(code="331100"), baseline_start=BASELINE[0], baseline_end=BASELINE[1])
    venue = venues.open_venue(None, Site.objects.get(name="客户服务中心营业厅"))
    task = apply_due_zone_changes.enqueue()
    print(json.dumps({"venue_token": venues.venue_token(venue), "task": str(task.id)}))
    """
)

TASK_STATUS = textwrap.dedent(
    """
    import sys, time
    import django
    django.setup()
    from django_tasks_db.models import DBTaskResult
    deadline = time.monotonic() + 30
    while (status := DBTaskResult.objects.get(id=sys.argv[1]).status) not in ("SUCCESSFUL", "FAILED"):
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    print(status)
    """
)


def run_python(code: str, environment: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=environment, cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def stop(process: subprocess.Popen[Any]) -> tuple[int | None, float]:
    """SIGTERM, as systemd stops a unit; the exit code and how long it took."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        code: int | None = process.wait(timeout=STOP_WITHIN_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        code = None
    return code, time.monotonic() - started


def wait_until_up(base: str, server: subprocess.Popen[Any], log: Path) -> None:
    """Until a web process answers: seconds, or minutes on a machine busy with other work."""
    deadline = time.monotonic() + UP_WITHIN_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, f"gunicorn exited on start:\n{log.read_text()[-3000:]}"
        try:
            httpx.get(base + "/accounts/login/", timeout=5)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer within {UP_WITHIN_SECONDS} s:\n{log.read_text()[-3000:]}")


class Browser:
    """A browser behind nginx: nginx's headers on every request, and the session and CSRF cookies
    (marked Secure, as they are over https) sent back although gunicorn itself speaks plain http."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.client = httpx.Client(base_url=base, timeout=30)
        self.origin = "https://" + urlsplit(base).netloc
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {
            "X-Real-IP": "203.0.113.9",
            "X-Forwarded-Proto": "https",
            "Accept-Language": "zh-CN,zh;q=0.9",
            **kwargs.pop("headers", {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        response = self.client.request(method, path, headers=headers, **kwargs)
        self.cookies.update(response.cookies)
        return response

    def sign_in(self, username: str, password: str) -> httpx.Response:
        form = self.request("GET", "/accounts/login/")
        assert form.status_code == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        assert token is not None
        return self.request(
            "POST",
            "/accounts/login/",
            data={"csrfmiddlewaretoken": token[1], "username": username, "password": password},
            headers={"Origin": self.origin, "Referer": self.origin + "/accounts/login/"},
        )


def test_production_start_serve_and_clean_stop(database_url: str, tmp_path: Path) -> None:
    from fugong.demo.world import DEMO_PASSWORD

    environment = production_environment(database_url, tmp_path)
    collect = subprocess.Popen(
        [sys.executable, "-m", "fugong", "collectstatic", "--noinput", "--verbosity", "0"],
        env=environment,
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    made = json.loads(run_python(SET_UP, environment))
    assert collect.wait(timeout=900) == 0, collect.stderr.read() if collect.stderr else ""

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web_log = tmp_path / "gunicorn.log"
    with web_log.open("w") as log:
        web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")],
            env=environment | {"GUNICORN_BIND": f"127.0.0.1:{port}"},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        worker = subprocess.Popen(
            [sys.executable, "-m", "fugong", "worker", "--interval", "0.2", "--no-startup-delay"],
            env=environment,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(base, web, web_log)
        browser = Browser(base)

        signed_in = browser.sign_in("admin", DEMO_PASSWORD)
        assert signed_in.status_code == 302, signed_in.text[:500]
        assert signed_in.headers["Location"] == "/"

        for app, path in PAGES.items():
            page = browser.request("GET", path)
            assert page.status_code == 200, f"{app}: {path} answered {page.status_code}"
            assert '<html lang="zh-hans"' in page.text and CJK.search(page.text), f"{app}: {path} is not in Chinese"

        manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
        hashed = manifest["fugong/app.css"]
        assert hashed != "fugong/app.css" and f"/static/{hashed}" in browser.request("GET", "/").text
        static = browser.request("GET", f"/static/{hashed}")
        assert static.status_code == 200 and static.text.strip()
        assert "immutable" in static.headers["Cache-Control"] and "max-age=315360000" in static.headers["Cache-Control"]

        signed_path = f"/screening/v/{made['venue_token']}/"
        assert browser.request("GET", signed_path).status_code == 200

        assert run_python(TASK_STATUS, environment, made["task"]) == "SUCCESSFUL"
    finally:
        web_stopped = stop(web)
        worker_stopped = stop(worker)

    log_text = web_log.read_text()
    assert web_stopped[0] == 0, f"gunicorn exited {web_stopped[0]} after SIGTERM:\n{log_text[-3000:]}"
    assert worker_stopped[0] == 0, f"the worker exited {worker_stopped[0]} after SIGTERM:\n{log_text[-3000:]}"
    # Request lines are logged, through the app's redaction: the venue's path, not its key.
    assert '"GET /screening/v/…/ HTTP/1.1" 200' in log_text, log_text[-3000:]
    assert made["venue_token"] not in log_text
