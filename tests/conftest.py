import importlib

import pytest
from django.apps import apps
from ninja.testing import TestClient

from scheduling.api import api


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher is deliberately slow; tests sign in often.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
