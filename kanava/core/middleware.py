"""Request helpers: the client's address for the audit log."""

import ipaddress

from django.conf import settings


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


class ClientAddressMiddleware:
    """Set ``request.client_ip``.

    ``X-Forwarded-For`` is trusted only when ``TRUSTED_PROXY_COUNT`` says how
    many proxies stand in front of Kanava; otherwise anyone could forge it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)

    def __call__(self, request):
        request.client_ip = self.client_ip(request)
        return self.get_response(request)

    def client_ip(self, request) -> str | None:
        if self.proxies:
            hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
            if len(hops) >= self.proxies:
                found = _valid_ip(hops[-self.proxies])
                if found:
                    return found
        return _valid_ip(request.META.get("REMOTE_ADDR", ""))
