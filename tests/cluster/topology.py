"""The cluster the `cluster` tests run and break: deploy/cluster.sh with a name, ports and a
database of its own (so a `make cluster` left running is not touched), reached over HTTP, and
its processes signalled by their pid files."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "cluster.sh"
NAME = os.environ.get("CLUSTER_TEST_NAME", "test")
PORT = int(os.environ.get("CLUSTER_TEST_PORT", "8480"))
NGINX, WEB_A, WEB_B = PORT, PORT + 1, PORT + 2
RUN = ROOT / "var" / "cluster" / NAME
DATABASE = f"lga_cluster_{NAME}"
PROGRAMS = (
    "nginx",
    "pgbouncer",
    "redis-server",
    "redis-cli",
    "psql",
    "createdb",
    "dropdb",
    "pg_isready",
    "envsubst",
    "curl",
    "setsid",
)


def problem() -> str | None:
    """Why the cluster cannot run here, or None."""
    missing = [p for p in PROGRAMS if shutil.which(p) is None and not Path("/usr/sbin", p).exists()]
    if missing:
        return f"the cluster needs {', '.join(missing)} (Debian: nginx pgbouncer redis-server postgresql-client gettext-base curl)"
    ready = subprocess.run(
        ["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False, capture_output=True
    )
    if ready.returncode != 0:
        return "PostgreSQL is not answering on 127.0.0.1:5432"
    return None


def _script_env(**extra: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SQLITE_TEST_PATH", "DJANGO_SETTINGS_MODULE"}
    }
    env["PATH"] = env.get("PATH", "") + ":/usr/sbin:/sbin"
    env.update(CLUSTER_NAME=NAME, CLUSTER_PORT=str(PORT), CLUSTER_DATABASE=DATABASE, **extra)
    return env


def script(*args: str, **extra: str) -> str:
    done = subprocess.run(
        [str(SCRIPT), *args],
        env=_script_env(**extra),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"cluster.sh {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def start(*components: str) -> None:
    script("start", *components, CLUSTER_SEED="demo")


def stop(*components: str) -> None:
    script("stop", *components)


def fresh_database() -> None:
    subprocess.run(
        ["dropdb", "--if-exists", "--force", "-h", "127.0.0.1", "-U", "postgres", DATABASE],
        check=True,
        capture_output=True,
    )


def service_env() -> dict:
    env = _script_env()
    for line in script("env").splitlines():
        key, _, value = line.partition("=")
        env[key] = value
    env["PYTHONPATH"] = str(ROOT)
    return env


def probe(action: str, *args) -> dict:
    """tests/cluster/probe.py ACTION in the cluster's environment."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.cluster.probe", action, *map(str, args)],
        env=service_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"probe {action} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def pid(component: str) -> int:
    path = RUN / ("pgbouncer/pgbouncer.pid" if component == "pgbouncer" else f"{component}.pid")
    return int(path.read_text().strip())


def alive(process: int) -> bool:
    try:
        os.kill(process, 0)
    except ProcessLookupError:
        return False
    return True


def children(process: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{process}/task").glob("*/children"):
        found |= {int(p) for p in task.read_text().split()}
    return found


def kill_hard(component: str) -> None:
    """SIGKILL to the component's whole process group (its master and workers)."""
    os.killpg(pid(component), signal.SIGKILL)


class Answer:
    def __init__(self, status: int, body: bytes, headers: dict):
        self.status, self.body, self.headers = status, body, headers

    def json(self):
        return json.loads(self.body)


def call(port: int, method: str, path: str, *, token: str = "", body=None, headers=None):
    """One request on a new connection; an OSError (refused, reset) is raised as it comes."""
    sent = dict(headers or {})
    if token:
        sent["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body)
        sent["Content-Type"] = "application/json"
    connection = HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        return Answer(response.status, response.read(), dict(response.getheaders()))
    finally:
        connection.close()


def wait_until(check, *, what: str, limit: float = 120.0, pause: float = 0.2):
    """Poll `check()` until it returns something true; fail after `limit` seconds (a fault
    that never heals must not hang the run)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(pause)
    raise AssertionError(f"{what} did not happen within {limit:.0f} s")
