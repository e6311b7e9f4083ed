"""The service's settings hold up in production and its task queue is real."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _manage(*args, env_extra):
    # A clean production-like environment: nothing the test harness set (such as the browser
    # tests' DJANGO_ALLOW_ASYNC_UNSAFE) may leak into the deploy check.
    unset = {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_pass_the_deploy_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "peers.example.org",
            "EMAIL_HOST": "smtp.example.org",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env_extra={"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "database_url", ["", "sqlite:////tmp/lga-url-check/db.sqlite3"], ids=["default", "url"]
)
def test_sqlite_gets_its_concurrency_settings_however_it_is_named(database_url):
    """WAL, IMMEDIATE transactions and a busy timeout, and tests on a file (never in memory),
    whether SQLite is the default or named by DATABASE_URL."""
    script = (
        "import json; from django.conf import settings; "
        "d = settings.DATABASES['default']; print(json.dumps([d['OPTIONS'], d['TEST']]))"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_TEST_PATH"}}
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="scheduling.settings")
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    options, test = json.loads(result.stdout)
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 10
    assert "journal_mode=WAL" in options["init_command"]
    assert test["NAME"].endswith(".sqlite3")


@pytest.mark.django_db(transaction=True)
def test_task_broker_round_trip():
    """Whichever broker is configured (ORM by default, Redis with REDIS_URL) carries a task."""
    from django_q.brokers import get_broker
    from django_q.signing import SignedPackage

    broker = get_broker()
    broker.purge_queue()
    broker.enqueue(SignedPackage.dumps({"id": "round-trip", "func": "math.floor", "args": (2.5,)}))
    tasks = broker.dequeue()
    assert tasks, "nothing came back from the broker"
    ack_id, payload = tasks[0]
    assert SignedPackage.loads(payload)["id"] == "round-trip"
    broker.acknowledge(ack_id)
