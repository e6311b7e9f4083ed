import os
import shutil

import pytest

from tests.cluster import topology


@pytest.fixture(scope="session")
def cluster():
    """The production shape started from deploy/ on a fresh database with the demo data, and
    stopped at the end. Without nginx, pgbouncer, Redis or PostgreSQL the tests are skipped
    locally and fail under CI (`.ci/run` installs and starts them)."""
    problem = topology.problem()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    # CLUSTER_TEST_REUSE=1 keeps a cluster left by an earlier run, and leaves it running.
    reuse = os.environ.get("CLUSTER_TEST_REUSE") == "1" and "nginx running" in topology.script(
        "status"
    )
    if not reuse:
        topology.stop()
        topology.fresh_database()
        shutil.rmtree(topology.RUN / "mail", ignore_errors=True)
        topology.start()
    try:
        yield topology.probe("setup")
    finally:
        if not reuse:
            topology.stop()


@pytest.fixture
def whole_cluster(cluster):
    """Every component running before and after the test (a fault test restarts what it
    stopped; this puts back anything a failed one left down)."""
    topology.start(*COMPONENTS)
    yield cluster
    topology.start(*COMPONENTS)


COMPONENTS = ("redis", "pgbouncer", "web-a", "web-b", "worker-a", "worker-b", "nginx")
