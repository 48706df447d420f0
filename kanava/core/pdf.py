"""HTML to a tagged PDF (PDF/UA) with WeasyPrint, as every printable page of Kanava is made.

Nothing is fetched from the network or the disk: only ``data:`` URIs are allowed, so what
goes into the HTML is all that goes into the PDF. PDF/UA tags the document with its
language and title, so screen readers can read it as well as paper readers can.
"""

from __future__ import annotations

from django.conf import settings


def render_document(html: str):
    """The laid-out WeasyPrint document (for its pages), fetching nothing but ``data:`` URIs."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, base_url=settings.SITE_URL, url_fetcher=fetcher).render()


def write_tagged(document) -> bytes:
    return document.write_pdf(pdf_variant="pdf/ua-1")


def tagged_pdf(html: str) -> bytes:
    """``html`` as a tagged PDF (PDF/UA)."""
    return write_tagged(render_document(html))
