"""A media disk that is full or read-only: the uploader is told, naming the file, and nothing is
left half (no partial file, no row, earlier files untouched)."""

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils import translation

from fugong.core.models import Job
from fugong.core.storage import UploadNotKept, keep_upload
from tests.directory.test_import_export import xlsx


def failing_save(code: int, *, partial: bool) -> Any:
    """A FileSystemStorage._save that meets `code` (after writing part of the file, as a disk
    filling up mid-write does)."""

    def save(self: FileSystemStorage, name: str, content: Any) -> str:
        if partial:
            path = Path(self.path(name))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"half a file")
        raise OSError(code, os.strerror(code))

    return save


def files_in(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def storage(tmp_path: Path) -> FileSystemStorage:
    storage = FileSystemStorage(location=tmp_path)
    storage.save("earlier/kept.txt", ContentFile(b"stored before"))
    return storage


def test_a_full_disk_names_the_file_and_leaves_no_part_of_it(
    storage: FileSystemStorage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FileSystemStorage, "_save", failing_save(errno.ENOSPC, partial=True))
    with translation.override("en"), pytest.raises(UploadNotKept) as refused:
        keep_upload(ContentFile(b"x" * 1000), "imports/rows.xlsx", field="file", filename="rows.xlsx", storage=storage)
    assert refused.value.message_dict == {"file": [refused.value.reason]}
    assert "“rows.xlsx” was not saved" in refused.value.reason and "full" in refused.value.reason
    assert files_in(tmp_path) == {"earlier/kept.txt"}
    assert (tmp_path / "earlier/kept.txt").read_bytes() == b"stored before"


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_a_read_only_disk_says_files_cannot_be_written(
    storage: FileSystemStorage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    monkeypatch.setattr(FileSystemStorage, "_save", failing_save(code, partial=False))
    with translation.override("en"), pytest.raises(UploadNotKept) as refused:
        keep_upload(ContentFile(b"jpeg"), "handover/a.jpg", field="photo", filename="a.jpg", storage=storage)
    assert "“a.jpg” was not saved: the server cannot write files" in refused.value.reason
    assert files_in(tmp_path) == {"earlier/kept.txt"}


def test_other_os_errors_are_not_dressed_up(storage: FileSystemStorage, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FileSystemStorage, "_save", failing_save(errno.ENAMETOOLONG, partial=False))
    with pytest.raises(OSError, match="too long"):
        keep_upload(ContentFile(b"x"), "a.txt", field="file", filename="a.txt", storage=storage)


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KB filesystem (tmpfs), where the machine lets this test mount one."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    mount_command, umount_command = shutil.which("mount"), shutil.which("umount")
    if os.geteuid() != 0 or not mount_command or not umount_command:
        pytest.skip("mounting a tiny filesystem needs root")
    done = subprocess.run([mount_command, "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run([umount_command, str(mount)], check=False)


def test_a_really_full_disk(tiny_disk: Path) -> None:
    storage = FileSystemStorage(location=tiny_disk)
    kept = keep_upload(ContentFile(b"k" * 8000), "earlier.bin", field="file", filename="earlier.bin", storage=storage)
    with pytest.raises(UploadNotKept):
        keep_upload(ContentFile(b"x" * 200_000), "big.bin", field="file", filename="big.bin", storage=storage)
    assert files_in(tiny_disk) == {kept}
    assert (tiny_disk / kept).read_bytes() == b"k" * 8000


def test_an_import_page_shows_the_message_and_starts_nothing(client_for: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FileSystemStorage, "_save", failing_save(errno.ENOSPC, partial=True))
    upload = xlsx([["区划代码", "名称"], ["360823204", "百岁乡"]])
    upload.name = "regions.xlsx"
    with translation.override("en"):
        expected = UploadNotKept("file", "regions.xlsx", full=True).reason
    media = Path(settings.MEDIA_ROOT)
    before = files_in(media)
    response = client_for("xiajiang").post("/directory/import/regions/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [expected]
    assert not Job.objects.exists()
    assert files_in(media) == before


def test_the_api_documents_the_507(db: Any) -> None:
    from fugong.api import api

    paths = api.get_openapi_schema()["paths"]
    handover = next(ops["post"] for path, ops in paths.items() if path.endswith("/handover"))
    upload = next(ops["post"] for path, ops in paths.items() if path.endswith("/files"))
    assert "507" in {str(code) for code in handover["responses"]} and "507" in {str(c) for c in upload["responses"]}
