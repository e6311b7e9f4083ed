"""Throttle counts are exact however many requests arrive at once: in the database without
Redis (one UPDATE a count, on SQLite and PostgreSQL), in Redis with it."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.utils import timezone

from peers.models import ThrottleCount
from peers.throttles import throttle_count
from tests.factories import at_once

AT_ONCE = 8


@pytest.fixture
def database_counts(settings):
    # Whatever this run's cache is (CI runs PostgreSQL with Redis), count in the database.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": settings.DATABASE_CACHE_TABLE,
        }
    }


@pytest.mark.django_db(transaction=True)
def test_simultaneous_attempts_each_count_in_the_database(database_counts):
    counts = at_once([lambda: throttle_count("throttle:test:a:1", seconds=60)] * AT_ONCE)
    assert sorted(counts) == list(range(1, AT_ONCE + 1))
    assert ThrottleCount.objects.get(key="throttle:test:a:1").count == AT_ONCE

    # Again on a key that already has a row.
    counts = at_once([lambda: throttle_count("throttle:test:a:1", seconds=60)] * AT_ONCE)
    assert sorted(counts) == list(range(AT_ONCE + 1, 2 * AT_ONCE + 1))


@pytest.mark.django_db
def test_a_new_window_starts_at_one_and_windows_that_are_over_are_cleared(database_counts):
    ThrottleCount.objects.create(
        key="throttle:test:b:1", count=9, expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert throttle_count("throttle:test:b:2", seconds=60) == 1
    assert throttle_count("throttle:test:b:2", seconds=60) == 2
    assert list(ThrottleCount.objects.values_list("key", flat=True)) == ["throttle:test:b:2"]


@pytest.mark.django_db(transaction=True)
def test_with_redis_simultaneous_attempts_each_count_in_redis(settings):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: this run counts in the database")
    assert type(caches["default"]).__name__ == "RedisCache"
    counts = at_once([lambda: throttle_count("throttle:test:c:1", seconds=60)] * AT_ONCE)
    assert sorted(counts) == list(range(1, AT_ONCE + 1))
    assert not ThrottleCount.objects.exists()
