"""Counting attempts for the throttles (calendar changes, webinar registrations, ...).

Every process must see the same counts. With REDIS_URL the cache is Redis, whose INCR counts
exactly. Without it the counts are rows of ThrottleCount, each raised by one UPDATE: the
database cache would read a count and write it back, so simultaneous requests could each
write the same number and some attempts go uncounted.
"""

from datetime import timedelta

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from peers.models import ThrottleCount


def throttle_count(key: str, *, seconds: int) -> int:
    """Count one attempt under `key` and return how many it makes. `key` names its window of
    `seconds` (e.g. ends in the window's number); the count is kept for two windows."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        cache.add(key, 0, timeout=seconds * 2)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=seconds * 2)
            return 1
    now = timezone.now()
    with transaction.atomic():
        row, created = ThrottleCount.objects.get_or_create(
            key=key, defaults={"expires_at": now + timedelta(seconds=seconds * 2)}
        )
        if created:
            # A new window's first attempt: clear away the windows that are over.
            ThrottleCount.objects.filter(expires_at__lt=now).delete()
            return 1
        # Waits for any other request counting the same key, then adds to what it left.
        ThrottleCount.objects.filter(pk=row.pk).update(count=F("count") + 1)
        return ThrottleCount.objects.values_list("count", flat=True).get(pk=row.pk)
