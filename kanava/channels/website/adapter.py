"""The website channel: news pages on Kanava's own resident site.

Publishing writes a :class:`SitePost` snapshot in the same database, keyed by
the delivery, so it can always be looked up after a crash and never appears
twice.
"""

from django.db import transaction
from django.utils import timezone

from kanava.channels.base import Adapter, Draft, PublishResult
from kanava.channels.website.models import SitePost
from kanava.publishing.render import markdown_to_html


class WebsiteAdapter(Adapter):
    kind = "website"

    def derive(self, message, version) -> Draft:
        return Draft(title=version.title, text=version.body)

    def publish(self, delivery, variants, idempotency_key) -> PublishResult:
        variant = variants[delivery.language]
        message = delivery.message
        version = variant.version
        with transaction.atomic():
            post, _created = SitePost.objects.get_or_create(
                delivery=delivery,
                defaults=dict(
                    organisation=delivery.organisation,
                    message=message,
                    language=delivery.language,
                    topic=message.topic,
                    slug=(version.slug if version else "") or f"m{message.pk}",
                    title=variant.title,
                    summary=version.summary if version else "",
                    body_html=markdown_to_html(variant.text),
                    plain_title=version.plain_title if version else "",
                    plain_body_html=markdown_to_html(version.plain_body) if version and version.plain_body else "",
                    author_name=self._author_name(message),
                    author_title=self._author_title(message, delivery.language),
                    published_at=message.published_at or timezone.now(),
                ),
            )
            from django.db.models import F

            type(delivery.organisation).objects.filter(pk=delivery.organisation_id).update(
                site_version=F("site_version") + 1)
        return self._result(post)

    def lookup(self, delivery, idempotency_key):
        post = SitePost.objects.filter(delivery=delivery).first()
        return self._result(post) if post else None

    def _result(self, post: SitePost) -> PublishResult:
        return PublishResult(external_id=str(post.pk), url=post.absolute_url)

    def _author_name(self, message) -> str:
        return str(message.voice) if message.voice_id else ""

    def _author_title(self, message, language: str) -> str:
        if not message.voice_id:
            return ""
        from kanava.core.models import Membership

        membership = Membership.objects.filter(organisation=message.organisation_id, person=message.voice_id,
                                               role="voice").first()
        return (membership.title or {}).get(language, "") if membership else ""
