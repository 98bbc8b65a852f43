"""Faults: PostgreSQL restarted under load, and what phones, pages and the worker make of it.

On a private PostgreSQL cluster (initdb into a temporary folder, its own port; the machine's
server is never touched), gunicorn (DEBUG off) and one `fugong worker`:
(a) check-in burst: phones send CHECKINS check-ins with unique nonces, each resending the same
    nonce until it gets 200/201 (as the phone page does), while PostgreSQL is stopped and started
    again in the middle (`pg_ctl stop -m fast`, then a second burst with `-m immediate`, a
    crash); answers are counted by status, every 503 must be the outage answer (the JSON error,
    the friendly page for a page) and nothing may carry a traceback; afterwards every check-in
    is stored exactly once (count by nonce).
(b) broadcast drain: MESSAGES messages queued on the console channel, PostgreSQL restarted while
    the worker sends them; afterwards every message is in the outbox file exactly once and marked
    sent, and the same worker process (never restarted) finished the queue.

Run: `make bench` (or `uv run python benchmarks/faults.py`). Needs PostgreSQL 15's binaries
(/usr/lib/postgresql/15/bin) and root (the cluster runs as user postgres). Bounded: about two
minutes on an idle machine (a busy one stretches the set-up and the bursts).
FAULTS_CHECKINS and FAULTS_MESSAGES set the sizes (default 2,000; the crash run sends half).
Exits non-zero on any loss, duplicate, traceback or 500.
"""

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
CHECKINS = int(os.environ.get("FAULTS_CHECKINS", "2000"))
CRASH_CHECKINS = CHECKINS // 2
MESSAGES = int(os.environ.get("FAULTS_MESSAGES", "2000"))
PHONES = 32  # at the door at once
WEB_WORKERS = 3
# The app is loaded once and forked (a busy machine takes longer than gunicorn's 30 s to boot a worker).
GUNICORN = ["--preload", "--timeout", "120"]
DOWN_SECONDS = 3.0  # PostgreSQL is away this long (stopped, then started again)
RESEND_AFTER = 0.25  # a phone's pause before sending the same check-in again
DRAIN_TIMEOUT = 100.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A throw-away PostgreSQL owned by user postgres, listening on its own port."""

    def __init__(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="fugong-faults-pg-"))
        shutil.chown(self.home, "postgres", "postgres")
        self.data = self.home / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/fugong_faults"

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(["/usr/sbin/runuser", "-u", "postgres", "--", *command], check=True, stdout=subprocess.DEVNULL)

    def create(self) -> None:
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self.start()
        with psycopg.connect(f"postgres://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE fugong_faults")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off"
        self._as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.home / "log"), "-w", "start"
        )

    def stop(self, mode: str) -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop("immediate")
        shutil.rmtree(self.home, ignore_errors=True)

    def query(self, sql: str) -> list[tuple]:
        with psycopg.connect(self.url) as conn:
            return conn.execute(sql).fetchall()


@dataclass
class Burst:
    label: str
    statuses: Counter[int] = field(default_factory=Counter)
    acknowledged: set[str] = field(default_factory=set)
    outage_503: int = 0  # JSON answers with the outage message
    pages_503: int = 0  # the friendly page, asked for while the database was away
    bad: list[str] = field(default_factory=list)  # tracebacks, 500s, 503s without the outage answer
    transport_errors: int = 0
    stored: tuple[int, int] = (0, 0)  # rows, distinct nonces


def body(nonce: str, n: int) -> dict:
    return {
        "nonce": nonce,
        "name": f"工人{n}",
        "mobile": f"139{n:08d}",
        "answers": {"temperature": "36.5", "health_code": "green", "mask": "yes"},
    }


def judge(burst: Burst, response: httpx.Response, *, page: bool) -> None:
    text = response.text
    if "Traceback" in text or response.status_code == 500:
        burst.bad.append(f"{response.status_code} {text[:200]!r}")
    elif response.status_code == 503:
        if page and 'id="database-outage"' in text and response.headers.get("Retry-After"):
            burst.pages_503 += 1
        elif not page and response.json().get("message") and response.headers.get("Retry-After"):
            burst.outage_503 += 1
        else:
            burst.bad.append(f"503 without the outage answer: {text[:200]!r}")


async def check_in_burst(
    base: str, token: str, cluster: Cluster, label: str, count: int, mode: str, first: int = 0
) -> Burst:
    """Phones check in, people numbered from `first` (each burst its own people: a person
    scanning again soon after is answered with their first check-in); when a third are
    acknowledged, PostgreSQL goes away for DOWN_SECONDS."""
    burst = Burst(label)
    path = f"/api/screening/visit/{token}"
    todo = list(reversed(range(first, first + count)))
    outage_done = asyncio.Event()
    limits = httpx.Limits(max_connections=PHONES + 2, max_keepalive_connections=PHONES + 2)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def phone() -> None:
            while todo:
                n = todo.pop()
                nonce = f"{label}-{n:06d}"
                for _ in range(2000):
                    try:
                        response = await client.post(path, json=body(nonce, n))
                    except httpx.TransportError:
                        burst.transport_errors += 1
                        await asyncio.sleep(RESEND_AFTER)
                        continue
                    burst.statuses[response.status_code] += 1
                    judge(burst, response, page=False)
                    if response.status_code in (200, 201):
                        burst.acknowledged.add(nonce)
                        break
                    await asyncio.sleep(RESEND_AFTER)

        async def outage() -> None:
            while len(burst.acknowledged) < count // 3:
                await asyncio.sleep(0.05)
            await asyncio.to_thread(cluster.stop, mode)
            await asyncio.sleep(DOWN_SECONDS)
            await asyncio.to_thread(cluster.start)
            outage_done.set()

        async def page_reader() -> None:  # someone opening the check-in page meanwhile
            while not outage_done.is_set():
                try:
                    response = await client.get(f"/screening/v/{token}/")
                    judge(burst, response, page=True)
                except httpx.TransportError:
                    burst.transport_errors += 1
                await asyncio.sleep(0.1)

        await asyncio.gather(*(phone() for _ in range(PHONES)), outage(), page_reader())
    return burst


SETUP = """
import json
from datetime import timedelta
from django.utils import timezone
from fugong.demo import world
from fugong.directory.models import Site
from fugong.notify import services as notify
from fugong.screening.services import policies, venues
world.load(volunteers=False, delivery=False, screening=False, power=False, resumption=False)
site = Site.objects.get(name="客户服务中心营业厅")
venue = venues.open_venue(None, site, checkins_per_minute=6000)  # the site's ceiling: a gate at shift change
policies.create_policy(None, site=site, name="一测温二登记三受理", checks=policies.MEASURE_REGISTER_SERVE,
                       effective_from=timezone.now() - timedelta(hours=1))
channel = notify.save_channel(None, name="故障演练", kind="console",
                              options={"path": OUTBOX, "delay_ms": 3}, rate_per_minute=100000)
notify.save_template(None, channel, kind="drill", text="{name}，演练通知。", parameters=["name"])
print(json.dumps({"token": venues.venue_token(venue), "channel": channel.pk}))
"""

# With DEBUG off pages name their static files through collectstatic's manifest; the bench reads
# pages, not the files, so a manifest naming each file as itself stands in for minutes of copying.
STATIC_MANIFEST = """
import json
import os
from pathlib import Path
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
found = [(getattr(where, "prefix", None) or "", path) for f in get_finders() for path, where in f.list([])]
paths = {os.path.join(prefix, path): os.path.join(prefix, path) for prefix, path in found}
Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
(Path(settings.STATIC_ROOT) / "staticfiles.json").write_text(json.dumps({"paths": paths, "version": "1.1", "hash": ""}))
print(len(paths))
"""

QUEUE = """
from fugong.notify import services as notify
from fugong.notify.models import Channel
recipients = [f"+86139{n:08d}" for n in range(MESSAGES)]
print(notify.send(None, Channel.objects.get(pk=CHANNEL), "drill", recipients, {"name": "同志"}))
"""


def run_django(env: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return done.stdout.strip().splitlines()[-1]


def wait_until(condition, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.2)


def outbox_ids(path: Path) -> Counter[int]:
    ids: Counter[int] = Counter()
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        try:
            ids[json.loads(line)["id"]] += 1
        except (ValueError, KeyError):
            continue
    return ids


def drain(cluster: Cluster, env: dict[str, str], channel: int, outbox: Path, worker: subprocess.Popen) -> dict:
    queued = int(run_django(env, QUEUE.replace("MESSAGES", str(MESSAGES)).replace("CHANNEL", str(channel))))
    started = time.monotonic()
    wait_until(lambda: sum(outbox_ids(outbox).values()) >= MESSAGES // 3, 60, "a third of the messages sent")
    cluster.stop("fast")
    time.sleep(DOWN_SECONDS)
    cluster.start()

    def settled() -> bool:
        [(pending,)] = cluster.query("SELECT count(*) FROM notify_message WHERE status IN ('queued', 'sending')")
        return pending == 0

    wait_until(settled, DRAIN_TIMEOUT, "the queue to drain after the restart")
    seconds = time.monotonic() - started
    statuses = dict(cluster.query("SELECT status, count(*) FROM notify_message GROUP BY status"))
    ids = outbox_ids(outbox)
    [(message_ids,)] = cluster.query("SELECT array_agg(id) FROM notify_message")
    return {
        "queued": queued,
        "sent": statuses.get("sent", 0),
        "statuses": statuses,
        "in_outbox": len(ids),
        "duplicates": sum(1 for n in ids.values() if n > 1),
        "missing": len(set(message_ids) - set(ids)),
        "seconds": seconds,
        "worker_alive": worker.poll() is None,
    }


def stored(cluster: Cluster, label: str) -> tuple[int, int]:
    [(rows, distinct)] = cluster.query(
        f"SELECT count(*), count(DISTINCT nonce) FROM screening_checkin WHERE nonce LIKE '{label}-%'"  # noqa: S608
    )
    return rows, distinct


def main() -> None:
    if os.geteuid() != 0 or not (PG_BIN / "initdb").exists():
        print(f"Skipped: needs root and PostgreSQL's binaries in {PG_BIN} (a private cluster is started).")
        return
    cluster = Cluster()
    work = Path(tempfile.mkdtemp(prefix="fugong-faults-"))
    outbox = work / "outbox.jsonl"
    env = os.environ | {
        "DATABASE_URL": cluster.url,
        "DJANGO_SETTINGS_MODULE": "fugong.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL": "0",
        "PYTHONPATH": str(ROOT),
        "FUGONG_VAR_DIR": str(work / "var"),
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
        "NOTIFY_CONSOLE_PATH": str(outbox),
        "NOTIFY_LEASE_SECONDS": "10",
        # The whole burst comes from one address: the throttle is not what is measured (the venue
        # takes its ceiling, 6,000 a minute, set above).
        "PUBLIC_CHECKINS_PER_ADDRESS_PER_MINUTE": "1000000",
    }
    processes: list[subprocess.Popen] = []
    logs = work / "server.log"
    try:
        cluster.create()
        subprocess.run([sys.executable, "-m", "fugong", "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True)
        run_django(env, STATIC_MANIFEST)
        setup = json.loads(run_django(env, SETUP.replace("OUTBOX", repr(str(outbox)))))
        port = free_port()
        with logs.open("w") as log:
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "fugong.wsgi",
                        "-w",
                        str(WEB_WORKERS),
                        "-b",
                        f"127.0.0.1:{port}",
                        *GUNICORN,
                    ],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=log,
                )
            )
            worker_command = ["worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"]
            worker = subprocess.Popen(
                [sys.executable, "-m", "fugong", *worker_command], env=env, cwd=ROOT, stdout=log, stderr=log
            )
            processes.append(worker)
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answers(f"{base}/healthz"), 180, "gunicorn")
        started = time.monotonic()
        bursts = [
            asyncio.run(check_in_burst(base, setup["token"], cluster, "fast", CHECKINS, "fast")),
            asyncio.run(check_in_burst(base, setup["token"], cluster, "crash", CRASH_CHECKINS, "immediate", CHECKINS)),
        ]
        burst_seconds = time.monotonic() - started
        for burst in bursts:
            burst.stored = stored(cluster, burst.label)
        drained = drain(cluster, env, setup["channel"], outbox, worker)
    except BaseException:
        if logs.exists():
            print(logs.read_text(errors="replace")[-3000:])
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        cluster.remove()
    try:
        ok = report(bursts, burst_seconds, drained, logs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url).status_code == 200
    except httpx.TransportError:
        return False


def report(bursts: list[Burst], seconds: float, drained: dict, logs: Path) -> bool:
    ok = True
    log_text = logs.read_text(errors="replace")
    tracebacks = log_text.count("Traceback")
    print(f"PostgreSQL stopped for {DOWN_SECONDS:.0f} s mid-run ({PHONES} phones, {WEB_WORKERS} web workers):")
    for burst, total in zip(bursts, [CHECKINS, CRASH_CHECKINS], strict=True):
        rows, distinct = burst.stored
        lost_or_doubled = rows != distinct or distinct != total or len(burst.acknowledged) != total
        ok = ok and not lost_or_doubled and not burst.bad
        print(
            f"  check-ins, pg_ctl -m {'fast' if burst.label == 'fast' else 'immediate'}: sent {total}, "
            f"acknowledged {len(burst.acknowledged)}, stored {distinct} (rows {rows}, duplicates {rows - distinct}); "
            f"answers {dict(sorted(burst.statuses.items()))}; 503 outage answers {burst.outage_503} (JSON) + "
            f"{burst.pages_503} (page); connection errors {burst.transport_errors}; bad answers {len(burst.bad)}"
        )
        for bad in burst.bad[:3]:
            print("    bad:", bad)
    print(f"  check-in runs took {seconds:.1f} s in all")
    drain_ok = (
        drained["sent"] == drained["queued"] == MESSAGES
        and drained["duplicates"] == 0
        and drained["missing"] == 0
        and drained["worker_alive"]
    )
    ok = ok and drain_ok
    print(
        f"  broadcast drain, pg_ctl -m fast: queued {drained['queued']}, sent {drained['sent']} "
        f"(statuses {drained['statuses']}), in the outbox {drained['in_outbox']}, duplicates {drained['duplicates']}, "
        f"missing {drained['missing']}; drained in {drained['seconds']:.1f} s; "
        f"same worker alive: {'yes' if drained['worker_alive'] else 'NO'}"
    )
    print(f"  tracebacks in the server and worker logs: {tracebacks}")
    ok = ok and tracebacks == 0
    if not ok:
        print(log_text[-4000:])
    print("faults: nothing lost or doubled, no traceback:", "met" if ok else "NOT MET")
    return ok


if __name__ == "__main__":
    main()
