"""`migrate` alone readies a new database: the database cache's table (the cache without
Redis) comes from a migration, and so do the throttles' counts, on SQLite and PostgreSQL."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = "postgres://postgres@127.0.0.1:5432"

# Run in a fresh process against the new database, after `migrate` and nothing else.
CACHE_CHECK = """
import django
django.setup()
from django.conf import settings
from django.core.cache import cache
from django.db import connection

assert settings.DATABASE_CACHE_TABLE in connection.introspection.table_names()
cache.add("counted", 0)
cache.incr("counted")
print("count", cache.incr("counted"))
"""

THROTTLE_CHECK = """
import django
django.setup()
from django.conf import settings
from sessions.webinars.services.registrations import TooManyRequests, throttle_check

settings.WEBINAR_THROTTLE = {"address": 1}
for attempt in range(2):  # two tries: a minute may turn between the two calls of one
    try:
        throttle_check(action="register", client="", email=f"try{attempt}@example.org")
        throttle_check(action="register", client="", email=f"try{attempt}@example.org")
    except TooManyRequests:
        print("throttled")
        break
"""


def run(args: list[str], database_url: str) -> str:
    drop = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "SQLITE_TEST_PATH"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="scheduling.settings")
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def check_fresh(database_url: str) -> None:
    run(["manage.py", "migrate", "--noinput", "-v", "0"], database_url)
    assert "count 2" in run(["-c", CACHE_CHECK], database_url)
    assert "throttled" in run(["-c", THROTTLE_CHECK], database_url)


def test_migrate_alone_gives_sqlite_a_working_cache(tmp_path):
    check_fresh(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")


def test_the_migration_keeps_a_cache_table_made_before_it(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'older.sqlite3'}"
    run(["manage.py", "createcachetable"], database_url)  # how databases were readied before
    setup = "import django; django.setup(); from django.core.cache import cache; "
    run(["-c", setup + "cache.set('kept', 'yes', None)"], database_url)
    run(["manage.py", "migrate", "scheduling", "--noinput", "-v", "0"], database_url)
    assert "count 2" in run(["-c", CACHE_CHECK], database_url)
    assert run(["-c", setup + "print(cache.get('kept'))"], database_url).strip() == "yes"


@pytest.fixture
def fresh_postgres():
    name = f"lga_fresh_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL is not running here: {error}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{POSTGRES}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migrate_alone_gives_postgresql_a_working_cache(fresh_postgres):
    check_fresh(fresh_postgres)
