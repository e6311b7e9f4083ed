import importlib
import os
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django_q.brokers import get_broker
from ninja.testing import TestClient

from scheduling.api import api
from tests.sent_mail import run_queued_tasks

# Runs that only come when a mark expression names them (see pytest_collection_modifyitems).
NAMED_ONLY = {"fuzz": Path(__file__).parent / "fuzz", "cluster": Path(__file__).parent / "cluster"}


def pytest_addoption(parser):
    parser.addoption(
        "--now",
        metavar="INSTANT",
        help="run the tests as if now were this ISO 8601 instant with an offset (the clock "
        "still ticks; real time zones are kept): how CI runs the date-sensitive tests on the "
        "awkward days of the year",
    )


def pytest_configure(config):
    """`--now` moves "now" with time-machine for the whole run, collection included (modules
    that compute dates at import see the moved day too)."""
    instant = config.getoption("--now")
    if not instant:
        return
    moment = datetime.fromisoformat(instant)
    if moment.tzinfo is None:
        raise pytest.UsageError("--now needs an offset, e.g. 2027-03-27T12:00+00:00")
    config.moved_now = time_machine.travel(moment, tick=True)
    config.moved_now.start()


def pytest_unconfigure(config):
    if getattr(config, "moved_now", None) is not None:
        config.moved_now.stop()


def pytest_report_header(config):
    instant = config.getoption("--now")
    return f"now moved to {instant}" if instant else None


def pytest_collection_modifyitems(config, items):
    """The fuzzing run keeps the demo data in the test database for the whole session, which the
    rest of the suite does not expect, and the cluster run starts the whole production shape
    (deploy/cluster.sh): each runs only when a mark expression names it (`pytest -m fuzz`,
    `pytest -m cluster`), so `-m "not browser"` on its own does not bring it in."""
    named = config.option.markexpr or ""
    for mark, folder in NAMED_ONLY.items():
        if mark in named:
            continue
        left_out = [item for item in items if item.path.is_relative_to(folder)]
        if left_out:
            config.hook.pytest_deselected(items=left_out)
            items[:] = [item for item in items if item not in left_out]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Behind pgbouncer in transaction mode (DATABASE_TRANSACTION_POOLING) the pooler keeps its
    server connections to the test database open after the tests, and PostgreSQL will not drop
    a database in use: they are ended first (pgbouncer opens new ones when next asked)."""
    yield
    from django.conf import settings
    from django.db import connection

    if not settings.DATABASE_TRANSACTION_POOLING or connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher is deliberately slow; tests sign in often.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_throttle_counts(request):
    """Throttle counts key on ids a later test may reuse: start clean. With Redis they live in
    the cache; without it in database rows, which each test's database set-up clears (the
    database cache is cleared too), so only a test that may use the database has counts."""
    from django.core.cache import cache

    # Autouse fixtures run before the test's own, so set up the database fixture the test
    # asked for first: the cache table must be reachable when the counts are cleared.
    named = [
        name
        for name in ("transactional_db", "live_server", "db", "catalogue")
        if name in request.fixturenames
    ]
    if named:
        request.getfixturevalue(named[0])
    if named or request.node.get_closest_marker("django_db"):
        cache.clear()


@pytest.fixture(autouse=True)
def offers_book_directly(request):
    """The peer support offers need the Principal Adviser's approval (a migration turns it on);
    tests book them straight away unless marked `needs_approval`, which keeps the catalogue's
    setting (the approval tests)."""
    if request.node.get_closest_marker("needs_approval") is not None:
        return
    database = next((f for f in ("transactional_db", "db") if f in request.fixturenames), None)
    marker = request.node.get_closest_marker("django_db")
    if database is None and marker is not None:
        database = "transactional_db" if marker.kwargs.get("transaction") else "db"
    if database is None:
        return
    request.getfixturevalue(database)
    from sessions.models import Offer

    Offer.objects.filter(needs_approval=True).update(needs_approval=False)


@pytest.fixture
def api_client():
    return TestClient(api)


@pytest.fixture
def catalogue(transactional_db):
    """The catalogue for transactional tests, by the migration's own idempotent loader.

    Transactional tests flush every table after each test, removing migration-loaded rows;
    tests that run against the real committed database load the catalogue again this way.
    """
    importlib.import_module("sessions.migrations.0002_catalogue").load_catalogue(apps, None)
    # Later migrations that add to the catalogue (idempotent, as the loader is).
    importlib.import_module("sessions.migrations.0022_lga_lead_role_kind").lead_role_slots(
        apps, None
    )


@pytest.fixture
def empty_broker():
    """The test starts and ends with an empty task queue (a Redis queue outlives the test
    database)."""
    get_broker().purge_queue()
    yield
    get_broker().purge_queue()


@pytest.fixture
def run_worker(django_capture_on_commit_callbacks):
    """Run the queued tasks as the worker does (e.g. a re-staffing); what they queue on commit
    (e.g. the invites to send) is queued when they are done, for `deliver()`."""

    def run() -> list:
        with django_capture_on_commit_callbacks(execute=True):
            return run_queued_tasks()

    return run


@pytest.fixture
def mail_system(settings):
    """The real Postfix and Dovecot of tests/mail_system/start.sh, every mailbox empty, and the
    service pointed at them: SMTP for the outbox, IMAP for the organiser's mailbox. Without them
    the test is skipped locally and fails under CI (CI starts them)."""
    from tests.mail_system import servers

    problem = servers.problem()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    servers.empty_all()
    settings.DEFAULT_FROM_EMAIL = f"LGA peer support <{servers.SERVICE}>"
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": servers.HOST,
                "port": servers.SMTP_PORT,
                "use_tls": False,
                "timeout": 10,
            },
        }
    }
    settings.IMAP_HOST = servers.HOST
    settings.IMAP_PORT = servers.IMAP_PORT
    settings.IMAP_USER = servers.SERVICE
    settings.IMAP_PASSWORD = servers.PASSWORD
    settings.IMAP_TLS = False
    settings.IMAP_OAUTH2_TOKEN = ""
    settings.IMAP_OAUTH2_TOKEN_FILE = ""
    settings.IMAP_PROCESSED_FOLDER = servers.PROCESSED
    settings.IMAP_SET_ASIDE_FOLDER = servers.SET_ASIDE
    yield servers
    # A test that stopped Postfix or made it refuse an address leaves it as it found it.
    if not servers.listening(servers.SMTP_PORT):
        servers.postfix("start")
    if (servers.DIR / "postfix" / "refuse").read_text().strip():
        servers.refuse({})
