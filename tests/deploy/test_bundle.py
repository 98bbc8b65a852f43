"""The production bundle (deploy/) agrees with the app: every variable the settings and the
gunicorn configuration read is in the example environment file, nginx takes the largest upload
the app takes, gunicorn believes the proxies the app believes, and nothing in MEDIA_ROOT is
ever served by nginx."""

import ast
import re
import runpy
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SETTINGS = ROOT / "fugong" / "settings.py"
GUNICORN = DEPLOY / "gunicorn.conf.py"
NGINX = DEPLOY / "nginx" / "fugong.conf"
UNITS = {
    "K": 1024,
    "M": 1024**2,
    "G": 1024**3,
}


def names_read(path: Path, readers: set[str], *, through: str | None = None) -> set[str]:
    """The variable names given to `readers` (as `through.reader("NAME")`, or `reader("NAME")`)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
            continue
        function = node.func
        if through is not None:
            called = (
                function.attr
                if isinstance(function, ast.Attribute)
                and isinstance(function.value, ast.Name)
                and function.value.id == through
                else None
            )
        else:
            called = function.id if isinstance(function, ast.Name) else None
        if called in readers:
            found.add(str(node.args[0].value))
    return found


def settings_variables() -> set[str]:
    """Read through fugong.environment (`env.text("NAME")`...) anywhere in the package (the
    settings, and commands such as `fugong backup`), and listed in the settings' docstring."""
    module = ast.parse(SETTINGS.read_text())
    docstring = ast.get_docstring(module) or ""
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]+)\s", docstring, re.MULTILINE))
    readers = {"text", "boolean", "integer", "duration", "items", "path", "secret"}
    read = set()
    for path in (ROOT / "fugong").rglob("*.py"):
        read |= names_read(path, readers, through="env")
    return read | listed


def example_variables() -> set[str]:
    """Each `NAME=` line of the example, set or shown commented out with its default."""
    text = (DEPLOY / "fugong.env.example").read_text()
    return set(re.findall(r"^#?\s?([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))


def nginx_directives(name: str) -> list[str]:
    text = re.sub(r"#.*", "", NGINX.read_text())
    return re.findall(rf"^\s*{name}\s+([^;]+);", text, re.MULTILINE)


def gunicorn_config() -> dict[str, Any]:
    return runpy.run_path(str(GUNICORN))


def test_every_variable_the_settings_read_is_in_the_example_environment() -> None:
    read = settings_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "FUGONG_MAX_UPLOAD_BYTES", "TRUSTED_PROXIES"} <= read  # the parse works
    missing = sorted(read - example_variables())
    assert not missing, f"deploy/fugong.env.example lacks {', '.join(missing)}"


def test_every_variable_gunicorn_reads_is_in_the_example_environment() -> None:
    read = names_read(GUNICORN, {"_raw", "_integer", "_boolean"})
    assert {"GUNICORN_WORKERS", "GUNICORN_BIND", "PROMETHEUS_MULTIPROC_DIR"} <= read
    missing = sorted(read - example_variables())
    assert not missing, f"deploy/fugong.env.example lacks {', '.join(missing)}"


def test_nginx_takes_the_largest_upload_the_app_takes_and_its_form() -> None:
    (size,) = nginx_directives("client_max_body_size")
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", size.strip()).groups()  # type: ignore[union-attr]
    limit = int(number) * UNITS.get(unit.upper(), 1)
    assert limit > settings.FUGONG_MAX_UPLOAD_BYTES, (
        f"nginx refuses bodies over {size}, under the app's upload limit of {settings.FUGONG_MAX_UPLOAD_BYTES} bytes"
    )


def test_nginx_serves_collected_static_files_and_never_media() -> None:
    assert nginx_directives("alias") == ["/srv/fugong/static/"]
    assert not nginx_directives("root") or nginx_directives("root") == ["/var/www/letsencrypt"]
    media = re.search(r"location /media/ \{\s*return 404;\s*\}", NGINX.read_text())
    assert media is not None


def test_gunicorn_believes_the_proxies_the_app_believes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    default = set(gunicorn_config()["forwarded_allow_ips"].split(","))
    settings_default = re.search(r'env\.items\("TRUSTED_PROXIES", "([^"]+)"\)', SETTINGS.read_text())
    assert settings_default is not None and default == set(settings_default[1].split(","))
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.2, 10.0.0.3")
    assert gunicorn_config()["forwarded_allow_ips"].replace(" ", "") == "10.0.0.2,10.0.0.3"


def test_gunicorn_refuses_a_value_it_cannot_read_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUNICORN_WORKERS", "four")
    with pytest.raises(SystemExit, match="GUNICORN_WORKERS='four' is not a whole number"):
        gunicorn_config()
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "4")
    config = gunicorn_config()
    assert (config["workers"], config["threads"], config["worker_class"]) == (3, 4, "gthread")


def test_a_web_process_that_exits_is_marked_dead_for_the_metrics(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from prometheus_client import multiprocess

    dead: list[int] = []
    monkeypatch.setattr(multiprocess, "mark_process_dead", dead.append)
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    gunicorn_config()["child_exit"](None, SimpleNamespace(pid=4242))
    assert dead == []

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    config = gunicorn_config()
    config["on_starting"](None)
    assert (tmp_path / "metrics").is_dir()
    config["child_exit"](None, SimpleNamespace(pid=4242))
    assert dead == [4242]


def test_gunicorn_writes_no_raw_access_log(monkeypatch: pytest.MonkeyPatch) -> None:
    """Request lines reach only the root logger, which the app's redacting logging configures."""
    monkeypatch.delenv("GUNICORN_ACCESS_LOG", raising=False)
    config = gunicorn_config()
    assert "accesslog" not in config
    access = config["logconfig_dict"]["loggers"]["gunicorn.access"]
    assert access == {"handlers": [], "level": "INFO", "propagate": True}
    monkeypatch.setenv("GUNICORN_ACCESS_LOG", "0")
    assert gunicorn_config()["logconfig_dict"]["loggers"]["gunicorn.access"]["level"] == "WARNING"


def test_collected_static_files_are_the_builds_the_pages_use() -> None:
    ignore = apps.get_app_config("staticfiles").ignore_patterns
    collected = {path for finder in get_finders() for path, _storage in finder.list(ignore)}
    used = {"echarts.min.js", "leaflet.js", "leaflet.js.map", "leaflet.css", "htmx.min.js", "app.css"}
    assert used <= {Path(path).name for path in collected}
    assert not {"echarts.js", "echarts.esm.js", "echarts.js.map", "htmx.js"} & {Path(p).name for p in collected}
