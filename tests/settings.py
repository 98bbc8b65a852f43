"""Settings for the test suite: production settings with test-friendly overrides."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("SECURE_SSL", "0")

from fugong.settings import *  # noqa: F403

ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = tempfile.mkdtemp(prefix="fugong-test-media-")
STATIC_ROOT = tempfile.mkdtemp(prefix="fugong-test-static-")
RESUMPTION_STORE = Path(tempfile.mkdtemp(prefix="fugong-test-resumption-"))
RESUMPTION_INBOX = Path(tempfile.mkdtemp(prefix="fugong-test-inbox-"))
ROUTING_GRAPH = None  # the straight line, whatever the machine sets; tests that want roads set it

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so a worker started as a subprocess by a test sees the same data.
    test_db = os.path.join(tempfile.mkdtemp(prefix="fugong-test-db-"), "test.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": test_db}  # noqa: F405
