"""Keeping an uploaded file (a hand-over photo, an import) where the media storage puts it, and
what the uploader hears when the disk cannot take it.

Every upload path stores through `keep_upload`. A disk that is full, over quota, read-only or
not writable (ENOSPC, EDQUOT, EROFS, EACCES, EPERM, EIO) is not the file's fault, yet the person
must learn at once that nothing was kept: `UploadNotKept` is a ValidationError on the file's
field, naming the file, so every form shows it where its other upload errors go, and the API
answers it with 507 (fugong.core.api). Nothing is left half: a partly written file is removed,
files stored before are not touched, and the caller records no row pointing at it.
"""

import errno
import logging
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
DISK_NOT_WRITABLE = frozenset({errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO})


class UploadNotKept(ValidationError):
    """The storage refused to write an upload; `reason` says so with the file's name."""

    def __init__(self, field: str, filename: str, *, full: bool) -> None:
        if full:
            reason = _(
                "“%(file)s” was not saved: the server's storage for files is full. Nothing was recorded; "
                "please tell your administrator and try again later."
            )
        else:
            reason = _(
                "“%(file)s” was not saved: the server cannot write files at the moment. Nothing was recorded; "
                "please tell your administrator and try again later."
            )
        self.reason = reason % {"file": filename}
        super().__init__({field: [self.reason]})


def keep_upload(
    content: File,
    name: str,
    *,
    field: str,
    filename: str,
    storage: Storage = default_storage,
    max_length: int | None = None,
) -> str:
    """Store `content` under `name` (with a random part, so a partial file removed after a
    failure can only be this one) and return the stored name; UploadNotKept if the disk cannot
    take it."""
    path = PurePosixPath(name)
    target = storage.get_available_name(
        str(path.with_name(f"{path.stem}_{get_random_string(7)}{path.suffix}")), max_length=max_length
    )
    try:
        return storage.save(target, content, max_length=max_length)
    except OSError as error:
        if error.errno not in DISK_FULL | DISK_NOT_WRITABLE:
            raise
        discard(storage, target)
        logger.warning("Upload not kept in storage: %s (%s)", target, errno.errorcode.get(error.errno or 0, "?"))
        raise UploadNotKept(field, filename, full=error.errno in DISK_FULL) from error


def discard(storage: Storage, name: str) -> None:
    """Remove a file this request stored (or began to) and no row will point at."""
    try:
        if storage.exists(name):
            storage.delete(name)
    except OSError:
        logger.warning("Could not remove %s after a failed upload", name)
