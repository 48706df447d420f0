from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

urlpatterns = [
    path("", include("kanava.core.urls_root")),
    path("api/v1/", include("kanava.api.urls")),
]
urlpatterns += i18n_patterns(
    path("staff/", include("kanava.core.urls")),
    path("staff/<slug:org>/", include("kanava.publishing.urls")),
    path("", include("kanava.site.urls")),
    prefix_default_language=True,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
