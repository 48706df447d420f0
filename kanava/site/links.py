"""URLs of the resident site in every language, and the feeds a page advertises."""

from __future__ import annotations

from django.conf import settings
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"


def site_languages(organisation) -> list[str]:
    """The organisation's languages first (majority first), then the other site languages."""
    offered = [code for code, _name in settings.LANGUAGES]
    own = [code for code in organisation.required_languages if code in offered]
    return own + [code for code in offered if code not in own]


def native_name(code: str) -> str:
    """A language's name in that language ("Suomi", "Svenska"), for links a reader of it must find."""
    name = get_language_info(code)["name_local"]
    return name[:1].upper() + name[1:]


def url_in(language: str, name: str, *args) -> str:
    """``reverse`` with the language prefix of ``language``."""
    with translation.override(language):
        return reverse(name, args=args)


def language_links(organisation, current: str, urls: dict[str, str] | None = None) -> list[dict]:
    """Links for the base template's language switcher.

    ``urls`` maps a language code to this page in that language; a language
    without one links to its home page.
    """
    urls = urls or {}
    return [
        {"code": code, "name": native_name(code), "current": code == current,
         "url": urls.get(code) or url_in(code, "site:home")}
        for code in site_languages(organisation)
    ]


def feed_links(language: str, topic=None) -> list[dict]:
    """The feeds a page advertises with ``<link rel="alternate">``: the news feeds, and a topic's own."""
    links = [
        {"type": RSS_TYPE, "hreflang": language, "title": _("News (RSS)"), "href": url_in(language, "site:feed_rss")},
        {"type": ATOM_TYPE, "hreflang": language, "title": _("News (Atom)"),
         "href": url_in(language, "site:feed_atom")},
    ]
    if topic is not None:
        name = topic.display_name(language)
        links += [
            {"type": RSS_TYPE, "hreflang": language, "title": _("News on %(topic)s (RSS)") % {"topic": name},
             "href": url_in(language, "site:topic_feed_rss", topic.slug)},
            {"type": ATOM_TYPE, "hreflang": language, "title": _("News on %(topic)s (Atom)") % {"topic": name},
             "href": url_in(language, "site:topic_feed_atom", topic.slug)},
        ]
    return links


def existing(path: str) -> str:
    """``path`` when some app serves it, else "" (subscription pages come from other apps)."""
    try:
        resolve(path)
    except Resolver404:
        return ""
    return path


def subscribe_links(language: str) -> list[dict]:
    candidates = [
        (_("Subscribe to the newsletter by email"), f"/{language}/subscribe/"),
        (_("Subscribe to text message alerts"), f"/{language}/channels/sms/subscribe/"),
    ]
    return [{"label": label, "url": path} for label, path in candidates if existing(path)]
