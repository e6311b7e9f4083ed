"""Thin task entry points for the worker (django-q2)."""

import logging

from privacy.retention import retention_apply

logger = logging.getLogger(__name__)


def retention_run() -> dict:
    """The daily retention run (its schedule: privacy/migrations); returns the counts."""
    run = retention_apply()
    logger.info("Retention applied: %s", run.counts)
    return run.counts
