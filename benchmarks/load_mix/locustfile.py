"""A county's peak hour at once, for locust (started by benchmarks/load.py, one run per step):
a factory gate's phones checking in at shift change (some resent with the same nonce, as phones
retry), the service hall's TVs polling, shops asking for their order, drivers recording
hand-overs (some resent with the same Idempotency-Key), staff on their pages, and a static URL
as the yardstick. Check-ins arrive at LOAD_RATE a second; the rest scales with it.

Environment: LOAD_COUNTY (the JSON prepare.py printed, plus "hosts" and "photo"), LOAD_RATE,
LOAD_ACKS (a file: one JSON line per acknowledged write, for the lost-or-doubled check).
"""

import itertools
import json
import os
import random
import re
import uuid
from typing import Any

from locust import FastHttpUser, constant_throughput, events, task

COUNTY: dict[str, Any] = json.loads(os.environ.get("LOAD_COUNTY", "{}") or "{}")
RATE = float(os.environ.get("LOAD_RATE", "25"))
HOSTS: list[str] = COUNTY.get("hosts", ["http://127.0.0.1:8000"])
RESEND_SHARE = 0.05  # phones on a bad connection send the same check-in again
ACKS = open(os.environ.get("LOAD_ACKS", os.devnull), "a", encoding="utf-8")  # noqa: SIM115 - open for the run
PHOTO = open(COUNTY["photo"], "rb").read() if "photo" in COUNTY else b""  # noqa: SIM115
# A phone per check-in: a fresh address each (phones are on the mobile network, not one Wi-Fi),
# passed the way the site's reverse proxy does (X-Real-IP from loopback is believed).
# Numbers start anywhere: a phone's name and mobile seen at the gate in the last minutes is the
# same person's form sent again (answered 200), so each step's phones must be new people.
SERIAL = itertools.count(random.randrange(9 * 10**7))
RUN = uuid.uuid4().hex[:8]
STOPS = list(COUNTY.get("stops", []))
random.shuffle(STOPS)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def acknowledged(kind: str, key: Any) -> None:
    ACKS.write(json.dumps({"kind": kind, "key": key}) + "\n")


@events.quitting.add_listener
def _flush(**_: Any) -> None:
    ACKS.flush()


def users(per_second: float, each: float) -> int:
    """How many users, each `each` requests a second, make `per_second` (at least one)."""
    return max(1, round(per_second / each))


class CountyUser(FastHttpUser):
    abstract = True
    host = HOSTS[0]
    _spread = itertools.count()

    def on_start(self) -> None:
        # Users take the hosts in turn, as a load balancer would spread them.
        self.base = HOSTS[next(CountyUser._spread) % len(HOSTS)]


class Phone(CountyUser):
    """The factory gate: each task is a worker's phone scanning the code."""

    fixed_count = users(RATE, 1.0)
    wait_time = constant_throughput(1.0)

    @task
    def check_in(self) -> None:
        n = next(SERIAL)
        body = {
            "nonce": f"load-{RUN}-{os.getpid()}-{n:07d}",
            "name": f"工人{n:08d}",
            "mobile": f"137{n % 10**8:08d}",
            "answers": {"temperature": "36.5" if n % 50 else "37.8", "health_code": "green", "mask": "yes"},
        }
        headers = {"X-Real-IP": f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"}
        gate = COUNTY["checkin_tokens"][n % len(COUNTY["checkin_tokens"])]
        path = f"{self.base}/api/screening/visit/{gate}"
        if self._send(path, body, headers, "check-in (new)", 201) and random.random() < RESEND_SHARE:
            self._send(path, body, headers, "check-in (resent)", 200)

    def _send(self, path: str, body: dict, headers: dict, name: str, expected: int) -> bool:
        with self.client.post(path, json=body, headers=headers, name=name, catch_response=True) as response:
            if response.status_code != expected:
                response.failure(f"{response.status_code}")
                return False
            acknowledged("checkin", body["nonce"])
            return True


class HallScreen(CountyUser):
    """A TV in the service hall: the page once, then its htmx poll."""

    fixed_count = users(RATE * 0.05, 0.5)
    wait_time = constant_throughput(0.5)

    def on_start(self) -> None:
        super().on_start()
        self.path = f"{self.base}/power/screen/{COUNTY['screen_token']}/"
        self.client.get(self.path, name="hall screen (page)")

    @task
    def poll(self) -> None:
        self.client.get(self.path, headers={"HX-Request": "true"}, name="hall screen (poll)")


class ShopOwner(CountyUser):
    """A shop asking where its order is: the status page, then licence number and mobile."""

    fixed_count = users(RATE * 0.1, 0.5)
    wait_time = constant_throughput(0.5)

    @task
    def ask(self) -> None:
        shop = random.choice(COUNTY["shops"])
        address = {"X-Real-IP": f"172.16.{random.randrange(256)}.{random.randrange(256)}"}
        page = self.client.get(f"{self.base}/delivery/status/", headers=address, name="shop status (form)")
        token = CSRF.search(page.text or "")
        form = {"csrfmiddlewaretoken": token[1] if token else "", **shop}
        with self.client.post(
            f"{self.base}/delivery/status/",
            data=form,
            headers=address,
            name="shop status (answer)",
            catch_response=True,
        ) as response:
            if response.status_code == 200 and 'class="errorlist' in (response.text or ""):
                response.failure("shop not found")


class Driver(CountyUser):
    """A driver at the next shop: the run's stops, then the hand-over with its photo."""

    fixed_count = users(RATE * 0.005, 0.2)
    wait_time = constant_throughput(0.2)

    @task
    def hand_over(self) -> None:
        if not STOPS:
            return
        stop = STOPS.pop()
        ACKS.write(json.dumps({"kind": "handover-tried", "key": stop["stop"]}) + "\n")  # never offered again
        run = f"{self.base}/api/delivery/runs/{stop['token']}"
        self.client.get(run, name="driver run (stops)")
        boundary = uuid.uuid4().hex
        fields = {"quantities": json.dumps(stop["quantities"]), "by": "店主"}
        body = multipart(boundary, fields, PHOTO)
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Idempotency-Key": uuid.uuid4().hex}
        path = f"{run}/stops/{stop['stop']}/handover"
        if self._send(path, body, headers, "hand-over (new)", stop) and random.random() < 0.1:
            self._send(path, body, headers, "hand-over (resent)", stop)

    def _send(self, path: str, body: bytes, headers: dict, name: str, stop: dict) -> bool:
        with self.client.post(path, data=body, headers=headers, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")
                return False
            acknowledged("handover", stop["stop"])
            return True


def multipart(boundary: str, fields: dict[str, str], photo: bytes) -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="handover.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + photo
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


class Staff(CountyUser):
    """A coordinator or the bureau's staff, signed in, going through their pages."""

    fixed_count = users(RATE * 0.05, 0.5)
    wait_time = constant_throughput(0.5)
    pages = ["/", "/delivery/", "/delivery/shops/", "/screening/", "/notify/"]
    _who = itertools.count()

    def on_start(self) -> None:
        super().on_start()
        username = COUNTY["staff"][next(Staff._who) % len(COUNTY["staff"])]
        login = f"{self.base}/accounts/login/"
        page = self.client.get(login, name="staff sign-in")
        token = CSRF.search(page.text or "")
        form = {"csrfmiddlewaretoken": token[1] if token else "", "username": username, "password": COUNTY["password"]}
        self.client.post(login, data=form, headers={"Referer": login}, name="staff sign-in")

    @task
    def browse(self) -> None:
        page = random.choice(self.pages)
        with self.client.get(
            f"{self.base}{page}", name="staff pages", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} on {page}")


class Yardstick(CountyUser):
    """The static URL, measured in the same run: what any request costs here."""

    fixed_count = users(RATE * 0.1, 1.0)
    wait_time = constant_throughput(1.0)

    @task
    def health(self) -> None:
        self.client.get(f"{self.base}/healthz", name="static URL (/healthz)")
