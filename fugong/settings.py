"""Fugong settings: one module, every knob from the environment.

Variables (all optional in development). A value that cannot be read stops start-up naming the
variable (fugong/environment.py); SECRET_KEY, NOTIFY_SECRET_KEY and DATABASE_URL can instead be
read from a file named by SECRET_KEY_FILE, NOTIFY_SECRET_KEY_FILE, DATABASE_URL_FILE.

DEBUG               "1" for development. Off by default: production is the safe default.
SECRET_KEY          required when DEBUG is off; generated into var/ for development.
DATABASE_URL        e.g. postgres://user@host:5432/fugong; default: SQLite file var/fugong.sqlite3.
DATABASE_POOLER     "pgbouncer" when DATABASE_URL points at PgBouncer in transaction pooling mode
                    (several hosts on one PostgreSQL): no server-side cursors and no prepared
                    statements, which would outlive the transaction on a server connection another
                    client gets next. Default "" (straight to PostgreSQL).
ALLOWED_HOSTS       comma-separated host names; default localhost names when DEBUG is on.
CSRF_TRUSTED_ORIGINS comma-separated origins (https://fugong.example.cn) behind a proxy.
BASE_URL            the https:// address people reach the site at; every link sent or printed
                    starts with it (default http://127.0.0.1:8000; `make demo` sets it from HOST/PORT).
MEDIA_ROOT          where uploads live; default var/media.
STATIC_ROOT         where collectstatic writes; default var/static.
TASKS_BACKEND       "db" (django-tasks-db, the default) or "immediate" (run in the request).
SECURE_SSL          "1" behind HTTPS: secure cookies, HSTS, redirect to https.
SECURE_HSTS_PRELOAD "0" for a domain whose subdomains are not all https (default on with SECURE_SSL).
TIME_ZONE           default Asia/Shanghai.
TRUSTED_PROXIES     addresses of reverse proxies whose X-Real-IP is believed (default loopback).
ROUTING_WORKERS     parallel route searches when planning deliveries (default: cores, at most 4).
ROUTING_GRAPH       a road graph folder made by `fugong prepare_roads` from an OpenStreetMap extract:
                    plans then travel by road (OSRM); default none, or a folder not prepared: the
                    straight line times a road factor per kind of vehicle.
MAP_TILES           the streets under the route maps: "" none (the default: a plain background, nothing
                    fetched from outside), "tianditu" (天地图, needs MAP_TILE_KEY; WGS-84 as stored),
                    "amap" (高德; points are shifted to GCJ-02 for it) or "custom" (MAP_TILE_URL; the
                    default when MAP_TILE_URL is set). Exactly its tile hosts join the
                    Content-Security-Policy's img-src.
MAP_TILE_KEY        the deployment's Tianditu key (tk); it is sent to browsers with each tile, as
                    Tianditu's browser keys are. Also from MAP_TILE_KEY_FILE.
MAP_TILE_URL        a custom tile server for route maps ({s}, {z}/{x}/{y}).
MAP_TILE_ATTRIBUTION the copyright line for it; with a preset, added after the preset's own (e.g. the
                    year's map approval number, 审图号).
RESUMPTION_STORE    where meter readings are kept as Parquet; default var/resumption.
RESUMPTION_INBOX    folder with one subfolder per city code for meter-data files; default var/resumption-inbox.
FUGONG_MAX_UPLOAD_BYTES  the largest file an import takes, page or API (default 10485760, 10 MB);
                    an .xlsx may unpack to 10 times that. Bigger meter-data files go through the inbox.
FUGONG_MAX_IMPORT_ROWS   the most rows an imported spreadsheet may have (default 100000).
LOG_FORMAT          "text" (the default) or "json": one JSON object a line, redacted all the same.
SENTRY_DSN          send errors to Sentry (or GlitchTip), scrubbed like the logs; default none. Also
                    SENTRY_DSN_FILE; SENTRY_ENVIRONMENT names the deployment in the reports.
METRICS_TOKEN       /metrics answers a request with "Authorization: Bearer <token>"; also METRICS_TOKEN_FILE.
METRICS_ALLOWED_ADDRESSES  addresses or networks (10.0.0.0/8) /metrics answers without the token
                    (the client as TRUSTED_PROXIES let us see it). To anyone else it is a 404.
PROMETHEUS_MULTIPROC_DIR  an empty folder, set before gunicorn starts: /metrics adds up its processes.
READY_WORKER_SECONDS       /readyz wants a worker heard from within this (default 60).
READY_MAX_TASK_AGE_SECONDS  ... and no due background task waiting longer than this (default 300).
READY_MAX_OUTBOX_AGE_SECONDS ... and no due outbound message waiting longer than this (default 900).
"""

import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from fugong import environment as env
from fugong.core import map_tiles
from fugong.core.error_reporting import start_error_reporting

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env.path("FUGONG_VAR_DIR", BASE_DIR / "var")


DEBUG = env.boolean("DEBUG")


def _secret_key() -> str:
    key = env.secret("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development: generate once and keep it so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.items("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env.items("CSRF_TRUSTED_ORIGINS")
# Reverse proxies whose X-Real-IP header names the client (for the audit log and throttling).
TRUSTED_PROXIES = frozenset(env.items("TRUSTED_PROXIES", "127.0.0.1,::1"))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "fugong.core.staticfiles.FugongStaticFilesConfig",  # django.contrib.staticfiles, used builds only
    "csp",
    "ninja",  # the API docs page from its own static files (otherwise from a CDN, with inline script)
    "django_htmx",
    "django_tasks_db",
    "fugong.core",
    "fugong.accounts",
    "fugong.directory",
    "fugong.notify",
    "fugong.volunteers",
    "fugong.delivery",
    "fugong.screening",
    "fugong.power",
    "fugong.resumption",
    "fugong.site",
    "fugong.demo",
]

MIDDLEWARE = [
    # First and last: request latency by view name (the route's name, never the URL) for /metrics.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A database outage met by a view answers 503 and a page that needs no database.
    "fugong.core.middleware.DatabaseOutageMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fugong.accounts.middleware.AuditContextMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "fugong.urls"
WSGI_APPLICATION = "fugong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "fugong" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fugong.site.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env.secret("DATABASE_URL", f"sqlite:///{VAR_DIR / 'fugong.sqlite3'}"),
        conn_max_age=env.integer("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASE_POOLER = env.text("DATABASE_POOLER").lower()
if DATABASE_POOLER not in {"", "pgbouncer"}:
    raise ImproperlyConfigured(f"DATABASE_POOLER={DATABASE_POOLER!r} is not a pooler: use pgbouncer or leave it empty.")
if DATABASE_POOLER == "pgbouncer":
    # Transaction pooling hands each transaction whichever server connection is free: a named
    # cursor (iterator()) or a prepared statement would be looked for on the wrong one.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["fugong.accounts.backends.UsernameOrMobileBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "fugong" / "locale"]
TIME_ZONE = env.text("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", VAR_DIR / "static")
# Meter readings for the resumption index, as Parquet files (far too many rows for the database).
RESUMPTION_STORE = env.path("RESUMPTION_STORE", VAR_DIR / "resumption")
# A folder the meter-data system drops files into: <inbox>/<city code>/accounts*.csv, readings*.parquet, ...
RESUMPTION_INBOX = env.path("RESUMPTION_INBOX", VAR_DIR / "resumption-inbox")
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end packages come from npm (package-lock.json) and are served straight from
# node_modules under vendor/, so nothing third-party is copied into the repository.
STATICFILES_DIRS = [
    BASE_DIR / "fugong" / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = env.path("MEDIA_ROOT", VAR_DIR / "media")
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Imports (spreadsheets, meter data): a bigger file is refused before it is kept or a job starts.
FUGONG_MAX_UPLOAD_BYTES = env.integer("FUGONG_MAX_UPLOAD_BYTES", 10 * 1024 * 1024, minimum=1)
FUGONG_MAX_IMPORT_ROWS = env.integer("FUGONG_MAX_IMPORT_ROWS", 100000, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

TASKS_BACKEND = env.text("TASKS_BACKEND", "db")
TASKS = {
    "default": {
        "BACKEND": {
            "db": "django_tasks_db.DatabaseBackend",
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
        }[TASKS_BACKEND],
    }
}

SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env.boolean("SECURE_SSL", default=not DEBUG):
    SECURE_SSL_REDIRECT = True
    # Probes and Prometheus may ask over plain http inside the network; the answers hold no secret.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # On by default: the directive only consents to the browsers' preload list (submitting the domain at
    # hstspreload.org is a separate, deliberate step), and a public service under HTTPS for a year with its
    # subdomains is what the list asks for. A domain with plain-http subdomains sets SECURE_HSTS_PRELOAD=0.
    SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD", default=True)

LOG_FORMATTERS = {
    "text": "fugong.core.logging.RedactingFormatter",
    "json": "fugong.core.logging.RedactingJsonFormatter",
}
LOG_FORMAT = env.text("LOG_FORMAT", "text").lower()
if LOG_FORMAT not in LOG_FORMATTERS:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not a log format: use text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"redacted": {"()": LOG_FORMATTERS[LOG_FORMAT]}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "redacted"}},
    "root": {"handlers": ["console"], "level": env.text("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers write around the redacting formatter: send its lines to the root's.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # Request lines are noise at INFO; errors and 404s still show, redacted.
        "django.server": {"handlers": [], "level": "WARNING", "propagate": True},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Errors to Sentry, scrubbed as the logs are (fugong.core.error_reporting).
SENTRY_DSN = env.secret("SENTRY_DSN")
if SENTRY_DSN:
    start_error_reporting(SENTRY_DSN, environment=env.text("SENTRY_ENVIRONMENT"))

# Monitoring (fugong.core.readiness, fugong.core.metrics): what /readyz allows, who may read /metrics.
READY_WORKER_SILENCE = env.duration("READY_WORKER_SECONDS", timedelta(seconds=60), unit="seconds")
READY_MAX_TASK_AGE = env.duration("READY_MAX_TASK_AGE_SECONDS", timedelta(seconds=300), unit="seconds")
READY_MAX_OUTBOX_AGE = env.duration("READY_MAX_OUTBOX_AGE_SECONDS", timedelta(seconds=900), unit="seconds")
METRICS_TOKEN = env.secret("METRICS_TOKEN")
try:
    METRICS_ALLOWED_NETWORKS = [
        ipaddress.ip_network(address, strict=False) for address in env.items("METRICS_ALLOWED_ADDRESSES")
    ]
except ValueError as error:
    _addresses = env.text("METRICS_ALLOWED_ADDRESSES")
    raise ImproperlyConfigured(f"METRICS_ALLOWED_ADDRESSES={_addresses!r}: {error}.") from None

# Sign-in throttling: failures allowed per account and per address within the window.
LOGIN_FAILURES_PER_ACCOUNT = env.integer("LOGIN_FAILURES_PER_ACCOUNT", 10, minimum=1)
LOGIN_FAILURES_PER_ADDRESS = env.integer("LOGIN_FAILURES_PER_ADDRESS", 50, minimum=1)
LOGIN_FAILURE_WINDOW = env.duration("LOGIN_FAILURE_WINDOW_MINUTES", timedelta(minutes=15), unit="minutes")
# Check-ins without an account, per minute: at one venue (a queue scanning at opening time stays
# under it), and from one address (above a family on one phone and a hall's Wi-Fi in normal use).
PUBLIC_CHECKINS_PER_VENUE_PER_MINUTE = env.integer("PUBLIC_CHECKINS_PER_VENUE_PER_MINUTE", 30, minimum=1)
PUBLIC_CHECKINS_PER_ADDRESS_PER_MINUTE = env.integer("PUBLIC_CHECKINS_PER_ADDRESS_PER_MINUTE", 20, minimum=1)

# Outbound messages (fugong.notify).
NOTIFY_SECRET_KEY = env.secret("NOTIFY_SECRET_KEY")  # default: derived from SECRET_KEY
NOTIFY_CONSOLE_PATH = env.path("NOTIFY_CONSOLE_PATH", VAR_DIR / "outbox.jsonl")
NOTIFY_LEASE = env.duration("NOTIFY_LEASE_SECONDS", timedelta(seconds=120), unit="seconds")
NOTIFY_MAX_ATTEMPTS = env.integer("NOTIFY_MAX_ATTEMPTS", 5, minimum=1)

# Retention periods, in days, for data that must not live forever. Each kind of kept data that
# reads one is declared in its app's erasure.py (fugong.core.erasure); `fugong
# erase_personal_data --dry-run` lists them all with what is due now.
RETENTION_DAYS = {
    "idempotency_keys": env.integer("RETENTION_IDEMPOTENCY_DAYS", 2),
    "jobs": env.integer("RETENTION_JOBS_DAYS", 30),
    "audit": env.integer("RETENTION_AUDIT_DAYS", 3 * 365),
    "messages": env.integer("RETENTION_MESSAGES_DAYS", 90),
    # Members who left: name and mobile are erased this long after they left.
    "former_members": env.integer("RETENTION_FORMER_MEMBERS_DAYS", 365),
    # Mediation cases: parties' names and numbers are erased this long after the case closed.
    "mediation_parties": env.integer("RETENTION_MEDIATION_DAYS", 3 * 365),
    # Hand-over photos (faces, shop fronts): kept long enough to settle a complaint.
    "handover_photos": env.integer("RETENTION_HANDOVER_PHOTOS_DAYS", 90),
    # Check-ins and staff temperatures (health data): 28 days, two incubation periods.
    "checkins": env.integer("RETENTION_CHECKINS_DAYS", 28),
    # Priority-line residents: name, phone and address erased this long after the registration ended.
    "priority_residents": env.integer("RETENTION_PRIORITY_RESIDENTS_DAYS", 365),
}

# Delivery planning: parallel searches per leg (one per core; this is CPU work) and the
# streets under the route map (none: routes are drawn on a plain background; nothing is
# fetched from outside unless configured: Tianditu, Amap or a county's own tile server).
ROUTING_WORKERS = env.integer("ROUTING_WORKERS", min(4, os.cpu_count() or 1), minimum=1)
# Road graph for delivery plans (fugong.routing.roads); None: the straight line.
ROUTING_GRAPH = Path(env.text("ROUTING_GRAPH")) if env.text("ROUTING_GRAPH") else None
MAP_TILE_URL = env.text("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env.text("MAP_TILE_ATTRIBUTION", "")
MAP_TILE_KEY = env.secret("MAP_TILE_KEY")
MAP_TILES = env.text("MAP_TILES", "custom" if MAP_TILE_URL else "").lower()
try:
    _tiles = map_tiles.tile_service(MAP_TILES, url=MAP_TILE_URL, attribution=MAP_TILE_ATTRIBUTION, key=MAP_TILE_KEY)
except map_tiles.TileSettingError as error:
    raise ImproperlyConfigured(str(error)) from None


# Content-Security-Policy (django-csp): scripts, styles, fonts and images come only from this
# site, no inline script, event handler or style attribute runs and nothing is eval'ed, so an
# injected script element or event handler does nothing; pages are never framed and forms post only here.
# Behaviour lives in static/fugong/*.js driven by data attributes, looks in app.css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *(_tiles.image_sources() if _tiles else [])],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

NINJA_PAGINATION_PER_PAGE = 50

FUGONG_SITE_NAME = _("Fugong")
# Where people reach this site from outside: every link sent (SMS, robots, e-mail) or printed
# (posters' QR codes) starts with it, through core.links.absolute; `check --deploy` warns while it
# is on this machine or not https.
BASE_URL = env.text("BASE_URL", "http://127.0.0.1:8000")
