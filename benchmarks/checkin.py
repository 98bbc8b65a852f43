"""Morning rush at a 2,000-worker site: 1,000 check-ins through the real HTTP endpoint (the
venue code's API, as a phone sends it) on PostgreSQL with several gunicorn processes, next to
the same server answering a static health URL; then every check-in resent, to show none is
recorded twice. Each phone has its own address (X-Real-IP from the loopback proxy, as behind
the README's nginx), and the site is a gate set to take a rush (its check-ins per minute).

Run: `make bench` (or `uv run python benchmarks/checkin.py`). Needs the local PostgreSQL
(BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/fugong_bench_checkin, dropped
and created). Target: 1,000 check-ins in under 10 s, none lost, none doubled.
"""

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fugong_bench_checkin")
CHECKINS = 1_000
CONCURRENCY = 32  # phones at the door at once
WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "4"))
ENV = os.environ | {
    "DATABASE_URL": URL,
    "DJANGO_SETTINGS_MODULE": "fugong.settings",
    "DEBUG": "0",
    "SECRET_KEY": "bench-" + uuid.uuid4().hex,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL": "0",
    "PYTHONPATH": str(ROOT),
}


def fresh_database() -> None:
    base, name = URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


SETUP = """
from datetime import timedelta
from decimal import Decimal
from django.utils import timezone
from fugong.demo import world
from fugong.directory.models import Site
from fugong.screening.models import MAX_CHECKINS_PER_MINUTE
from fugong.screening.services import policies, venues
world.load(volunteers=False, delivery=False, screening=False, power=False, resumption=False)
site = Site.objects.get(name="客户服务中心营业厅")
venue = venues.open_venue(None, site, checkins_per_minute=MAX_CHECKINS_PER_MINUTE)
policies.create_policy(None, site=site, name="一测温二登记三受理", checks=policies.MEASURE_REGISTER_SERVE,
                       effective_from=timezone.now() - timedelta(hours=1))
print(venues.venue_token(venue))
"""


def run_django(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env=ENV,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def phone(n: int) -> dict[str, str]:
    """The phone's own address, as the reverse proxy tells it."""
    return {"X-Real-IP": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"}


def body(n: int, prefix: str = "rush") -> dict:
    return {
        "nonce": f"{prefix}-{n:06d}",
        "name": f"工人{n}",
        "mobile": f"139{n:08d}",
        "answers": {"temperature": "36.5" if n % 50 else "37.8", "health_code": "green", "mask": "yes"},
    }


Request = tuple[str, str, dict | None, dict[str, str]]  # method, path, JSON body, headers


async def fire(base: str, requests: list[Request]) -> tuple[float, list[float], list[int]]:
    """(wall seconds, latencies, statuses) for the requests, CONCURRENCY at a time."""
    latencies: list[float] = []
    statuses: list[int] = []
    queue = list(reversed(requests))
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def worker() -> None:
            while queue:
                method, path, payload, headers = queue.pop()
                started = time.perf_counter()
                response = await client.request(method, path, json=payload, headers=headers)
                latencies.append(time.perf_counter() - started)
                statuses.append(response.status_code)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return time.perf_counter() - started, latencies, statuses


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1] if len(values) > 1 else values[0]


def report(label: str, wall: float, latencies: list[float]) -> None:
    print(
        f"{label:<28} {len(latencies):>5} in {wall:6.2f} s = {len(latencies) / wall:7.0f}/s   "
        f"p50 {1000 * statistics.median(latencies):6.1f} ms   p99 {1000 * percentile(latencies, 99):6.1f} ms"
    )


def main() -> None:
    fresh_database()
    subprocess.run([sys.executable, "-m", "fugong", "migrate", "--verbosity", "0"], env=ENV, cwd=ROOT, check=True)
    token = run_django(SETUP)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "fugong.wsgi",
            "-w",
            str(WORKERS),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=ENV,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        path = f"/api/screening/visit/{token}"
        asyncio.run(
            fire(
                base,
                [("GET", "/healthz", None, {})] * 64
                + [("POST", path, body(9_000_000 + n, "warm"), phone(9_000_000 + n)) for n in range(64)],
            )
        )
        health_wall, health_lat, _ = asyncio.run(fire(base, [("GET", "/healthz", None, {})] * CHECKINS))
        rush: list[Request] = [("POST", path, body(n), phone(n)) for n in range(CHECKINS)]
        wall, latencies, statuses = asyncio.run(fire(base, rush))
        resend_wall, resend_lat, resend_statuses = asyncio.run(fire(base, rush))
    finally:
        server.terminate()
        server.wait()
    print(f"Check-ins through {WORKERS} gunicorn processes on PostgreSQL, {CONCURRENCY} phones at once:")
    report("static health URL", health_wall, health_lat)
    report("check-ins (new)", wall, latencies)
    report("check-ins (all resent)", resend_wall, resend_lat)
    print(f"check-in time / health-URL time: {wall / health_wall:.1f}x, resent: {resend_wall / health_wall:.1f}x")
    counted = int(
        run_django(
            "from fugong.screening.models import CheckIn;"
            "print(CheckIn.objects.filter(nonce__startswith='rush-').count())"
        )
    )
    lost_or_doubled = counted != CHECKINS
    print(
        f"records: {counted} for {CHECKINS} check-ins; new answered {sorted(set(statuses))}, "
        f"resends answered {sorted(set(resend_statuses))}"
    )
    ok = wall < 10 and not lost_or_doubled and set(statuses) == {201} and set(resend_statuses) == {200}
    print("target (1,000 in under 10 s, none lost or doubled):", "met" if ok else "NOT MET")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
