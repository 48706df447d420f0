"""What the API reads and writes.

Input serializers only validate and resolve references inside the token's
organisation (``context["organisation"]``); the views hand the result to
actions.  Output serializers expect their querysets prefetched by the views
so a page costs a fixed number of queries.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kanava.audience.addresses import normalise_email
from kanava.audience.models import Subscriber
from kanava.channels.models import Channel
from kanava.channels.sms.phones import normalise_phone
from kanava.core.models import LANGUAGE_CODES, Topic
from kanava.publishing.models import Delivery, DeliveryMetric, Message, MessageVersion

# Ids beyond this overflow a 64-bit column: refuse them as input, not as a crash.
MAX_ID = 2**63 - 1
MAX_TEXT = 50_000
MAX_LIST = 100


def _length(field: str) -> int:
    return MessageVersion._meta.get_field(field).max_length


# -- messages -------------------------------------------------------------------

class VersionSerializer(serializers.Serializer):
    """The message in one language."""

    title = serializers.CharField(max_length=_length("title"))
    body = serializers.CharField(max_length=MAX_TEXT, help_text=_("Markdown."))
    summary = serializers.CharField(max_length=_length("summary"), allow_blank=True, required=False, default="")
    plain_title = serializers.CharField(max_length=_length("plain_title"), allow_blank=True, required=False,
                                        default="", help_text=_("Title of the plain-language version."))
    plain_body = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, required=False, default="",
                                       help_text=_("Plain-language version of the text."))

    FIELDS = ("title", "body", "summary", "plain_title", "plain_body")


class VersionsSerializer(serializers.Serializer):
    """One version per language code; in a partial update ``null`` removes a language."""

    fi = VersionSerializer(required=False, allow_null=True)
    sv = VersionSerializer(required=False, allow_null=True)
    en = VersionSerializer(required=False, allow_null=True)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(key) for key in data if key not in LANGUAGE_CODES)
            if unknown:
                raise serializers.ValidationError(
                    {key: [gettext("Unknown language: %(codes)s.") % {"codes": key}] for key in unknown})
        return super().to_internal_value(data)


class MessageWriteSerializer(serializers.Serializer):
    """A new draft, or the changes to one (PATCH: only the fields sent change)."""

    versions = VersionsSerializer(help_text=_("Title and text per language: fi, sv, en."))
    topic = serializers.CharField(max_length=50, allow_null=True, required=False,
                                  help_text=_("Slug of one of the organisation's topics, or null."))
    channels = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), max_length=MAX_LIST, required=False,
        help_text=_("Ids of the organisation's channels; when left out, its default channels."))

    def validate_versions(self, value):
        given = {language: fields for language, fields in value.items() if fields is not None}
        if not self.partial and not given:
            raise serializers.ValidationError(gettext("Write the message in at least one language."))
        return value

    def validate_topic(self, value):
        if value is None:
            return None
        topic = Topic.objects.filter(organisation=self.context["organisation"], slug=value).first()
        if topic is None:
            raise serializers.ValidationError(gettext("There is no topic “%(slug)s” in this organisation.")
                                              % {"slug": value})
        return topic

    def validate_channels(self, value):
        found = {c.pk: c for c in Channel.objects.filter(organisation=self.context["organisation"],
                                                         pk__in=set(value))}
        missing = [str(pk) for pk in value if pk not in found]
        if missing:
            raise serializers.ValidationError(gettext("There is no channel with the id %(ids)s in this organisation.")
                                              % {"ids": ", ".join(missing)})
        return [found[pk] for pk in dict.fromkeys(value)]


def merge_versions(message: Message, changes: dict) -> dict[str, dict]:
    """Apply a partial ``versions`` change to a message's current versions.

    Languages not mentioned stay as they are, a language set to None goes,
    fields not sent keep their value.  Raises ValidationError when a language
    would be left without title or text.
    """
    current = {v.language: {f: getattr(v, f) for f in VersionSerializer.FIELDS} for v in message.versions.all()}
    errors = {}
    for language, fields in changes.items():
        if fields is None:
            current.pop(language, None)
            continue
        merged = {**current.get(language, {}), **fields}
        missing = {f: [gettext("This field is required.")] for f in ("title", "body") if not merged.get(f)}
        if missing:
            errors[language] = missing
        current[language] = merged
    if errors:
        raise serializers.ValidationError({"versions": errors})
    if not current:
        raise serializers.ValidationError({"versions": [gettext("Write the message in at least one language.")]})
    return current


class VersionOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = MessageVersion
        fields = ["title", "summary", "body", "plain_title", "plain_body", "slug"]


class VersionsOutSerializer(serializers.Serializer):
    fi = VersionOutSerializer(required=False)
    sv = VersionOutSerializer(required=False)
    en = VersionOutSerializer(required=False)


class MessageSerializer(serializers.ModelSerializer):
    """A message as the API shows it; needs topic, author, voice, versions and channels loaded."""

    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    author = serializers.CharField(source="author.__str__", read_only=True)
    voice = serializers.SerializerMethodField()
    channels = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "state", "topic", "author", "voice", "channels", "versions", "scheduled_at",
                  "published_at", "rejection_reason", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True})
    def get_voice(self, message) -> str | None:
        return str(message.voice) if message.voice_id else None

    def get_channels(self, message) -> list[int]:
        return [channel.pk for channel in message.channels.all()]

    @extend_schema_field(VersionsOutSerializer)
    def get_versions(self, message) -> dict:
        return {v.language: VersionOutSerializer(v).data for v in message.versions.all()}


# -- deliveries -------------------------------------------------------------------

class ChannelSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Channel
        fields = ["id", "kind", "name"]


FIGURE_HELP = _("Null when the platform does not offer this figure (never 0 for that).")


class PostPartSerializer(serializers.Serializer):
    """One post of a thread (or the only post) on a social platform."""

    id = serializers.CharField(help_text=_("The platform's id of the post."))
    url = serializers.CharField(allow_blank=True, help_text=_("Public address of the post."))


class FiguresSerializer(serializers.Serializer):
    """A post's figures as the platform counts them at one moment."""

    impressions = serializers.IntegerField(allow_null=True, help_text=FIGURE_HELP)
    reactions = serializers.IntegerField(allow_null=True, help_text=FIGURE_HELP)
    comments = serializers.IntegerField(allow_null=True, help_text=FIGURE_HELP)
    shares = serializers.IntegerField(allow_null=True, help_text=FIGURE_HELP)
    fetched_at = serializers.DateTimeField(help_text=_("When the platform was asked."))


class DeliverySerializer(serializers.ModelSerializer):
    """One outbox entry; needs its channel loaded."""

    channel = ChannelSummarySerializer(read_only=True)
    parts = serializers.SerializerMethodField()
    metrics = serializers.SerializerMethodField()
    posted_by_hand = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = ["id", "message", "channel", "language", "batch", "state", "attempts", "next_attempt_at",
                  "external_id", "url", "parts", "posted_by_hand", "metrics", "metrics_due_at", "last_error",
                  "recipient_count", "created_at", "delivered_at"]
        read_only_fields = fields
        extra_kwargs = {"metrics_due_at": {"help_text": _("When the platform is next asked for the post's "
                                                          "figures; null when no more fetches are planned.")}}

    @extend_schema_field(PostPartSerializer(many=True, help_text=_(
        "The posts on a social platform: one, or each part of a thread in order. Empty for other channels.")))
    def get_parts(self, delivery) -> list[dict]:
        parts = (delivery.detail or {}).get("parts") or []
        return [{"id": str(part.get("id", "")), "url": part.get("url") or ""} for part in parts]

    @extend_schema_field(FiguresSerializer(allow_null=True, help_text=_(
        "The latest figures of the post on a social platform; null until they are first fetched. "
        "The figures over time: GET /api/v1/deliveries/{id}/metrics/.")))
    def get_metrics(self, delivery) -> dict | None:
        figures = delivery.metrics or {}
        if not figures.get("fetched_at"):
            return None
        return FiguresSerializer(figures).data

    @extend_schema_field(serializers.BooleanField(help_text=_("A person posted it by hand on the platform.")))
    def get_posted_by_hand(self, delivery) -> bool:
        return bool((delivery.detail or {}).get("by_hand"))


class MetricPointSerializer(serializers.ModelSerializer):
    """The post's figures at one fetch; a figure is null when the platform does not offer it."""

    class Meta:
        model = DeliveryMetric
        fields = ["fetched_at", "impressions", "reactions", "comments", "shares"]
        read_only_fields = fields


class DeliveryMetricsSerializer(serializers.Serializer):
    """A post's figures over time, oldest first."""

    delivery = serializers.IntegerField()
    points = MetricPointSerializer(many=True)


# -- subscribers --------------------------------------------------------------------

def _normalised(normalise, value: str) -> str:
    try:
        return normalise(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError({"address": error.messages})


class SubscriberCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Subscriber.Kind.choices)
    address = serializers.CharField(max_length=254, help_text=_("An email address, or a mobile phone number (stored in E.164, e.g. +358401234567)."))
    language = serializers.ChoiceField(choices=LANGUAGE_CODES, required=False,
                                       help_text=_("Defaults to the organisation's majority language."))
    topics = serializers.ListField(child=serializers.SlugField(max_length=50), max_length=MAX_LIST, required=False,
                                   help_text=_("Topic slugs; when left out, every topic."))

    def validate(self, data):
        normalise = normalise_email if data["kind"] == Subscriber.Kind.EMAIL else normalise_phone
        data["address"] = _normalised(normalise, data["address"])
        data.setdefault("language", self.context["organisation"].majority_language)
        data["topics"] = self._topics(data.get("topics"))
        return data

    def _topics(self, slugs):
        if slugs is None:
            return None
        found = {t.slug: t for t in Topic.objects.filter(organisation=self.context["organisation"], slug__in=slugs)}
        missing = [slug for slug in slugs if slug not in found]
        if missing:
            raise serializers.ValidationError({"topics": [
                gettext("There is no topic “%(slug)s” in this organisation.") % {"slug": slug} for slug in missing]})
        return [found[slug] for slug in dict.fromkeys(slugs)]


class SubscriberSerializer(serializers.ModelSerializer):
    """A subscriber as the API shows it; needs topics prefetched."""

    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Subscriber
        fields = ["id", "kind", "address", "language", "state", "all_topics", "topics", "source", "created_at",
                  "confirmed_at", "unsubscribed_at"]
        read_only_fields = fields
