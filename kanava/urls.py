"""URL map.  Channel packages add their own: ``urls.py`` under
``/<language>/channels/<kind>/`` and ``hooks.py`` (webhooks, one-click links
that must not depend on a language prefix) under ``/hooks/<kind>/``.
"""

from importlib import import_module, util

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from kanava.channels.discovery import channel_apps
from kanava.participation import mounts as participation


def _channel_urls(module_name: str, prefix: str):
    found = []
    for app in channel_apps():
        kind = app.rsplit(".", 1)[1]
        if util.find_spec(f"{app}.{module_name}"):
            module = import_module(f"{app}.{module_name}")
            found.append(path(f"{prefix}{kind}/", include((module.urlpatterns, f"channel_{kind}_{module_name}"))))
    return found


urlpatterns = [
    path("", include("kanava.core.urls_root")),
    path("api/v1/", include("kanava.api.urls")),
    path("u/", include("kanava.audience.urls_root")),
    path("saml/", include("kanava.participation.urls_saml")),
    *_channel_urls("hooks", "hooks/"),
]
urlpatterns += i18n_patterns(
    # First: the crisis page is the one the whole municipality opens at once (resolving it here
    # instead of after every other pattern saves ~70 µs of a ~600 µs cached request).
    path("crisis/", include("kanava.crisis.urls")),
    path("staff/", include("kanava.core.urls")),
    path("staff/<slug:org>/subscribers/", include("kanava.audience.urls_staff")),
    path("staff/<slug:org>/channels/", include("kanava.channels.urls")),
    path("staff/<slug:org>/settings/", include("kanava.core.organisation")),
    path("staff/<slug:org>/inbox/", include("kanava.inbox.urls")),
    path("staff/<slug:org>/moderation/", include("kanava.inbox.urls_moderation")),
    path("staff/<slug:org>/claims/", include("kanava.inbox.urls_claims")),
    path("staff/<slug:org>/participation/", include("kanava.participation.urls_staff")),
    *participation.staff_urls(),
    path("staff/<slug:org>/matters/", include("kanava.matters.urls")),
    path("staff/<slug:org>/notices/", include("kanava.notices.urls_staff")),
    path("staff/<slug:org>/privacy/", include("kanava.privacy.urls")),
    path("staff/<slug:org>/crisis/", include("kanava.crisis.urls_staff")),
    path("staff/<slug:org>/", include("kanava.publishing.urls")),
    path("subscribe/", include("kanava.audience.urls")),
    *_channel_urls("urls", "channels/"),
    *participation.resident_urls(),
    path("participate/", include("kanava.participation.urls")),
    path("", include("kanava.inbox.urls_public")),
    path("", include("kanava.inbox.urls_facts")),
    path("notices/", include("kanava.notices.urls")),
    path("", include("kanava.site.urls")),
    prefix_default_language=True,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "kanava.site.views.not_found"
