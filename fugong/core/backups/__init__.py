"""Backup and restore: one archive holds the database, the resumption store's Parquet files and
the uploads, with a manifest of what it holds (`fugong backup`, `fugong restore`).

archive.py is the archive's format (writing, checking, unpacking); database.py what each
database engine needs (a consistent dump, a restore, row counts)."""


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in the operator's words."""
