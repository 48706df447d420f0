"""Messages, their language versions and channel variants, and the outbox."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanava.audience.models import Subscriber
from kanava.channels.models import Channel
from kanava.core.models import Organisation, Person, Topic


class Message(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHING = "publishing", _("Publishing")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="messages")
    topic = models.ForeignKey(Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="authored_messages")
    # Published in the name of this person (a voice), who must approve it.
    voice = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="voiced_messages"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT, db_index=True)
    # Only subscribers who chose the message's topic, not those who follow all topics (a crisis drill's
    # exercise list).
    topic_subscribers_only = models.BooleanField(default=False)
    channels = models.ManyToManyField(Channel, blank=True, related_name="messages")
    scheduled_at = models.DateTimeField(null=True, blank=True, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    approved_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    voice_approved_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "state", "-published_at"])]

    def __str__(self):
        version = self.primary_version()
        return version.title if version else f"#{self.pk}"

    def primary_version(self):
        versions = {v.language: v for v in self.versions.all()}
        for language in [self.organisation.majority_language, *self.organisation.required_languages, "fi", "sv", "en"]:
            if language in versions:
                return versions[language]
        return None

    def languages(self) -> list[str]:
        return [v.language for v in self.versions.all()]

    @property
    def is_editable(self) -> bool:
        return self.state in {self.State.DRAFT, self.State.REJECTED, self.State.IN_REVIEW}


class MessageVersion(models.Model):
    """The message in one language, with an optional plain-language version."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(max_length=2)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=400, blank=True)
    body = models.TextField(_("text"), help_text=_("Markdown: paragraphs, lists, **bold**, [links](https://...)."))
    plain_title = models.CharField(_("plain-language title"), max_length=200, blank=True)
    plain_body = models.TextField(_("plain-language text"), blank=True)
    slug = models.SlugField(max_length=120, blank=True)

    class Meta:
        ordering = ["message", "language"]
        constraints = [models.UniqueConstraint(fields=["message", "language"], name="one_version_per_language")]

    def __str__(self):
        return self.title

    def plain_text(self) -> str:
        from kanava.publishing.render import markdown_to_text

        return markdown_to_text(self.body)

    def html(self) -> str:
        from kanava.publishing.render import markdown_to_html

        return markdown_to_html(self.body)


def upload_path(instance, filename):
    return f"org/{instance.message.organisation_id}/messages/{instance.message_id}/{filename}"


class MessageImage(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="images")
    file = models.ImageField(upload_to=upload_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(null=True)
    height = models.PositiveIntegerField(null=True)
    # Alternative text per language; required for every language of the message.
    alt = models.JSONField(default=dict)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def alt_text(self, language: str) -> str:
        return (self.alt or {}).get(language, "")


class MessageAttachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=upload_path)
    title = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]


class Variant(models.Model):
    """What one channel publishes in one language: derived, then editable."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="variants")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="variants")
    language = models.CharField(max_length=2)
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    # Once an editor changes a variant it is no longer re-derived.
    edited = models.BooleanField(default=False)
    # Too long for one post: the editor chose to publish it as a thread
    # (platforms that have threads) instead of shortening it.
    thread = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "channel", "language"], name="one_variant_per_channel_language")
        ]

    @property
    def version(self):
        return next((v for v in self.message.versions.all() if v.language == self.language), None)


class ReviewComment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]


class Delivery(models.Model):
    """One outbox entry: a message to one channel in one language (and batch).

    States: pending -> sending -> delivered | failed | uncertain, with
    pending again after a transient error.  ``uncertain`` means the process
    died after handing the message over and the channel cannot tell whether it
    arrived; a person decides.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        UNCERTAIN = "uncertain", _("Uncertain")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATES = (State.PENDING, State.SENDING)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="deliveries")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="deliveries")
    # A language code, or "" for a delivery that carries every language.
    language = models.CharField(max_length=2, blank=True)
    batch = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING, db_index=True)
    idempotency_key = models.CharField(max_length=80, unique=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    last_error = models.TextField(blank=True)
    recipient_count = models.PositiveIntegerField(default=0)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Reach: when the platform is next asked for this post's figures, how
    # many times it has been asked, and the latest figures (the time series
    # is in DeliveryMetric).
    metrics_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    metrics_rounds = models.PositiveSmallIntegerField(default=0)
    metrics = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["channel_id", "language", "batch"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "channel", "language", "batch"], name="one_delivery_per_batch"
            )
        ]

    def __str__(self):
        return f"{self.channel} {self.language} #{self.batch}"


class Recipient(models.Model):
    """One subscriber in one batch delivery, with its own outcome."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        BOUNCED = "bounced", _("Bounced")
        FAILED = "failed", _("Failed")
        UNCERTAIN = "uncertain", _("Uncertain")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="recipients")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="receipts")
    address = models.CharField(max_length=254)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    external_id = models.CharField(max_length=255, blank=True)
    error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["delivery", "subscriber"], name="one_receipt_per_delivery"),
        ]
        indexes = [models.Index(fields=["delivery", "state"])]


class WorkerHeartbeat(models.Model):
    """Each worker process says it is alive; a silent one's claims are recovered."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)


class DeliveryMetric(models.Model):
    """What one published post had reached at one moment, as the platform counts it.

    A missing figure is None (the platform does not offer it), never 0.
    """

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="metric_points")
    fetched_at = models.DateTimeField(default=timezone.now, db_index=True)
    impressions = models.PositiveBigIntegerField(null=True, blank=True)
    reactions = models.PositiveBigIntegerField(null=True, blank=True)
    comments = models.PositiveBigIntegerField(null=True, blank=True)
    shares = models.PositiveBigIntegerField(null=True, blank=True)
    # Everything the platform returned, under its own names.
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["delivery", "fetched_at"]
