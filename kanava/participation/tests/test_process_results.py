"""Results inside the process's shell, and the same results as a PDF."""

import io

import pypdf
from django.urls import reverse

from kanava.participation.tests.framework_fixtures import make_process, test_kind  # noqa: F401


def test_the_results_page_shows_the_kinds_results_in_the_shell(client, cast, test_kind):
    process = make_process(cast.org, open_now=False)
    html = client.get(reverse("participation:results", args=[process.slug])).content.decode()
    assert "<caption>Tulokset</caption>" in html and "<td>42</td>" in html
    assert 'class="process-header"' in html
    assert reverse("participation:results_pdf", args=[process.slug]) in html


def test_the_results_pdf_is_a_tagged_pdf(client, cast, test_kind):
    process = make_process(cast.org, open_now=False)
    response = client.get(reverse("participation:results_pdf", args=[process.slug]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    document = pypdf.PdfReader(io.BytesIO(response.content))
    catalog = document.trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/Lang"] == "fi"
    text = document.pages[0].extract_text()
    assert "Puisto" in text and "42" in text and "Prosessi puistosuunnitelma" in text


def test_a_draft_has_no_public_results(client, cast, test_kind):
    process = make_process(cast.org, state="draft")
    assert client.get(reverse("participation:results", args=[process.slug])).status_code == 404
    assert client.get(reverse("participation:results_pdf", args=[process.slug])).status_code == 404
