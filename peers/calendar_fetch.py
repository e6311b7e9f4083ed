"""Fetching a peer's busy-calendar feed (an ICS URL) safely, on the peer's behalf.

The address is chosen by a peer, so the server must not become a way to reach what only it
can reach (server-side request forgery): the host is resolved once, every address it resolves
to is vetted (no loopback, private, link-local, multicast, reserved or unspecified address,
IPv4 or IPv6, including IPv4 embedded in IPv6), and the connection goes to the vetted address
itself, so a second DNS answer cannot swap it (DNS rebinding). The original host name still
goes in the Host header and, for https, in SNI and the certificate check. Redirects are
followed at most `MAX_REDIRECTS` times and each target is vetted the same way. The body is
read in chunks up to `max_bytes` whatever Content-Length says, and the whole fetch (name
lookup, connection, headers and body) ends at `timeout` seconds.

`webcal://` (what "subscribe" links use) is fetched as https. Standard library only, no ORM.
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

MAX_BYTES = 2_000_000
TIMEOUT = 10.0
MAX_REDIRECTS = 3
USER_AGENT = "LGA-peer-scheduling/1.0 (busy calendar import)"

_SCHEMES = {"http": "http", "https": "https", "webcal": "https", "webcals": "https"}
_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class CalendarFetchError(Exception):
    """The calendar could not be fetched; `message` says why, in words a peer can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class FetchResult:
    status: str  # "ok" or "not-modified"
    body: bytes | None  # None when not modified
    etag: str | None
    last_modified: str | None
    final_url: str  # after redirects, webcal:// given as https://


def address_refusal(address: str | Address, *, allow_loopback: bool = False) -> str | None:
    """Why the service must not connect to `address`, or None when it may.

    `allow_loopback` admits 127.0.0.0/8 and ::1 (for tests against a local server) and
    nothing else that is not public.
    """
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return "a link-local address"
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            reason = address_refusal(embedded, allow_loopback=allow_loopback)
            if reason or ip.ipv4_mapped:
                return reason
    if ip.is_loopback:
        return None if allow_loopback else "a loopback address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local):
        return "a reserved address"
    if not ip.is_global:
        return "an address that is not public"
    return None


def validate_calendar_url(url: str, *, allow_loopback: bool = False) -> str:
    """The URL to fetch (webcal:// as https://), or `CalendarFetchError` saying what is wrong.

    Checks the scheme, that there are no credentials, and that the host resolves only to
    public addresses. Used when a peer saves the address; the fetch checks again each time.
    """
    target = _Target.parse(url)
    target.resolve(allow_loopback=allow_loopback, deadline=time.monotonic() + TIMEOUT)
    return target.url


def fetch_calendar(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT,
    allow_loopback: bool = False,
) -> FetchResult:
    """Fetch the calendar at `url`, conditionally on `etag` / `last_modified` from last time.

    Returns status "not-modified" (no body) on 304. Raises `CalendarFetchError` for a refused
    address, a network failure, an HTTP error, a body over `max_bytes` or a fetch over
    `timeout` seconds in all.
    """
    deadline = time.monotonic() + timeout
    target = _Target.parse(url)
    for _ in range(MAX_REDIRECTS + 1):
        addresses = target.resolve(allow_loopback=allow_loopback, deadline=deadline)
        response = _request(target, addresses, etag, last_modified, max_bytes, deadline, timeout)
        if response.status in _REDIRECTS:
            if not response.location:
                raise CalendarFetchError(
                    f"The calendar server answered {response.status} without saying where to."
                )
            target = _Target.parse(urljoin(target.url, response.location))
            continue
        if response.status == 304:
            return FetchResult(
                status="not-modified",
                body=None,
                etag=response.etag or etag,
                last_modified=response.last_modified or last_modified,
                final_url=target.url,
            )
        return FetchResult(
            status="ok",
            body=response.body,
            etag=response.etag,
            last_modified=response.last_modified,
            final_url=target.url,
        )
    raise CalendarFetchError(f"The calendar address redirected more than {MAX_REDIRECTS} times.")


@dataclass(frozen=True, slots=True)
class _Target:
    url: str  # normalised: http or https
    scheme: str
    host: str  # as in the URL, lowercased, IPv6 without brackets
    port: int
    path: str  # path and query, what goes on the request line

    @classmethod
    def parse(cls, url: str) -> "_Target":
        url = (url or "").strip()
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise CalendarFetchError(
                f"The calendar address is not a valid URL ({error})."
            ) from None
        scheme = _SCHEMES.get(parts.scheme.lower())
        if scheme is None:
            raise CalendarFetchError(
                "The calendar address must start with https://, http:// or webcal://."
            )
        if parts.username is not None or parts.password is not None:
            raise CalendarFetchError(
                "The calendar address must not contain a user name or password."
            )
        host = (parts.hostname or "").rstrip(".")
        if not host:
            raise CalendarFetchError("The calendar address has no host name.")
        if ":" not in host:  # not an IPv6 literal: send and look up the ASCII form
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                raise CalendarFetchError("The calendar address has an invalid host name.") from None
        port = port or (443 if scheme == "https" else 80)
        netloc = parts.netloc.rpartition("@")[2]
        normalised = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return cls(url=normalised, scheme=scheme, host=host, port=port, path=path)

    def resolve(self, *, allow_loopback: bool, deadline: float) -> list[str]:
        """The host's addresses, all vetted; raises if any is refused or none is found."""
        infos = _resolve(self.host, self.port, deadline)
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise CalendarFetchError(f"The calendar host {self.host} could not be found.")
        for address in addresses:
            reason = address_refusal(address, allow_loopback=allow_loopback)
            if reason:
                raise CalendarFetchError(
                    f"The calendar address points to {reason} ({address}), which is not allowed: "
                    "use an address on the public internet."
                )
        return addresses


def _resolve(host: str, port: int, deadline: float) -> list:
    """getaddrinfo, bounded by the deadline (it has no timeout of its own)."""
    outcome: dict[str, object] = {}

    def lookup() -> None:
        try:
            outcome["infos"] = socket.getaddrinfo(
                host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
            )
        except (OSError, UnicodeError) as error:
            outcome["error"] = error

    worker = threading.Thread(target=lookup, name="calendar-dns", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    if worker.is_alive():
        raise CalendarFetchError(f"Looking up the calendar host {host} took too long.")
    if "error" in outcome:
        raise CalendarFetchError(f"The calendar host {host} could not be found.")
    return outcome["infos"]  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    location: str | None
    etag: str | None
    last_modified: str | None
    body: bytes | None


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to a vetted address while speaking to the original host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        try:
            # SNI and the certificate check use the host name from the URL.
            self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def _request(
    target: _Target,
    addresses: list[str],
    etag: str | None,
    last_modified: str | None,
    max_bytes: int,
    deadline: float,
    timeout: float,
) -> _Response:
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "text/calendar, */*;q=0.5",
        "Accept-Encoding": "gzip",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    failure: Exception | None = None
    for address in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        connection = connection_class(target.host, target.port, address, remaining)
        try:
            connection.connect()
        except ssl.SSLError as error:
            connection.close()
            raise CalendarFetchError(
                f"A secure connection to {target.host} could not be made ({error.reason or error})."
            ) from error
        except OSError as error:
            connection.close()
            failure = error
            continue
        return _exchange(connection, target, headers, max_bytes, deadline, timeout)
    if failure is None or isinstance(failure, TimeoutError) or deadline <= time.monotonic():
        raise CalendarFetchError(_too_slow(timeout))
    raise CalendarFetchError(f"The calendar server {target.host} could not be reached.")


def _too_slow(timeout: float) -> str:
    return f"The calendar server did not answer within {timeout:g} seconds."


def _exchange(
    connection: http.client.HTTPConnection,
    target: _Target,
    headers: dict[str, str],
    max_bytes: int,
    deadline: float,
    timeout: float,
) -> _Response:
    # A server that trickles bytes never trips a per-read timeout; this cuts the socket at the
    # deadline, so no read outlives it.
    watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), _cut, (connection,))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("GET", target.path, headers=headers)
        response = connection.getresponse()
        status = response.status
        location = response.getheader("Location")
        response_etag = response.getheader("ETag")
        response_modified = response.getheader("Last-Modified")
        if status in _REDIRECTS or status == 304:
            return _Response(status, location, response_etag, response_modified, None)
        if status != 200:
            reason = " ".join((response.reason or "").split())[:80]
            raise CalendarFetchError(
                f"The calendar server answered {status} {reason}".rstrip() + "."
            )
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise CalendarFetchError(_too_large(max_bytes))
        body = _read_body(response, max_bytes, deadline, timeout)
        if (response.getheader("Content-Encoding") or "").strip().lower() == "gzip":
            body = _gunzip(body, max_bytes)
        return _Response(status, location, response_etag, response_modified, body)
    except CalendarFetchError:
        if time.monotonic() >= deadline:
            raise CalendarFetchError(_too_slow(timeout)) from None
        raise
    except (OSError, http.client.HTTPException) as error:
        if isinstance(error, TimeoutError) or time.monotonic() >= deadline:
            raise CalendarFetchError(_too_slow(timeout)) from error
        raise CalendarFetchError(
            f"The calendar server {target.host} broke off the connection."
        ) from error
    finally:
        watchdog.cancel()
        connection.close()


def _cut(connection: http.client.HTTPConnection) -> None:
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _read_body(
    response: http.client.HTTPResponse, max_bytes: int, deadline: float, timeout: float
) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() >= deadline:
            raise CalendarFetchError(_too_slow(timeout))
        chunk = response.read1(_CHUNK)
        if not chunk:
            if time.monotonic() >= deadline:
                raise CalendarFetchError(_too_slow(timeout))
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise CalendarFetchError(_too_large(max_bytes))
        chunks.append(chunk)


def _gunzip(body: bytes, max_bytes: int) -> bytes:
    """Decompress without letting a small body expand past the limit."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, max_bytes + 1)
    except zlib.error as error:
        raise CalendarFetchError("The calendar server sent a damaged compressed body.") from error
    if len(data) > max_bytes or inflater.unconsumed_tail:
        raise CalendarFetchError(_too_large(max_bytes))
    return data


def _too_large(max_bytes: int) -> str:
    size = f"{max_bytes / 1_000_000:g} MB" if max_bytes >= 1_000_000 else f"{max_bytes:,} bytes"
    return f"The calendar at this address is larger than {size}."
