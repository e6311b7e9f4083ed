"""Request wiring that every app relies on: who the client is, behind the proxies we run."""

from ipaddress import ip_address, ip_network

from django.conf import settings


def trusted_networks() -> list:
    return [ip_network(entry, strict=False) for entry in settings.TRUSTED_PROXIES]


def client_address(remote_addr: str, forwarded_for: str, trusted: list) -> str:
    """The client's address: the socket's peer, unless that is a trusted proxy; then the
    right-most X-Forwarded-For entry that is not itself a trusted proxy (entries further left
    were written by the client and prove nothing)."""

    def is_trusted(address: str) -> bool:
        try:
            return any(ip_address(address) in network for network in trusted)
        except ValueError:
            return False

    if not trusted or not is_trusted(remote_addr):
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop):
            try:
                return str(ip_address(hop))
            except ValueError:
                return remote_addr  # a malformed entry: trust nothing beyond the proxy
    return remote_addr


class ClientAddressMiddleware:
    """Sets REMOTE_ADDR to the client's own address (see `client_address`), so the sign-in
    lockout and the webinar throttle count people, not the proxy in front of them."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = trusted_networks()

    def __call__(self, request):
        request.META["REMOTE_ADDR"] = client_address(
            request.META.get("REMOTE_ADDR", ""),
            request.META.get("HTTP_X_FORWARDED_FOR", ""),
            self.trusted,
        )
        return self.get_response(request)
