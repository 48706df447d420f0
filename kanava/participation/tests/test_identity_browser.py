"""Strong identification in headless Chromium, in Finnish, through the local test identity provider.

The identification page and "my data" have no axe-core violations (in Finnish and Swedish).
"""

from urllib.parse import urlencode

import pytest

from kanava.participation import saml
from kanava.participation.models import Participant
from kanava.testing.browser import axe_violations, describe, screenshot
from kanava.testing.saml_idp import SamlTestIdP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def idp(settings, live_server, tmp_path):
    settings.SITE_URL = live_server.url
    settings.VAR_DIR = tmp_path
    settings.SUOMIFI_IDP_METADATA = ""
    saml.make_key_pair(tmp_path / "sp.key", tmp_path / "sp.crt", "Kanava test SP")
    settings.SUOMIFI_SP_KEY_FILE, settings.SUOMIFI_SP_CERT_FILE = str(tmp_path / "sp.key"), str(tmp_path / "sp.crt")
    with SamlTestIdP(sp_metadata=saml.metadata_xml(), directory=tmp_path / "idp") as server:
        settings.SUOMIFI_IDP_METADATA = str(server.metadata_path)
        yield server


def assert_accessible(page, name):
    violations = axe_violations(page)
    assert not violations, f"{name}:\n{describe(violations)}"


def test_a_resident_identifies_strongly_in_finnish_and_sees_their_data(live_server, new_page, cast, idp):
    page = new_page(width=1280)
    my_data = "/fi/participate/my-data/"
    query = urlencode({"level": "strong", "next": my_data})

    swedish = page.goto(f"{live_server.url}/sv/participate/identify/?{query.replace('level=strong', 'level=email')}")
    assert swedish.status == 200
    assert_accessible(page, "identify-sv")
    screenshot(page, "identity-identify-sv")

    assert page.goto(f"{live_server.url}/fi/participate/identify/?{query}").status == 200
    assert page.locator("html").get_attribute("lang") == "fi"
    assert_accessible(page, "identify-fi")
    screenshot(page, "identity-identify-fi")

    page.locator("form:has(input[name=step][value=strong]) button[type=submit]").click()
    page.wait_for_url(f"{idp.url}/sso*")
    screenshot(page, "identity-test-idp-login")
    page.get_by_label("Nordea Demo", exact=False).check()
    page.get_by_role("button", name="Tunnistaudu").click()
    page.get_by_role("button", name="Jatka palveluun").click()

    page.wait_for_url(f"{live_server.url}{my_data}")
    assert page.get_by_text("Demo Nordea").is_visible()
    assert page.get_by_text("21.2.1981").is_visible()
    assert "210281" not in page.content()
    assert_accessible(page, "my-data-fi")
    screenshot(page, "identity-my-data-fi")
    assert Participant.objects.get(organisation=cast.org).home_municipality == "091"
