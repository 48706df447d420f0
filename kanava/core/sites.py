"""Which organisation a resident page belongs to.

The resident site is served per organisation: by host name when the
organisation has its own domain (``site_domain``), otherwise the installation's
default organisation (``KANAVA_DEFAULT_ORGANISATION``, or the first one).
"""

from django.conf import settings
from django.http import Http404

from kanava.core.models import Organisation
from kanava.core.theme import accessible_brand


class Theme:
    def __init__(self, organisation: Organisation):
        self.organisation = organisation
        self.brand_colour = accessible_brand(organisation.brand_colour or "#0000bf")
        self.logo_url = organisation.logo.url if organisation.logo else ""
        self.organisation_name = organisation.display_name()


def site_base_url(organisation: Organisation | None) -> str:
    """The organisation's public site, ``https://uutiset.kunta.fi``, or ``SITE_URL``; no trailing slash.

    Every link Kanava sends out (emails, feeds, printed QR codes, delivery
    links) starts here, so a municipality with its own domain gets its own.
    """
    if organisation is not None and organisation.site_domain:
        return f"https://{organisation.site_domain.strip().rstrip('/')}"
    return settings.SITE_URL.rstrip("/")


def organisation_for_request(request) -> Organisation:
    cached = getattr(request, "_kanava_organisation", None)
    if cached is not None:
        return cached
    host = request.get_host().split(":")[0].lower()
    organisation = Organisation.objects.filter(site_domain=host).first()
    if organisation is None:
        slug = getattr(settings, "KANAVA_DEFAULT_ORGANISATION", "")
        query = Organisation.objects.filter(slug=slug) if slug else Organisation.objects.order_by("id")
        organisation = query.first()
    if organisation is None:
        raise Http404("No organisation")
    request._kanava_organisation = organisation
    request.theme = Theme(organisation)
    return organisation
