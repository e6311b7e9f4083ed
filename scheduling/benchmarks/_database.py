"""A throwaway database for benchmarks that measure the service end to end (not a benchmark)."""

import contextlib
import tempfile

from django.db import connections
from django.test.utils import setup_databases, teardown_databases


@contextlib.contextmanager
def scratch_database():
    """Create a fresh test database (migrated, catalogue loaded), and remove it afterwards."""
    with tempfile.TemporaryDirectory():
        old = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        try:
            yield
        finally:
            connections.close_all()
            teardown_databases(old, verbosity=0)
