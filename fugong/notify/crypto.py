"""Channel secrets (SMS access keys, robot signing secrets) are stored encrypted.

The key comes from NOTIFY_SECRET_KEY, or is derived from SECRET_KEY; a channel may also
name an environment variable that holds its secret, so it never enters the database.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from fugong import environment


def _fernet() -> Fernet:
    material = settings.NOTIFY_SECRET_KEY or ("fugong-notify:" + settings.SECRET_KEY)
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(material.encode()).digest()))


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode() if secret else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("The channel secret cannot be decrypted: was SECRET_KEY changed?") from None


def channel_secret(options: dict[str, str], stored: str) -> str:
    """The secret from the named environment variable if the channel has one, else the stored one."""
    variable = options.get("secret_env")
    if variable:
        return environment.secret(variable)
    return decrypt(stored)


def hint(secret: str) -> str:
    """What the pages show of a secret: enough to recognise it, never the whole."""
    return f"{secret[:3]}…{secret[-2:]}" if len(secret) > 8 else "…"


# Options that are credentials in all but name (the robot's webhook key, DingTalk's token):
# never shown back in full, never written to the audit log.
SENSITIVE_OPTIONS = frozenset({"access_token", "key", "secret", "password", "token"})
REDACTED = "***"


def redact_options(options: dict[str, object]) -> dict[str, object]:
    return {k: (REDACTED if k in SENSITIVE_OPTIONS and v else v) for k, v in options.items()}


def keep_redacted(new: dict[str, object], old: dict[str, object]) -> dict[str, object]:
    """A form shows sensitive options as ***; saving *** back keeps the stored value."""
    return {k: (old.get(k, "") if v == REDACTED and k in SENSITIVE_OPTIONS else v) for k, v in new.items()}
