"""The busy-calendar feed fetcher against a real HTTP server on 127.0.0.1, and address vetting.

Every connection goes to the loopback server below; addresses that must be refused are
literals, refused before any connection is attempted.
"""

import contextlib
import gzip
import http.server
import threading
import time

import pytest

from peers.calendar_fetch import (
    CalendarFetchError,
    FetchResult,
    address_refusal,
    fetch_calendar,
    validate_calendar_url,
)

CALENDAR = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:1\r\n"
    b"DTSTART:20260302T090000Z\r\nDTEND:20260302T100000Z\r\nSUMMARY:Council\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)
ETAG = '"v1"'
LAST_MODIFIED = "Mon, 02 Mar 2026 08:00:00 GMT"
PAUSE = 0.2  # between trickled bytes; the server gives up after a bounded number of them


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, format, *args):  # keep test output quiet
        pass

    def do_GET(self):
        route = getattr(
            self,
            "route_" + self.path.strip("/").split("?")[0].replace("-", "_").replace(".", "_"),
            None,
        )
        if route is None:
            self.send_error(404, "Not Found")
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            route()  # a client that gave up, as it should, breaks the pipe

    def send_body(self, body, *, headers=(), status=200, length=True):
        self.send_response(status)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        for name, value in headers:
            self.send_header(name, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def route_cal_ics(self):
        if self.headers.get("If-None-Match") == ETAG or (
            self.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            self.send_response(304)
            self.send_header("ETag", ETAG)
            self.end_headers()
            return
        self.send_body(CALENDAR, headers=[("ETag", ETAG), ("Last-Modified", LAST_MODIFIED)])

    def route_host(self):
        self.send_body(self.headers.get("Host", "").encode())

    def route_big(self):
        # No Content-Length: the body ends when the connection closes.
        self.send_body(b"X" * 50_000, length=False)

    def route_big_declared(self):
        self.send_response(200)
        self.send_header("Content-Length", "5000000")
        self.end_headers()
        self.wfile.write(b"BEGIN:VCALENDAR\r\n")

    def route_slow(self):
        self.send_response(200)
        self.end_headers()
        for _ in range(25):
            self.wfile.write(b"X")
            self.wfile.flush()
            time.sleep(PAUSE)

    def route_slow_headers(self):
        self.wfile.write(b"HTTP/1.0 200 OK\r\n")
        for _ in range(25):
            self.wfile.write(b"X-Pad: x\r\n")
            self.wfile.flush()
            time.sleep(PAUSE)
        self.wfile.write(b"\r\n")

    def route_gzip(self):
        self.send_body(gzip.compress(CALENDAR), headers=[("Content-Encoding", "gzip")])

    def route_gzip_bomb(self):
        self.send_body(gzip.compress(b"\0" * 5_000_000), headers=[("Content-Encoding", "gzip")])

    def redirect(self, location, status=302):
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def route_moved(self):
        self.redirect("/cal.ics", 301)

    def route_to_private(self):
        self.redirect("http://10.0.0.1/cal.ics")

    def route_to_metadata(self):
        self.redirect("http://169.254.169.254/latest/meta-data/")

    def route_to_credentials(self):
        self.redirect("http://user:secret@127.0.0.1/cal.ics")

    def route_to_file(self):
        self.redirect("file:///etc/passwd")

    def route_loop(self):
        self.redirect("/loop")

    def route_error(self):
        self.send_error(500, "Internal Server Error")


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def fetch(url, **kwargs):
    return fetch_calendar(url, allow_loopback=True, **kwargs)


def test_fetches_the_calendar_with_its_validators(server):
    result = fetch(f"{server}/cal.ics")
    assert result == FetchResult(
        status="ok",
        body=CALENDAR,
        etag=ETAG,
        last_modified=LAST_MODIFIED,
        final_url=f"{server}/cal.ics",
    )


def test_matching_etag_is_not_modified(server):
    result = fetch(f"{server}/cal.ics", etag=ETAG)
    assert (result.status, result.body, result.etag) == ("not-modified", None, ETAG)


def test_matching_last_modified_is_not_modified(server):
    result = fetch(f"{server}/cal.ics", last_modified=LAST_MODIFIED)
    assert result.status == "not-modified"
    assert result.last_modified == LAST_MODIFIED


def test_stale_etag_gets_the_body(server):
    result = fetch(f"{server}/cal.ics", etag='"v0"')
    assert (result.status, result.body) == ("ok", CALENDAR)


def test_connects_to_the_vetted_address_but_names_the_host(server):
    port = server.rsplit(":", 1)[1]
    result = fetch(f"http://localhost:{port}/host")
    assert result.body == f"localhost:{port}".encode()


def test_body_over_the_limit_is_refused_while_streaming(server):
    with pytest.raises(CalendarFetchError, match="larger than 10,000 bytes"):
        fetch(f"{server}/big", max_bytes=10_000)
    assert fetch(f"{server}/big", max_bytes=50_000).body == b"X" * 50_000


def test_declared_length_over_the_limit_is_refused(server):
    with pytest.raises(CalendarFetchError, match="larger than 2 MB"):
        fetch(f"{server}/big-declared")


def test_slow_body_stops_at_the_timeout(server):
    with pytest.raises(CalendarFetchError, match="did not answer within 0.5 seconds"):
        fetch(f"{server}/slow", timeout=0.5)


def test_trickled_headers_stop_at_the_timeout(server):
    with pytest.raises(CalendarFetchError, match="did not answer within 0.5 seconds"):
        fetch(f"{server}/slow-headers", timeout=0.5)


def test_gzip_body_is_decompressed(server):
    assert fetch(f"{server}/gzip").body == CALENDAR


def test_gzip_body_may_not_expand_past_the_limit(server):
    with pytest.raises(CalendarFetchError, match="larger than 1 MB"):
        fetch(f"{server}/gzip-bomb", max_bytes=1_000_000)


def test_redirect_is_followed(server):
    result = fetch(f"{server}/moved")
    assert (result.body, result.final_url) == (CALENDAR, f"{server}/cal.ics")


def test_redirect_to_a_private_address_is_refused(server):
    with pytest.raises(CalendarFetchError, match=r"a private address \(10\.0\.0\.1\)"):
        fetch(f"{server}/to-private")


def test_redirect_to_cloud_metadata_is_refused(server):
    with pytest.raises(CalendarFetchError, match="link-local address"):
        fetch(f"{server}/to-metadata")


def test_redirect_with_credentials_is_refused(server):
    with pytest.raises(CalendarFetchError, match="user name or password"):
        fetch(f"{server}/to-credentials")


def test_redirect_to_another_scheme_is_refused(server):
    with pytest.raises(CalendarFetchError, match="must start with https://"):
        fetch(f"{server}/to-file")


def test_redirects_are_limited(server):
    with pytest.raises(CalendarFetchError, match="redirected more than 3 times"):
        fetch(f"{server}/loop")


def test_http_errors_are_reported(server):
    with pytest.raises(CalendarFetchError, match="answered 404 Not Found"):
        fetch(f"{server}/missing.ics")
    with pytest.raises(CalendarFetchError, match="answered 500"):
        fetch(f"{server}/error")


def test_loopback_is_refused_unless_allowed(server):
    with pytest.raises(CalendarFetchError, match="loopback address"):
        fetch_calendar(f"{server}/cal.ics")


def test_webcal_is_fetched_over_https(server):
    # The test server speaks plain HTTP, so the TLS handshake that webcal:// implies fails.
    with pytest.raises(CalendarFetchError, match="secure connection"):
        fetch(server.replace("http://", "webcal://") + "/cal.ics", timeout=5)


def test_closed_port_is_reported():
    with pytest.raises(CalendarFetchError, match="could not be reached"):
        fetch("http://127.0.0.1:1/cal.ics")


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://calendar.example.org/x.ics", "must start with https://"),
        ("file:///etc/passwd", "must start with https://"),
        ("javascript:alert(1)", "must start with https://"),
        ("calendar.example.org/x.ics", "must start with https://"),
        ("https://user:secret@calendar.example.org/x.ics", "user name or password"),
        ("https://token@calendar.example.org/x.ics", "user name or password"),
        ("https:///x.ics", "no host name"),
        ("https://calendar.example.org:99999/x.ics", "not a valid URL"),
        ("http://10.0.0.1/x.ics", "a private address"),
        ("http://192.168.1.1/x.ics", "a private address"),
        ("http://169.254.169.254/latest/meta-data/", "a link-local address"),
        ("http://[fe80::1]/x.ics", "a link-local address"),
        ("http://[::1]/x.ics", "a loopback address"),
        ("http://[::ffff:127.0.0.1]/x.ics", "a loopback address"),
        ("http://0.0.0.0/x.ics", "an unspecified address"),
        ("http://127.0.0.1/x.ics", "a loopback address"),
        ("http://2130706433/x.ics", "a loopback address"),  # 127.0.0.1 as one number
        ("http://localhost/x.ics", "a loopback address"),
    ],
)
def test_validate_refuses(url, message):
    with pytest.raises(CalendarFetchError, match=message):
        validate_calendar_url(url)


def test_validate_normalises_webcal_to_https():
    assert validate_calendar_url("webcal://93.184.216.34/feed.ics?x=1") == (
        "https://93.184.216.34/feed.ics?x=1"
    )
    assert validate_calendar_url("HTTP://93.184.216.34") == "http://93.184.216.34/"


def test_validate_allows_loopback_only_when_asked():
    assert validate_calendar_url("http://127.0.0.1:8000/x.ics", allow_loopback=True) == (
        "http://127.0.0.1:8000/x.ics"
    )
    with pytest.raises(CalendarFetchError, match="a private address"):
        validate_calendar_url("http://10.0.0.1/x.ics", allow_loopback=True)


@pytest.mark.parametrize(
    "address, reason",
    [
        ("10.0.0.1", "a private address"),
        ("172.16.5.4", "a private address"),
        ("192.168.1.1", "a private address"),
        ("169.254.169.254", "a link-local address"),
        ("127.0.0.1", "a loopback address"),
        ("127.8.9.10", "a loopback address"),
        ("0.0.0.0", "an unspecified address"),  # noqa: S104
        ("224.0.0.1", "a multicast address"),
        ("239.255.255.250", "a multicast address"),
        ("240.0.0.1", "a private address"),
        ("255.255.255.255", "a private address"),
        ("100.64.0.1", "an address that is not public"),  # carrier-grade NAT
        ("::1", "a loopback address"),
        ("::", "an unspecified address"),
        ("fe80::1", "a link-local address"),
        ("fc00::1", "a private address"),
        ("fec0::1", "a reserved address"),
        ("ff02::1", "a multicast address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("::ffff:10.0.0.1", "a private address"),
        ("::ffff:169.254.169.254", "a link-local address"),
        ("2002:a00:1::", "a private address"),  # 6to4 wrapping 10.0.0.1
        ("64:ff9b::a00:1", "a reserved address"),  # NAT64 wrapping 10.0.0.1
    ],
)
def test_address_refusal(address, reason):
    assert address_refusal(address) == reason


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert address_refusal(address) is None


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_allow_loopback_admits_loopback(address):
    assert address_refusal(address, allow_loopback=True) is None


@pytest.mark.parametrize(
    "address",
    ["10.0.0.1", "192.168.1.1", "169.254.169.254", "fe80::1", "0.0.0.0", "::"],  # noqa: S104
)
def test_allow_loopback_admits_nothing_else(address):
    assert address_refusal(address, allow_loopback=True) is not None
