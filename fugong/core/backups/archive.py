"""The archive's format: a plain tar of regular files under database/, store/ and media/, and
manifest.json last, listing every other file with its size and sha256. Checking an archive reads
it whole; nothing is written until every file matches its line in the manifest."""

import hashlib
import io
import json
import os
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.utils.translation import gettext as _

from fugong.core.backups import BackupError

FORMAT = "fugong-backup"
VERSIONS = frozenset({1})
VERSION = 1
MANIFEST = "manifest.json"
FOLDERS = ("database", "store", "media")
CHUNK = 1 << 20


@dataclass(frozen=True)
class Entry:
    path: str
    size: int
    sha256: str


class _Hashing:
    """A file read through, hashing what is read (tarfile reads exactly the size it was told)."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.digest.update(data)
        return data


class Writer:
    def __init__(self, tar: tarfile.TarFile) -> None:
        self.tar = tar
        self.entries: list[Entry] = []

    def add_file(self, source: Path, name: str) -> Entry:
        with source.open("rb") as file:
            stat = os.fstat(file.fileno())
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
            reader = _Hashing(file)
            self.tar.addfile(info, reader)
        entry = Entry(name, stat.st_size, reader.digest.hexdigest())
        self.entries.append(entry)
        return entry

    def add_folder(self, root: Path, folder: str) -> tuple[int, int]:
        """Every regular file under `root` (none if it is absent); returns (files, bytes)."""
        files = size = 0
        for path in _files_under(root):
            entry = self.add_file(path, f"{folder}/{path.relative_to(root).as_posix()}")
            files, size = files + 1, size + entry.size
        return files, size

    def add_manifest(self, manifest: dict[str, Any]) -> None:
        manifest = {"format": FORMAT, "version": VERSION, **manifest, "files": [vars(e) for e in self.entries]}
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode = len(data), 0o600
        self.tar.addfile(info, io.BytesIO(data))


def _files_under(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file():
                yield path


def check(archive: Path) -> dict[str, Any]:
    """The archive's manifest, once every file in it is safe to unpack and matches the manifest."""
    if not archive.is_file():
        raise BackupError(_("%(archive)s is not a file.") % {"archive": archive})
    found: dict[str, Entry] = {}
    manifest = None
    try:
        with tarfile.open(archive, "r:") as tar:
            for member in tar:
                _refuse_unsafe(member)
                if member.name in found or (member.name == MANIFEST and manifest is not None):
                    raise BackupError(_("The archive holds %(path)s twice.") % {"path": member.name})
                file = tar.extractfile(member)
                assert file is not None  # a regular file
                if member.name == MANIFEST:
                    manifest = _parse_manifest(file.read())
                else:
                    found[member.name] = Entry(member.name, member.size, _sha256(file))
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError(
            _("%(archive)s cannot be read to its end (%(error)s): it is truncated or not a backup archive.")
            % {"archive": archive, "error": error}
        ) from None
    if manifest is None:
        raise BackupError(
            _("%(archive)s has no manifest: it is truncated or not a backup archive.") % {"archive": archive}
        )
    listed = {entry.path: entry for entry in manifest["entries"]}
    problems = [_("missing: %(path)s") % {"path": p} for p in sorted(listed.keys() - found.keys())]
    problems += [_("not in the manifest: %(path)s") % {"path": p} for p in sorted(found.keys() - listed.keys())]
    problems += [
        _("checksum or size differs: %(path)s") % {"path": p}
        for p in sorted(listed.keys() & found.keys())
        if listed[p] != found[p]
    ]
    if problems:
        raise BackupError(_("The archive is damaged; nothing was restored.") + "\n" + "\n".join(problems))
    return manifest


def _refuse_unsafe(member: tarfile.TarInfo) -> None:
    path = PurePosixPath(member.name)
    if not member.isreg():
        raise BackupError(_("The archive holds %(path)s, which is not a plain file.") % {"path": member.name})
    safe = (
        not path.is_absolute()
        and ".." not in path.parts
        and "\\" not in member.name
        and (member.name == MANIFEST or (len(path.parts) > 1 and path.parts[0] in FOLDERS))
    )
    if not safe:
        raise BackupError(_("The archive holds a path that is not safe to unpack: %(path)s") % {"path": member.name})


def _parse_manifest(data: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(data)
        if manifest["format"] != FORMAT:
            raise ValueError(manifest["format"])
        if manifest["version"] not in VERSIONS:
            raise BackupError(
                _("The archive's format version %(version)s is unknown here: restore with the Fugong that wrote it.")
                % {"version": manifest["version"]}
            )
        manifest["entries"] = [Entry(str(f["path"]), int(f["size"]), str(f["sha256"])) for f in manifest["files"]]
        if {"created_at", "engine", "database", "migrations", "tables"} - manifest.keys():
            raise KeyError("manifest")  # not ours
    except (ValueError, KeyError, TypeError):
        raise BackupError(_("The archive's manifest cannot be read: this is not a Fugong backup.")) from None
    return manifest


def _sha256(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := file.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def unpack(archive: Path, manifest: dict[str, Any], target: Callable[[str], Path]) -> None:
    """Write each file where `target(its path in the archive)` says, checking its checksum again
    as it is written (the archive could have changed since it was checked)."""
    listed = {entry.path: entry for entry in manifest["entries"]}
    with tarfile.open(archive, "r:") as tar:
        for member in tar:
            if member.name == MANIFEST:
                continue
            _refuse_unsafe(member)
            destination = target(member.name)
            destination.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None
            reader = _Hashing(source)
            with destination.open("xb") as file:
                while chunk := reader.read(CHUNK):
                    file.write(chunk)
            if Entry(member.name, member.size, reader.digest.hexdigest()) != listed.get(member.name):
                raise BackupError(_("The archive changed while it was restored: %(path)s") % {"path": member.name})
