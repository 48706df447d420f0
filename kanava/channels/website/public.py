"""What the resident site may read from the website channel."""

from kanava.channels.website.models import SitePost


def posts(organisation, language: str, topic=None):
    query = SitePost.objects.filter(organisation=organisation, language=language, withdrawn_at__isnull=True)
    if topic is not None:
        query = query.filter(topic=topic)
    return query.select_related("topic").order_by("-published_at", "-id")


def post(organisation, language: str, pk: int) -> SitePost | None:
    return posts(organisation, language).filter(pk=pk).first()


def translations_of(post_obj: SitePost) -> dict[str, SitePost]:
    """The same message's posts in other languages, by language code."""
    return {
        p.language: p
        for p in SitePost.objects.filter(message=post_obj.message_id, withdrawn_at__isnull=True).exclude(pk=post_obj.pk)
    }
