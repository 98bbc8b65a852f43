"""A county's peak hour, beyond one host: two gunicorn hosts and two `fugong worker`s on one
PostgreSQL through PgBouncer (transaction pooling, DATABASE_POOLER=pgbouncer), in production
mode, under locust's mix (benchmarks/load_mix/locustfile.py): a factory gate's check-ins at
shift change, the hall's TVs polling, shops asking for their order, drivers' hand-overs, staff
pages, and a broadcast of a few thousand messages draining through the workers meanwhile.

The check-in rate steps up (BENCH_LOAD_RATES, default 25,50,100,150,200 a second; each step
BENCH_LOAD_STEP_SECONDS, default 30) until check-ins' p99 passes 500 ms: that rate is the
breaking point. Per kind of request: count, rate held, p50/p95/p99, errors. Afterwards every
acknowledged check-in and hand-over must be stored exactly once, and every broadcast message
sent exactly once (the console channel's outbox file). Goals: 100 check-ins a second with the
rest of the mix at p99 ≤ 300 ms and no errors; a check-in ≤ 2× the static URL; a resend ≤ a
new check-in. Exit status 1 if anything is lost or doubled, or there are errors at 100/s.

Run: `make bench` (or `uv run --group bench python benchmarks/load.py`). Needs the local
PostgreSQL (BENCH_LOAD_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/fugong_bench_load,
dropped and created) and the Debian package pgbouncer (run as user postgres when we are root:
it refuses to run as root). BENCH_WEB_WORKERS: gunicorn processes per host (default 3).
"""

import csv
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
MIX = ROOT / "benchmarks" / "load_mix"
URL = os.environ.get("BENCH_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fugong_bench_load")
RATES = [int(r) for r in os.environ.get("BENCH_LOAD_RATES", "25,50,100,150,200").split(",")]
STEP_SECONDS = int(os.environ.get("BENCH_LOAD_STEP_SECONDS", "30"))
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "3"))
BROADCAST = int(os.environ.get("BENCH_LOAD_BROADCAST", "3000"))
GOAL_RATE, GOAL_P99_MS, BREAKING_P99_MS = 100, 300, 500
PSQL = shutil.which("psql") or "/usr/bin/psql"
STATIC_ROOT = ROOT / "var" / "static"  # kept between runs: collecting takes minutes
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
# The pool: what the two hosts' gunicorn processes and workers may hold at once (max_client_conn)
# against the server connections PostgreSQL gives (default_pool_size, well under max_connections).
POOL = {"max_client_conn": 200, "default_pool_size": 20, "reserve_pool_size": 5}


@dataclass
class Kind:
    name: str
    count: int
    failures: int
    per_second: float
    p50: float
    p95: float
    p99: float


class Processes:
    """Everything started here, each in its own process group, ended whatever happens."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, args: list[str], env: dict[str, str], log: Path, user: str | None = None) -> None:
        if user:
            args = ["runuser", "-u", user, "--", *args]
        sink = log.open("ab")
        self.started.append(subprocess.Popen(args, env=env, cwd=ROOT, stdout=sink, stderr=sink, start_new_session=True))

    def stop(self) -> None:
        for process in reversed(self.started):
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(self.started):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database(action: str) -> None:
    base, name = URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if action == "create":
            conn.execute(f'CREATE DATABASE "{name}"')


def pgbouncer_ini(work: Path, port: int) -> Path:
    """A private PgBouncer in front of the benchmark's database (deploy/pgbouncer/pgbouncer.ini
    is the same for a real site, with authentication)."""
    target = psycopg.conninfo.conninfo_to_dict(URL)
    name = target["dbname"]
    (work / "userlist.txt").write_text(f'"{target.get("user", "postgres")}" ""\n')
    settings = {
        "listen_addr": "127.0.0.1",
        "listen_port": port,
        "unix_socket_dir": "",
        "auth_type": "trust",
        "auth_file": work / "userlist.txt",
        "pool_mode": "transaction",
        "logfile": work / "pgbouncer.log",
        "pidfile": work / "pgbouncer.pid",
        "admin_users": target.get("user", "postgres"),  # SHOW STATS: how long transactions waited for the pool
        **POOL,
    }
    ini = work / "pgbouncer.ini"
    host, server_port = target.get("host", "127.0.0.1"), target.get("port", "5432")
    ini.write_text(
        f"[databases]\n{name} = host={host} port={server_port} dbname={name}\n\n[pgbouncer]\n"
        + "".join(f"{key} = {value}\n" for key, value in settings.items())
    )
    return ini


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with suppress(httpx.TransportError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {seconds:.0f} s")


def wait_for_port(port: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


def django(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def static_is_current() -> bool:
    manifest = STATIC_ROOT / "staticfiles.json"
    if not manifest.exists():
        return False
    sources = [ROOT / "package-lock.json", ROOT / "uv.lock", *(ROOT / "fugong").glob("**/static/**/*")]
    return manifest.stat().st_mtime > max(p.stat().st_mtime for p in sources if p.is_file())


def tiny_photo(path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (64, 48), (180, 120, 60)).save(path, "JPEG")


def gunicorn_args(port: int) -> list[str]:
    config = ROOT / "deploy" / "gunicorn.conf.py"
    base = [sys.executable, "-m", "gunicorn", "fugong.wsgi"]
    if config.exists():
        base += ["-c", str(config)]
    # Command-line flags win over the config file: this host's address and process count.
    return [*base, "-b", f"127.0.0.1:{port}", "-w", str(WEB_WORKERS), "--log-level", "warning"]


def read_stats(prefix: Path, seconds: float) -> dict[str, Kind]:
    kinds = {}
    with (prefix.parent / f"{prefix.name}_stats.csv").open() as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                continue
            count = int(row["Request Count"])
            kinds[row["Name"]] = Kind(
                row["Name"],
                count,
                int(row["Failure Count"]),
                count / seconds,
                float(row["50%"] or 0),
                float(row["95%"] or 0),
                float(row["99%"] or 0),
            )
    return kinds


def run_step(
    rate: int, seconds: int, county: dict, work: Path, env: dict[str, str]
) -> tuple[dict[str, Kind], list[dict]]:
    """One step of the mix at `rate` check-ins a second: its figures and acknowledged writes."""
    prefix, acks = work / f"step-{rate}-{seconds}", work / f"acks-{rate}-{seconds}.jsonl"
    step_env = env | {"LOAD_COUNTY": json.dumps(county), "LOAD_RATE": str(rate), "LOAD_ACKS": str(acks)}
    users = sum_users(rate)
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(MIX / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users * 2),  # everyone in within half a second: shift change starts at once
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "ERROR",
        ],
        env=step_env,
        cwd=ROOT,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=(work / "locust.log").open("ab"),
    )
    elapsed = min(time.monotonic() - started, seconds + 1.0)
    written = [json.loads(line) for line in acks.read_text().splitlines()] if acks.exists() else []
    return read_stats(prefix, max(elapsed - 1.0, 1.0)), written


def pool_wait(port: int) -> tuple[int, int]:
    """PgBouncer's totals for the benchmark's database: (transactions, microseconds clients
    waited for a server connection)."""
    name = URL.rsplit("/", 1)[1]
    user = psycopg.conninfo.conninfo_to_dict(URL).get("user", "postgres")
    shown = subprocess.run(
        [PSQL, "-h", "127.0.0.1", "-p", str(port), "-U", str(user), "-d", "pgbouncer", "-AF,", "-c", "SHOW STATS"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()
    if len(shown) < 2:
        return 0, 0
    rows = list(csv.DictReader(shown[:-1]))  # the last line is "(n rows)"
    for row in rows:
        if row["database"] == name:
            return int(row["total_xact_count"]), int(row["total_wait_time"])
    return 0, 0


def print_failures(rate: int, seconds: int, work: Path) -> None:
    """What the errors were (locust's failures file: name, error, occurrences)."""
    path = work / f"step-{rate}-{seconds}_failures.csv"
    if not path.exists():
        return
    with path.open() as f:
        for row in csv.DictReader(f):
            print(f"   error: {row['Name']}: {row['Error'][:160]} ×{row['Occurrences']}")


def sum_users(rate: int) -> int:
    """The locustfile's fixed counts for this rate (they are computed there from LOAD_RATE)."""

    def users(per_second: float, each: float) -> int:
        return max(1, round(per_second / each))

    return (
        users(rate, 1.0)
        + users(rate * 0.05, 0.5)
        + users(rate * 0.1, 0.5)
        + users(rate * 0.005, 0.2)
        + users(rate * 0.05, 0.5)
        + users(rate * 0.1, 1.0)
    )


def print_step(rate: int, kinds: dict[str, Kind]) -> None:
    print(f"\n-- check-ins at {rate}/s with the rest of the mix ({STEP_SECONDS} s)")
    print(f"   {'request':<26} {'count':>6} {'rate/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}")
    for kind in sorted(kinds.values(), key=lambda k: k.name):
        print(
            f"   {kind.name:<26} {kind.count:>6} {kind.per_second:>7.1f} {kind.p50:>7.0f} {kind.p95:>7.0f} "
            f"{kind.p99:>7.0f} {kind.failures:>6}"
        )


def check_writes(acks: list[dict], broadcast: int, outbox: Path) -> list[str]:
    """Differences between what was acknowledged and what is stored or sent (empty: none)."""
    acked_checkins = Counter(a["key"] for a in acks if a["kind"] == "checkin")
    acked_handovers = {a["key"] for a in acks if a["kind"] == "handover"}
    problems = []
    with psycopg.connect(URL) as conn:
        stored = dict(
            conn.execute(
                "SELECT nonce, count(*) FROM screening_checkin WHERE nonce = ANY(%s) GROUP BY nonce",
                [list(acked_checkins)],
            ).fetchall()
        )
        lost = [n for n in acked_checkins if n not in stored]
        doubled = [n for n, c in stored.items() if c > 1]
        if lost or doubled:
            problems.append(f"check-ins: {len(lost)} acknowledged but not stored, {len(doubled)} stored twice")
        lines = conn.execute(
            "SELECT s.id, count(DISTINCT ol.id), count(h.id) FROM delivery_routestop s "
            "JOIN delivery_routestop_orders so ON so.routestop_id = s.id "
            "JOIN delivery_orderline ol ON ol.order_id = so.order_id "
            "LEFT JOIN delivery_handedover h ON h.line_id = ol.id AND h.stop_id = s.id "
            "WHERE s.id = ANY(%s) AND s.completed_at IS NOT NULL GROUP BY s.id",
            [list(acked_handovers)],
        ).fetchall()
        recorded = {stop for stop, line_count, handed in lines if handed == line_count}
        uneven = [stop for stop, line_count, handed in lines if handed != line_count]
        if acked_handovers - recorded or uneven:
            problems.append(
                f"hand-overs: {len(acked_handovers - recorded)} acknowledged but not recorded once, "
                f"{len(uneven)} with lines counted twice or not at all"
            )
        statuses = dict(
            conn.execute(
                "SELECT status, count(*) FROM notify_message WHERE broadcast_id = %s GROUP BY status", [broadcast]
            ).fetchall()
        )
        ids = [row[0] for row in conn.execute("SELECT id FROM notify_message WHERE broadcast_id = %s", [broadcast])]
    written = Counter(json.loads(line)["id"] for line in outbox.read_text().splitlines() if line.strip())
    unsent = [m for m in ids if written[m] == 0]
    twice = [m for m in ids if written[m] > 1]
    if unsent or twice or set(statuses) != {"sent"}:
        problems.append(
            f"broadcast: {len(ids)} messages, {len(unsent)} never written, {len(twice)} written more than once, "
            f"states {statuses}"
        )
    print(
        f"\nwrites: {len(acked_checkins)} check-ins acknowledged, {len(stored)} stored; "
        f"{len(acked_handovers)} hand-overs acknowledged, {len(recorded)} recorded; "
        f"broadcast {len(ids)} messages, {sum(1 for m in ids if written[m] == 1)} sent once"
    )
    return problems


def broadcast_drained(broadcast: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    with psycopg.connect(URL, autocommit=True) as conn:
        while time.monotonic() < deadline:
            left = conn.execute(
                "SELECT count(*) FROM notify_message WHERE broadcast_id = %s AND status IN ('queued', 'sending')",
                [broadcast],
            ).fetchone()
            if left and left[0] == 0:
                return True
            time.sleep(1)
    return False


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


@contextmanager
def interruptible() -> Iterator[None]:
    """SIGTERM (a CI timeout, `kill`) cleans up as Ctrl+C does."""

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main() -> int:
    if not Path(PGBOUNCER).exists():
        print("pgbouncer is not installed (Debian: apt-get install pgbouncer); load test skipped.")
        return 1
    work = Path(tempfile.mkdtemp(prefix="fugong-load-"))
    work.chmod(0o755)
    as_postgres = "postgres" if os.geteuid() == 0 else None
    if as_postgres:
        entry = pwd.getpwnam("postgres")
        os.chown(work, entry.pw_uid, entry.pw_gid)
    bouncer_port = free_port()
    pooled_url = URL.replace(URL.split("@", 1)[1].split("/", 1)[0], f"127.0.0.1:{bouncer_port}", 1)
    base_env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "fugong.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL": "0",
        "PYTHONPATH": str(ROOT),
        "FUGONG_VAR_DIR": str(work),
        "MEDIA_ROOT": str(work / "media"),
        "STATIC_ROOT": str(STATIC_ROOT),
        "TASKS_BACKEND": "db",
    }
    direct_env = base_env | {"DATABASE_URL": URL}
    pooled_env = base_env | {"DATABASE_URL": pooled_url, "DATABASE_POOLER": "pgbouncer"}
    processes = Processes()
    status = 1
    try:
        with interruptible():
            status = run(work, direct_env, pooled_env, processes, bouncer_port, as_postgres)
    except KeyboardInterrupt:
        print("\ninterrupted: cleaning up")
    except Exception:
        for log in sorted(work.glob("*.log")) + sorted(work.glob("*.out")):
            print(f"--- {log.name}:\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:]))
        raise
    finally:
        processes.stop()
        with suppress(psycopg.Error):
            database("drop")
        shutil.rmtree(work, ignore_errors=True)
    return status


def run(
    work: Path,
    direct_env: dict[str, str],
    pooled_env: dict[str, str],
    processes: Processes,
    bouncer_port: int,
    as_postgres: str | None,
) -> int:
    started = time.monotonic()
    database("create")
    # Static files are collected (and compressed: minutes) while the county is prepared, unless
    # var/static is newer than every source of them.
    collecting = None
    if not static_is_current():
        collecting = subprocess.Popen(
            [sys.executable, "-m", "fugong", "collectstatic", "--noinput", "--verbosity", "0"],
            env=direct_env,
            cwd=ROOT,
            start_new_session=True,
        )
        processes.started.append(collecting)
    county = json.loads(django([str(MIX / "prepare.py")], direct_env))
    if collecting is not None and collecting.wait() != 0:
        raise RuntimeError("collectstatic failed")
    tiny_photo(work / "photo.jpg")
    print(
        f"prepared in {time.monotonic() - started:.0f} s: {len(county['stops'])} shop stops, "
        f"{len(county['shops'])} shops, 2 hosts × {WEB_WORKERS} gunicorn processes, 2 workers, PgBouncer "
        f"(transaction pooling, {POOL['default_pool_size']} server connections)"
    )

    processes.start(
        [PGBOUNCER, str(pgbouncer_ini(work, bouncer_port))], os.environ.copy(), work / "pgb.out", as_postgres
    )
    wait_for_port(bouncer_port)
    hosts = []
    for host in range(2):
        port = free_port()
        processes.start(gunicorn_args(port), pooled_env, work / f"host{host}.log")
        hosts.append(f"http://127.0.0.1:{port}")
    processes.start([sys.executable, "-m", "fugong", "worker"], pooled_env, work / "worker0.log")
    processes.start([sys.executable, "-m", "fugong", "worker", "--no-scheduler"], pooled_env, work / "worker1.log")
    for host in hosts:
        wait_for(f"{host}/healthz", seconds=180)  # six processes importing Django on a busy machine
    outbox = work / "outbox.jsonl"
    per_minute = int(os.environ.get("BENCH_LOAD_BROADCAST_PER_MINUTE", "2400"))
    broadcast = json.loads(
        django([str(MIX / "prepare.py"), "broadcast", str(BROADCAST), str(outbox), str(per_minute)], pooled_env)
    )["broadcast"]
    print(f"broadcast queued: {BROADCAST} messages through the console channel at {per_minute} a minute")

    county |= {"hosts": hosts, "photo": str(work / "photo.jpg")}
    acks: list[dict] = []
    results: dict[int, dict[str, Kind]] = {}
    # A short warm-up (imports, connections, caches), not reported.
    _, warm_acks = run_step(5, 5, county, work, pooled_env)
    acks += warm_acks
    breaking = None
    for rate in RATES:
        county["stops"] = [s for s in county["stops"] if s["stop"] not in tried(acks)]
        before = pool_wait(bouncer_port)
        kinds, written = run_step(rate, STEP_SECONDS, county, work, pooled_env)
        after = pool_wait(bouncer_port)
        acks += written
        results[rate] = kinds
        print_step(rate, kinds)
        print_failures(rate, STEP_SECONDS, work)
        transactions, waited = after[0] - before[0], after[1] - before[1]
        print(
            f"   PgBouncer: {transactions} transactions, waiting for a server connection "
            f"{waited / 1000 / max(transactions, 1):.1f} ms each on average"
        )
        checkin = kinds.get("check-in (new)")
        if breaking is None and (checkin is None or checkin.p99 > BREAKING_P99_MS):
            breaking = rate
        if breaking is not None and rate >= GOAL_RATE:
            break  # past the breaking point and the goal measured: higher steps say nothing more

    drained = broadcast_drained(broadcast, 90)
    processes.stop()
    problems = check_writes(acks, broadcast, outbox)
    if not drained:
        problems.append("broadcast: not drained within 90 s after the load")
    return summary(results, breaking, problems)


def tried(acks: list[dict]) -> set[int]:
    return {a["key"] for a in acks if a["kind"] in {"handover", "handover-tried"}}


def summary(results: dict[int, dict[str, Kind]], breaking: int | None, problems: list[str]) -> int:
    print()
    if breaking is None:
        print(f"breaking point: not reached (check-ins' p99 ≤ {BREAKING_P99_MS} ms up to {max(results)}/s)")
    else:
        print(f"breaking point: check-ins' p99 passed {BREAKING_P99_MS} ms at {breaking}/s")
    goal = results.get(GOAL_RATE)
    errors_at_goal = None
    if goal:
        checkin, resend, static = (
            goal.get("check-in (new)"),
            goal.get("check-in (resent)"),
            goal.get("static URL (/healthz)"),
        )
        errors_at_goal = sum(k.failures for k in goal.values())
        held = checkin.per_second if checkin else 0.0
        p99 = checkin.p99 if checkin else float("inf")
        print(
            f"goal: {GOAL_RATE} check-ins/s with the rest of the mix, p99 ≤ {GOAL_P99_MS} ms, no errors: held "
            f"{held:.0f}/s, p99 {p99:.0f} ms, {errors_at_goal} errors: "
            f"{verdict(held >= 0.95 * GOAL_RATE and p99 <= GOAL_P99_MS and errors_at_goal == 0)}"
        )
        if checkin and static:
            print(
                f"goal: a check-in ≤ 2× the static URL: p50 {checkin.p50:.0f} ms vs {static.p50:.0f} ms "
                f"({checkin.p50 / max(static.p50, 1):.1f}×): {verdict(checkin.p50 <= 2 * max(static.p50, 1))}"
            )
        if checkin and resend:
            print(
                f"goal: a resent check-in ≤ a new one: p50 {resend.p50:.0f} ms vs {checkin.p50:.0f} ms "
                f"({resend.p50 / max(checkin.p50, 1):.2f}×): {verdict(resend.p50 <= checkin.p50)}"
            )
    else:
        print(f"goal: {GOAL_RATE} check-ins/s not measured (stopped before it)")
    print("nothing lost, nothing doubled" if not problems else "\n".join(problems))
    return 1 if problems or errors_at_goal is None or errors_at_goal > 0 else 0


if __name__ == "__main__":
    sys.exit(main())
