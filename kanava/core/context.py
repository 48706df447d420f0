"""Template context shared by every page: theme, staff navigation, language links."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse


def staff_nav(request) -> list[dict]:
    if getattr(request, "organisation", None) is None or not request.user.is_authenticated:
        return []
    from kanava.core.navigation import nav_items

    return nav_items(request)


def language_links(request) -> list[dict]:
    """The same page in each language (views may pass their own)."""
    from django.utils.translation import get_language

    current = (get_language() or settings.LANGUAGE_CODE)[:2]
    names = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
    path = request.get_full_path()
    parts = path.split("/", 2)
    rest = parts[2] if len(parts) > 2 and parts[1] in names else path.lstrip("/")
    return [{"code": code, "name": names[code], "url": f"/{code}/{rest}", "current": code == current}
            for code, _name in settings.LANGUAGES]


def kanava(request):
    organisation = getattr(request, "organisation", None)
    theme = getattr(request, "theme", None)
    if theme is None and organisation is not None:
        from kanava.core.sites import Theme

        theme = Theme(organisation)
    context = {"theme": theme, "SITE_URL": settings.SITE_URL, "staff_nav": staff_nav(request),
               "language_links": language_links(request)}
    if organisation is not None:
        try:
            context["staff_home_url"] = reverse("publishing:dashboard", kwargs={"org": organisation.slug})
        except NoReverseMatch:
            pass
    return context
