"""Suomi.fi (SAML 2.0) endpoints outside the language prefix: our metadata and the assertion consumer."""

from django.urls import path

from kanava.participation import saml

app_name = "saml"

urlpatterns = [
    path("metadata/", saml.metadata, name="metadata"),
    path("acs/", saml.acs, name="acs"),
]
