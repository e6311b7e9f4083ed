"""The fuzzing run's database: the demo data and an API token for each demo role, loaded once.

These tests run on their own (`pytest -m fuzz`): the demo data stays in the test database for
the whole run, which the rest of the suite does not expect.
"""

import json
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from peers.services import api_token_issue
from tests.fuzz.demo_roles import DEMO_ROLES

REPORT = Path(__file__).resolve().parents[2] / "var" / "fuzz-report.json"

# What the run did: filled in by the `tally` fixture and the report hook, written at the end.
RUN = {"operations": set(), "examples": Counter(), "failed": Counter()}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/fuzz/" in str(item.fspath):
            item.add_marker(pytest.mark.fuzz)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)


@pytest.fixture(scope="session")
def role_headers(django_db_setup, django_db_blocker) -> dict[str, dict]:
    """Bearer headers for each demo sign-in, and none for a caller who is signed out."""
    headers = {"signed-out": {}}
    with django_db_blocker.unblock():
        for username in DEMO_ROLES:
            user = get_user_model().objects.get(username=username)
            secret = api_token_issue(user=user, name="fuzzing").secret
            headers[username] = {"Authorization": f"Bearer {secret}"}
    return headers


@pytest.fixture(autouse=True)
def one_connection_per_test():
    """Requests go through the WSGI application in this thread, inside the test's transaction:
    like Django's test client, keep the connection open between them."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tally():
    return RUN


def pytest_runtest_logreport(report):
    if report.when == "call" and report.failed and "tests/fuzz/" in report.nodeid:
        RUN["failed"][report.nodeid.rsplit("[", 1)[-1].rstrip("]")] += 1


def pytest_terminal_summary(terminalreporter):
    if not RUN["operations"]:
        return
    summary = {
        "operations": len(RUN["operations"]),
        "roles": len(RUN["examples"]),
        "examples": sum(RUN["examples"].values()),
        "failed_operation_role_pairs": sum(RUN["failed"].values()),
        "examples_by_role": dict(sorted(RUN["examples"].items())),
    }
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(summary, indent=2))
    terminalreporter.write_line(f"fuzzing: {json.dumps(summary)}")
