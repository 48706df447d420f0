"""RSS 2.0 and Atom feeds of the news, per language and per topic.

Each feed holds the latest :data:`FEED_SIZE` posts with their full sanitised
HTML (``content:encoded`` in RSS, ``content`` in Atom) and a short summary.
GUIDs are ``urn:uuid`` values derived from the post's id, so they stay the
same when a host name, title or slug changes.  The feed's language is the
URL's language prefix.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.template.loader import render_to_string
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kanava.channels.website import public
from kanava.core.models import Organisation, Topic
from kanava.core.sites import organisation_for_request
from kanava.publishing.render import sanitise_html
from kanava.site import links

FEED_SIZE = 50
SUMMARY_CHARS = 300
GUID_NAMESPACE = uuid.UUID("5b0c7a3e-3d55-4c38-9f0e-6a1c1d2f8e41")  # Kanava site posts; never change it


class RssWithContent(Rss201rev2Feed):
    """RSS 2.0 with the full text in ``content:encoded``."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": "http://purl.org/rss/1.0/modules/content/"}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content_html"])


class AtomWithContent(Atom1Feed):
    """Atom with the full text in ``<content type="html">``."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


@dataclass
class Source:
    organisation: Organisation
    language: str
    topic: Topic | None = None

    @property
    def name(self) -> str:
        return self.organisation.display_name(self.language)


def post_guid(post) -> str:
    return f"urn:uuid:{uuid.uuid5(GUID_NAMESPACE, f'{post.organisation_id}:{post.pk}')}"


def post_summary(post) -> str:
    return post.summary or Truncator(strip_tags(post.body_html)).chars(SUMMARY_CHARS)


class NewsFeed(Feed):
    feed_type = RssWithContent

    def get_object(self, request, slug: str | None = None):
        organisation = organisation_for_request(request)
        topic = Topic.objects.get(organisation=organisation, slug=slug) if slug else None
        return Source(organisation, (get_language() or "fi")[:2], topic)

    def title(self, source: Source) -> str:
        if source.topic:
            return _("%(organisation)s: news on %(topic)s") % {
                "organisation": source.name, "topic": source.topic.display_name(source.language)}
        return _("%(organisation)s: news") % {"organisation": source.name}

    def description(self, source: Source) -> str:
        return _("The latest news from %(organisation)s.") % {"organisation": source.name}

    subtitle = description

    def link(self, source: Source) -> str:
        if source.topic:
            return links.url_in(source.language, "site:topic", source.topic.slug)
        return links.url_in(source.language, "site:home")

    def items(self, source: Source):
        return public.posts(source.organisation, source.language, topic=source.topic)[:FEED_SIZE]

    def item_title(self, post) -> str:
        return post.title

    def item_description(self, post) -> str:
        return post_summary(post)

    def item_link(self, post) -> str:
        return post.get_absolute_url()

    def item_guid(self, post) -> str:
        return post_guid(post)

    item_guid_is_permalink = False

    def item_pubdate(self, post):
        return post.published_at

    def item_author_name(self, post) -> str | None:
        return post.author_name or None

    def item_categories(self, post):
        return [post.topic.display_name(post.language)] if post.topic else []

    def item_extra_kwargs(self, post) -> dict:
        return {"content_html": render_to_string("site/feed_content.html", {
            "body_html": sanitise_html(post.body_html),
            "plain_title": post.plain_title,
            "plain_body_html": sanitise_html(post.plain_body_html),
        })}


class NewsAtomFeed(NewsFeed):
    feed_type = AtomWithContent
