"""Suomi.fi (SAML 2.0) endpoints outside the language prefix: metadata, assertion consumer, logout.  (Being built.)"""

app_name = "saml"

urlpatterns = []
