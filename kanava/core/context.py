"""Template context shared by every page."""

from django.conf import settings


def kanava(request):
    return {
        "theme": getattr(request, "theme", None),
        "SITE_URL": settings.SITE_URL,
    }
