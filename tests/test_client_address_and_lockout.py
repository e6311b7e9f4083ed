"""Who the client is (X-Forwarded-For only behind trusted proxies), the sign-in lockout, and
throttle counts that every process shares."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from scheduling.middleware import client_address
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "client"),
    [
        ("198.51.100.4", "203.0.113.9", [], "198.51.100.4"),  # no proxies: the header is ignored
        ("198.51.100.4", "203.0.113.9", ["10.0.0.0/8"], "198.51.100.4"),  # not via our proxy
        ("10.0.0.2", "203.0.113.9", ["10.0.0.0/8"], "203.0.113.9"),
        ("10.0.0.2", "1.2.3.4, 203.0.113.9, 10.0.0.7", ["10.0.0.0/8"], "203.0.113.9"),
        ("10.0.0.2", "", ["10.0.0.0/8"], "10.0.0.2"),
        ("10.0.0.2", "not-an-address", ["10.0.0.0/8"], "10.0.0.2"),
        ("::1", "2001:db8::5", ["::1"], "2001:db8::5"),
    ],
)
def test_client_address_reads_forwarded_for_only_from_trusted_proxies(
    remote, forwarded, trusted, client
):
    from ipaddress import ip_network

    assert client_address(remote, forwarded, [ip_network(t) for t in trusted]) == client
    assert client_address(remote, forwarded, [ip_network(t) for t in trusted]) == client


def sign_in(client, username, password, path="/accounts/sign-in/", address="192.0.2.10", **extra):
    return client.post(
        path,
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


@pytest.mark.django_db
def test_five_wrong_passwords_lock_that_username_from_that_address():
    make_user("ann", password="right password")
    client = Client()
    for _ in range(4):
        assert sign_in(client, "ann", "wrong").status_code == 200
    locked = sign_in(client, "ann", "wrong")
    assert locked.status_code == 429
    response = sign_in(client, "ann", "right password")
    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    assert "15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address, or another username from this one, is not locked out.
    assert sign_in(Client(), "ann", "right password", address="192.0.2.99").status_code == 302


@pytest.mark.django_db
def test_the_admin_sign_in_is_locked_out_too():
    make_user("root", password="right password", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(5):
        sign_in(client, "root", "wrong", path="/admin/login/")
    response = sign_in(client, "root", "right password", path="/admin/login/")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_right_password_clears_the_count():
    make_user("bob", password="right password")
    for _ in range(4):
        sign_in(Client(), "bob", "wrong")
    assert sign_in(Client(), "bob", "right password").status_code == 302
    for _ in range(4):
        assert sign_in(Client(), "bob", "wrong").status_code == 200


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_is_counted_on_its_own(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.0/8"]
    make_user("cat", password="right password")
    for _ in range(5):
        sign_in(Client(), "cat", "wrong", address="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1")
    through_proxy = {"address": "127.0.0.1"}
    locked = sign_in(
        Client(), "cat", "right password", **through_proxy, HTTP_X_FORWARDED_FOR="203.0.113.1"
    )
    assert locked.status_code == 429
    other = sign_in(
        Client(), "cat", "right password", **through_proxy, HTTP_X_FORWARDED_FOR="203.0.113.2"
    )
    assert other.status_code == 302


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url_for_the_test_database() -> str:
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("catalogue")
def test_the_webinar_throttle_holds_across_two_gunicorn_workers_behind_a_proxy():
    """Two worker processes share one count, kept per client as the proxy names it."""
    from django.core.cache import cache

    from sessions.models import Offer
    from sessions.webinars.services.registrations import THROTTLE, THROTTLE_WINDOW, webinar_schedule

    cache.clear()
    session = webinar_schedule(
        offer=Offer.objects.get(slug="webinar-role-of-the-ward-councillor"),
        start=timezone.now() + timedelta(days=14),
        capacity=100,
    )
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_the_test_database(),
        "TRUSTED_PROXIES": "127.0.0.1",
        "EMAIL_FILE_PATH": str(ROOT / "var" / "mail"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "scheduling.wsgi",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/webinars/{session.pk}/registrations"

        def register(n, client):
            body = {
                "name": f"Person {n}",
                "email": f"p{n}@example.org",
                "council_name": "Anytown Council",
                "role": "Ward councillor",
            }
            request = urllib.request.Request(
                url,
                data=json.dumps(body).encode(),
                method="POST",
                headers={"Content-Type": "application/json", "X-Forwarded-For": client},
            )
            try:
                with urllib.request.urlopen(request) as response:  # noqa: S310 (loopback)
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code

        for _ in range(100):  # until gunicorn answers
            try:
                with socket.create_connection(("127.0.0.1", port)):
                    break
            except OSError:
                time.sleep(0.1)
        limit = THROTTLE["client"]
        for attempt in range(2):  # a second try only if the first straddled a minute's edge
            client = f"203.0.113.{10 + attempt}"
            window = int(time.time() // THROTTLE_WINDOW)
            statuses = [register(f"{attempt}-{n}", client) for n in range(limit + 5)]
            if int(time.time() // THROTTLE_WINDOW) == window:
                break
        assert 500 not in statuses
        assert statuses.count(429) == 5, statuses
        assert register("other", "203.0.113.200") != 429
    finally:
        server.terminate()
        server.wait()
