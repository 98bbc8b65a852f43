"""Gunicorn for Fugong: `gunicorn -c deploy/gunicorn.conf.py` (fugong-web.service runs it).

Every knob comes from the environment (the same /etc/fugong/fugong.env as the app), each with a
default that suits one machine behind nginx:

GUNICORN_BIND              where nginx reaches it; default 127.0.0.1:8001 (a unix:/run/... path works too).
GUNICORN_WORKERS           web processes; default 2 per core plus one, at most 9 (each holds a
                           database connection per thread: keep workers x threads under the
                           database's connection limit, with room for the background workers).
GUNICORN_THREADS           threads per process; default 1 (plain sync workers). Above 1 the
                           gthread worker is used: a slow report then does not hold a whole process.
GUNICORN_TIMEOUT           seconds a request may run before its process is killed and replaced;
                           default 120, for the longest PDF and spreadsheet reports (nginx waits as long).
GUNICORN_GRACEFUL_TIMEOUT  seconds a stopping or reloading process gets to finish its requests; default 30.
GUNICORN_KEEPALIVE         seconds an idle connection from nginx is kept; default 5.
GUNICORN_MAX_REQUESTS      requests after which a process is replaced, so a slow leak never grows
                           unbounded; default 1000, 0 never.
GUNICORN_MAX_REQUESTS_JITTER  up to this many more, so the processes are not all replaced at once; default 100.
GUNICORN_ACCESS_LOG        1 (default): one line per request, through the app's redacting logging; 0: none.
GUNICORN_CONTROL_SOCKET    a path for `gunicornc` (fugong-web.service sets one under /run); default none.
TRUSTED_PROXIES            the app's own list of reverse proxies (see fugong/settings.py): X-Forwarded-Proto
                           is believed from exactly these.
PROMETHEUS_MULTIPROC_DIR   set (by fugong-web.service) when /metrics adds up all processes: a process
                           that exits is marked dead there, so its gauges stop counting.

This file deliberately imports nothing of Fugong or Django. The master process reads it, and
every web process is forked from the master: a module the master had imported would stay at its
old version in processes started by a reload (HUP) after an upgrade. The values are therefore
read here with the same rules as fugong/environment.py (a value that cannot be read stops
start-up naming the variable); tests/deploy/test_bundle.py holds the two to the same defaults.
"""

import os


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None or value.strip() == "" else value.strip()


def _integer(name: str, default: int, minimum: int = 0) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value.replace("_", ""))
    except ValueError:
        raise SystemExit(f"{name}={value!r} is not a whole number.") from None
    if number < minimum:
        raise SystemExit(f"{name}={value!r} is below {minimum}.")
    return number


def _boolean(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise SystemExit(f"{name}={value!r} is not a yes/no value: use 1/0, true/false, yes/no or on/off.")


wsgi_app = "fugong.wsgi:application"
bind = [_raw("GUNICORN_BIND") or "127.0.0.1:8001"]
workers = _integer("GUNICORN_WORKERS", min(2 * (os.cpu_count() or 1) + 1, 9), minimum=1)
threads = _integer("GUNICORN_THREADS", 1, minimum=1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _integer("GUNICORN_TIMEOUT", 120, minimum=1)
graceful_timeout = _integer("GUNICORN_GRACEFUL_TIMEOUT", 30, minimum=1)
keepalive = _integer("GUNICORN_KEEPALIVE", 5)
max_requests = _integer("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _integer("GUNICORN_MAX_REQUESTS_JITTER", 100)
# Not preloaded: each process imports the app itself, so a reload (HUP) serves the new code.
preload_app = False
# The heartbeat file in memory: on a disk-backed /tmp its fchmod can stall a worker. Only the
# heartbeat's (empty, randomly named) file goes there.
SHARED_MEMORY = "/dev/shm"  # noqa: S108
worker_tmp_dir = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None

# X-Forwarded-Proto (https behind nginx) is believed from the proxies the app believes X-Real-IP
# from, and from nobody else: the same variable, the same default as fugong/settings.py.
forwarded_allow_ips = _raw("TRUSTED_PROXIES") or "127.0.0.1,::1"

# The control socket is opt-in: by default gunicorn puts it in $HOME, where two servers of one
# user (the tests, a bench) would fight over it.
control_socket = _raw("GUNICORN_CONTROL_SOCKET") or "gunicorn.ctl"
control_socket_disable = _raw("GUNICORN_CONTROL_SOCKET") is None

# Logging: gunicorn's own lines go to the root logger, with no handler of their own. In a web
# process Django then configures the root logger from settings.LOGGING, so request lines are
# written by the app's formatter, which takes signed-link tokens out of paths and masks mobiles
# and ID numbers (fugong/core/logging.py); gunicorn's raw access log, which would write them as
# they came, is never set up (`accesslog` stays unset). The master process has no request to
# log: its lines (workers booted, signals) are written plainly until then.
# Only keys gunicorn always fills: the app's record factory hands the formatter a plain dict.
access_log_format = '"%(r)s" %(s)s %(b)s %(M)sms'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}},
    "root": {"handlers": ["stderr"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": [], "level": "INFO", "propagate": True},
        "gunicorn.access": {
            "handlers": [],
            "level": "INFO" if _boolean("GUNICORN_ACCESS_LOG", True) else "WARNING",
            "propagate": True,
        },
    },
}


def on_starting(server: object) -> None:
    """The metrics folder must exist before a process counts anything into it."""
    folder = _raw("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)


def child_exit(server: object, worker: object) -> None:
    """A web process ended (stop, reload, max_requests, timeout): its live gauges stop counting."""
    if _raw("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess  # in the master only; not part of the app

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
