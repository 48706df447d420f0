"""Checking that the links in a message work."""

import ipaddress
import socket
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from kanava.publishing.render import links_in

TIMEOUT = 5


def _private(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_private or address.is_loopback or address.is_link_local or address.is_reserved:
            return True
    return False


MAX_REDIRECTS = 5


def _request(url: str):
    """HEAD (or a one-byte GET when HEAD is not allowed) without following redirects."""
    response = requests.head(url, allow_redirects=False, timeout=TIMEOUT)
    if response.status_code in (405, 501):
        response = requests.get(url, allow_redirects=False, timeout=TIMEOUT, stream=True,
                                headers={"Range": "bytes=0-0"})
        response.close()
    return response


def check_url(url: str) -> str | None:
    """None if the link works, otherwise a short translated reason.

    Redirects are followed by hand so that every hop's host is checked: a
    public page must not be able to bounce the checker into the internal
    network.
    """
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return _("the address is not valid")
        if not settings.LINK_CHECK_ALLOW_PRIVATE and _private(parts.hostname):
            return _("the address is not public")
        try:
            response = _request(url)
        except requests.exceptions.SSLError:
            return _("its security certificate is not valid")
        except requests.exceptions.ConnectionError:
            return _("the server cannot be reached")
        except requests.exceptions.Timeout:
            return _("the server did not answer in time")
        except requests.exceptions.RequestException:
            return _("the address is not valid")
        if response.is_redirect and response.headers.get("Location"):
            url = urljoin(url, response.headers["Location"])
            continue
        if response.status_code >= 400:
            return _("the server answered %(status)s") % {"status": response.status_code}
        return None
    return _("it redirects too many times")


def check_links(text: str) -> list[tuple[str, str]]:
    """(url, reason) for every broken link; results are cached for ten minutes."""
    broken = []
    for url in links_in(text):
        key = "link:" + url[:200]
        reason = cache.get(key)
        if reason is None:
            reason = check_url(url) or ""
            cache.set(key, reason, 600)
        if reason:
            broken.append((url, reason))
    return broken
