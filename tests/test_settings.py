"""Settings come from the environment; production settings pass Django's deploy checks."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from fugong import environment

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "Zq8!vR3#pL6@wT9$yU2%nM5^bX7&cV4*-deploy-check-only-0123456789abcdef",
    "ALLOWED_HOSTS": "fugong.example.cn",
    "BASE_URL": "https://fugong.example.cn",
    "DATABASE_URL": "sqlite:////tmp/fugong-deploy-check.sqlite3",
}


def fugong(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Only what a production host would have: nothing leaks in from the test process.
    base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return subprocess.run(
        [sys.executable, "-m", "fugong", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_variables() -> None:
    result = fugong("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout


def test_check_deploy_warns_while_links_point_at_this_machine() -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "BASE_URL"}
    result = fugong("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0 and "fugong.W001" in result.stderr + result.stdout


def test_hsts_preload_is_on_unless_a_domain_opts_out() -> None:
    result = fugong("check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION_ENV, "SECURE_HSTS_PRELOAD": "0"})
    assert result.returncode != 0 and "security.W021" in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SECURE_SSL", "ture"),
        ("DEBUG", "maybe"),
        ("LOGIN_FAILURES_PER_ACCOUNT", "ten"),
        ("ROUTING_WORKERS", "0"),
        ("NOTIFY_LEASE_SECONDS", "2 minutes"),
        ("LOGIN_FAILURE_WINDOW_MINUTES", "0"),
        ("MAP_TILES", "google"),
        ("LOG_FORMAT", "xml"),
        ("READY_WORKER_SECONDS", "a minute"),
        ("READY_MAX_OUTBOX_AGE_SECONDS", "0"),
        ("METRICS_ALLOWED_ADDRESSES", "10.0.0.300"),
        ("DATABASE_POOLER", "pgpool"),
    ],
)
def test_a_value_that_cannot_be_read_stops_start_up_naming_it(variable: str, value: str) -> None:
    """SECURE_SSL=ture once meant "off"; now it stops the server and says which variable."""
    result = fugong("check", env={**PRODUCTION_ENV, variable: value})
    assert result.returncode != 0 and f"{variable}={value!r}" in result.stderr


def test_behind_pgbouncer_no_statement_outlives_its_transaction() -> None:
    """Transaction pooling gives the next transaction any server connection: Django must not
    leave a named cursor or a prepared statement on the one it had."""
    show = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d.get('DISABLE_SERVER_SIDE_CURSORS', False), d.get('OPTIONS', {}).get('prepare_threshold', 'default'))"
    )
    url = {"DATABASE_URL": "postgres://fugong@127.0.0.1:6432/fugong"}
    pooled = fugong("shell", "-c", show, env={**PRODUCTION_ENV, **url, "DATABASE_POOLER": "pgbouncer"})
    direct = fugong("shell", "-c", show, env={**PRODUCTION_ENV, **url})
    assert pooled.returncode == 0, pooled.stderr
    assert pooled.stdout.splitlines()[-1] == "True None"
    assert direct.stdout.splitlines()[-1] == "False default"


def test_secrets_can_come_from_files(tmp_path: Path) -> None:
    key_file = tmp_path / "secret_key"
    key_file.write_text(PRODUCTION_ENV["SECRET_KEY"] + "\n")
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"} | {"SECRET_KEY_FILE": str(key_file)}
    shown = fugong("shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)", env=env)
    assert shown.returncode == 0 and shown.stdout.splitlines()[-1] == PRODUCTION_ENV["SECRET_KEY"]
    both = fugong("check", env=env | {"SECRET_KEY": "x" * 60})
    assert both.returncode != 0 and "SECRET_KEY or SECRET_KEY_FILE" in both.stderr
    missing = fugong("check", env=env | {"SECRET_KEY_FILE": str(tmp_path / "nowhere")})
    assert missing.returncode != 0 and "SECRET_KEY_FILE=" in missing.stderr


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = fugong("check", env=env)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_chinese_first_and_shanghai_time(client: object) -> None:
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "zh-hans" and settings.TIME_ZONE == "Asia/Shanghai"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", timedelta(minutes=15)),
        ("20", timedelta(minutes=20)),
        ("2h", timedelta(hours=2)),
        ("90s", timedelta(seconds=90)),
    ],
)
def test_a_length_of_time_is_in_the_unit_its_name_says_or_its_own(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: timedelta
) -> None:
    monkeypatch.setenv("LOGIN_FAILURE_WINDOW_MINUTES", value)
    assert environment.duration("LOGIN_FAILURE_WINDOW_MINUTES", timedelta(minutes=15), unit="minutes") == expected
