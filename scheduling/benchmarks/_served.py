"""What the benchmarks that go through a real gunicorn share: the server's environment, the
database it serves from and preparing it, and waiting until it answers."""

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def server_environment(directory: str, **extra: str) -> dict:
    """The environment of a production-like server on a SQLite file in `directory`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SQLITE_TEST_PATH"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="scheduling.settings",
        SQLITE_PATH=str(Path(directory) / "bench.sqlite3"),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="127.0.0.1,testserver",
        SITE_URL="https://peers.local.gov.uk",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(BASE_DIR),
        **extra,
    )
    return env


def prepared_facts(module: str, *args: str, env: dict, timeout: int) -> dict:
    """Run `python -m module prepare ARGS` in the server's environment (a process of its own,
    so the benchmark's Django set-up does not leak into the server's) and read the facts it
    prints as JSON on its last line."""
    prepared = subprocess.run(  # noqa: S603  (our own interpreter, fixed arguments)
        [sys.executable, "-m", module, "prepare", *args],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if prepared.returncode != 0:
        raise RuntimeError(f"preparing the benchmark failed:\n{prepared.stderr[-3000:]}")
    return json.loads(prepared.stdout.strip().splitlines()[-1])


def database_prepare() -> None:
    """Migrate the server's database (the migrations make the cache table its throttle counts
    live in)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def gunicorn_start(
    application: str, *, port: int, directory: str, env: dict, workers: int, threads: int = 0
) -> subprocess.Popen:
    """The venv's gunicorn serving `application` on loopback `port` (gthread workers when
    `threads` is given), its heartbeat files in `directory`, its output discarded."""
    threaded = ["--worker-class", "gthread", "--threads", str(threads)] if threads else []
    return subprocess.Popen(  # noqa: S603  (the venv's gunicorn, fixed arguments)
        [
            str(Path(sys.executable).with_name("gunicorn")),
            application,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            *threaded,
            "--worker-tmp-dir",
            directory,
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_until_serving(
    server: subprocess.Popen, answers: Callable[[], bool], *, limit: float, pause: float
) -> None:
    """Wait until `answers()` is true of the started `server`, or fail if it stops."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped (exit {server.returncode})")
        try:
            if answers():
                return
        except OSError:
            time.sleep(pause)
    raise RuntimeError("gunicorn did not start serving in time")
