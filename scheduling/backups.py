"""Backups of the database that restore: `manage.py backup PATH` and `manage.py restore PATH`.

PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists --single-transaction`
(the client programs of the server's version, with the connection's settings passed in the
environment, so no password is on a command line). SQLite: the online backup API, which
copies a consistent snapshot while the service runs, and copies it back the same way.

A restore replaces everything in the database with the backup's contents; stop the web
processes and the workers first.
"""

import os
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


class BackupFailed(Exception):
    pass


def _postgres_environment() -> dict:
    settings = connection.settings_dict
    env = {**os.environ, "PGDATABASE": settings["NAME"]}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if settings.get(key):
            env[variable] = str(settings[key])
    return env


def _run(command: list[str]) -> None:
    result = subprocess.run(command, env=_postgres_environment(), capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupFailed(f"{command[0]} failed: {result.stderr.strip()}")


def database_backup(path: Path) -> Path:
    """Write a backup of the default database to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(path)])
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise BackupFailed(f"No backup for the {connection.vendor} database.")
    return path


def database_restore(path: Path) -> None:
    """Replace the default database's contents with the backup at `path`."""
    path = Path(path)
    if not path.is_file():
        raise BackupFailed(f"No backup at {path}.")
    if connection.vendor == "postgresql":
        _run(["pg_restore", "--list", str(path)])  # fails early if it is not a backup
        connection.close()  # hold no lock on the tables being replaced
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                connection.settings_dict["NAME"],
                str(path),
            ]
        )
    elif connection.vendor == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.execute("PRAGMA schema_version")  # fails early if it is not a database
            connection.ensure_connection()
            source.backup(connection.connection)
        except sqlite3.DatabaseError as error:
            raise BackupFailed(f"{path} is not a SQLite backup: {error}") from error
        finally:
            source.close()
    else:
        raise BackupFailed(f"No restore for the {connection.vendor} database.")
