"""A bulletin's QR code and address lead to the organisation's own resident site when it has one."""

import segno

from kanava.channels.print.render import bulletin_html, online_url
from kanava.core.models import Organisation


def qr(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=3, border=4, dark="#000", light="#fff", omitsize=False)


def test_the_qr_code_points_to_the_organisations_own_domain(cast, make_message, settings):
    settings.SITE_URL = "https://kanava.example.fi"
    Organisation.objects.filter(pk=cast.org.pk).update(site_domain="tiedotteet.pikkula.fi")
    cast.org.refresh_from_db()
    message = make_message(organisation=cast.org)

    html = bulletin_html(message)

    own = f"https://tiedotteet.pikkula.fi/fi/m/{message.pk}/"
    assert online_url(message, "fi") == own
    assert qr(own) in html and own in html
    assert "kanava.example.fi" not in html


def test_without_a_domain_of_its_own_the_installation_address_is_used(cast, make_message, settings):
    settings.SITE_URL = "https://kanava.example.fi"
    message = make_message()

    assert online_url(message, "sv") == f"https://kanava.example.fi/sv/m/{message.pk}/"
