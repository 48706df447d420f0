"""An organisation's resident-site host name is its own, and its logo is stored clean."""

import io

import pytest
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from PIL import Image

from kanava.core.models import Organisation
from kanava.core.organisation import do_update_organisation
from kanava.core.sites import organisation_for_request
from kanava.testing.personas import login

URL = "/en/staff/pikkula/settings/"


def form(**changes):
    data = {"name_fi": "Pikkulan kunta", "name_sv": "Pikkula kommun", "required_languages": ["fi", "sv"],
            "majority_language": "fi", "time_zone": "Europe/Helsinki", "brand_colour": "#0f5e8c",
            "site_domain": "uutiset.pikkula.fi", "contact_email": "info@pikkula.fi"}
    data.update(changes)
    return data


def test_a_lead_cannot_claim_another_organisations_host_name(client, cast):
    Organisation.objects.filter(pk=cast.other_org.pk).update(site_domain="uutiset.toinen.fi")
    login(client, cast.admin)

    response = client.post(URL, form(site_domain="Uutiset.Toinen.fi", name_fi="Uusi nimi"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Another organisation already uses this host name." in page
    assert 'value="Uusi nimi"' in page
    assert Organisation.objects.get(pk=cast.org.pk).site_domain == ""


def test_a_lead_cannot_claim_kanavas_own_host_name(client, cast, settings):
    settings.SITE_URL = "https://kanava.example.fi"
    login(client, cast.admin)

    response = client.post(URL, form(site_domain="kanava.example.fi"))

    assert "This is the address of Kanava itself." in response.content.decode()
    assert Organisation.objects.get(pk=cast.org.pk).site_domain == ""


def test_an_organisation_keeps_its_own_host_name_when_saving_again(client, cast):
    Organisation.objects.filter(pk=cast.org.pk).update(site_domain="uutiset.pikkula.fi")
    login(client, cast.admin)

    assert client.post(URL, form(brand_colour="#123456")).status_code == 302
    assert Organisation.objects.get(pk=cast.org.pk).brand_colour == "#123456"


def test_the_action_refuses_a_taken_host_name_too(cast, actor_of):
    from django.core.exceptions import ValidationError

    Organisation.objects.filter(pk=cast.other_org.pk).update(site_domain="uutiset.toinen.fi")
    data = {**form(site_domain="uutiset.toinen.fi"), "logo": None}
    with pytest.raises(ValidationError) as raised:
        do_update_organisation(actor_of(cast.admin), cast.org, data)
    assert "site_domain" in raised.value.message_dict


def test_the_database_keeps_one_organisation_per_host_name(cast):
    Organisation.objects.filter(pk=cast.org.pk).update(site_domain="uutiset.pikkula.fi")
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=cast.other_org.pk).update(site_domain="UUTISET.pikkula.fi")
    # Organisations without a host of their own are many, and that is fine.
    Organisation.objects.create(slug="kolmas", name={"fi": "Kolmas"})
    assert Organisation.objects.filter(site_domain="").count() == 2


def test_the_resident_site_still_finds_its_organisation_by_host_name(cast, settings):
    settings.ALLOWED_HOSTS = ["*"]
    Organisation.objects.filter(pk=cast.other_org.pk).update(site_domain="uutiset.toinen.fi")
    request = RequestFactory().get("/fi/", HTTP_HOST="uutiset.toinen.fi")
    assert organisation_for_request(request) == cast.other_org


def jpeg_with_location() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° when shown
    exif[0x8825] = {1: "N", 2: (60.0, 10.0, 5.0)}  # GPS latitude
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_the_logo_is_stored_under_its_real_format_without_metadata(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    login(client, cast.admin)
    upload = io.BytesIO(jpeg_with_location() + b"<script>alert(1)</script>")
    upload.name = "logo.html"

    assert client.post(URL, {**form(), "logo": upload}).status_code == 302

    logo = Organisation.objects.get(pk=cast.org.pk).logo
    assert logo.name == "logos/pikkula.jpg"
    stored = logo.read()
    assert b"<script>" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and not image.getexif() and image.size == (20, 40)
