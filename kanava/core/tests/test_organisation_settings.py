import io

from PIL import Image

from kanava.core.models import AuditEvent, Organisation
from kanava.testing.personas import login

URL = "/en/staff/pikkula/settings/"


def form(**changes):
    data = {"name_fi": "Pikkulan kunta", "name_sv": "Pikkula kommun", "required_languages": ["fi", "sv"],
            "majority_language": "fi", "time_zone": "Europe/Helsinki", "brand_colour": "#0f5e8c",
            "site_domain": "uutiset.pikkula.fi", "contact_email": "info@pikkula.fi"}
    data.update(changes)
    return data


def png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "navy").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "logo.png"
    return buffer


def test_an_administrator_sets_languages_colour_logo_and_domain(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    login(client, cast.admin)
    response = client.post(URL, {**form(majority_language="sv"), "logo": png()})
    assert response.status_code == 302
    org = Organisation.objects.get(pk=cast.org.pk)
    assert org.required_languages == ["sv", "fi"] and org.majority_language == "sv"
    assert org.site_domain == "uutiset.pikkula.fi" and org.logo.name.endswith(".png")
    assert AuditEvent.objects.filter(action="organisation.updated", organisation=org).exists()


def test_a_majority_language_outside_the_required_ones_is_refused(client, cast):
    login(client, cast.admin)
    response = client.post(URL, form(required_languages=["fi"], majority_language="sv"))
    assert response.status_code == 200
    assert "The majority language must be one of the required languages." in response.content.decode()


def test_a_text_file_posing_as_a_logo_is_refused_and_the_form_keeps_its_values(client, cast):
    login(client, cast.admin)
    fake = io.BytesIO(b"<svg onload=alert(1)>")
    fake.name = "logo.png"
    response = client.post(URL, {**form(name_fi="Uusi nimi"), "logo": fake})
    page = response.content.decode()
    assert "The logo must be a PNG, JPEG or WebP image." in page
    assert 'value="Uusi nimi"' in page


def test_a_colour_that_is_not_hexadecimal_is_refused_with_an_example(client, cast):
    login(client, cast.admin)
    response = client.post(URL, form(brand_colour="blue"))
    assert "#0f5e8c" in response.content.decode()


def test_an_editor_cannot_change_the_settings_and_an_outsider_gets_404(client, cast):
    login(client, cast.editor)
    assert client.get(URL).status_code == 403
    login(client, cast.outsider)
    assert client.get(URL).status_code == 404
