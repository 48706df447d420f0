"""The inbox: every conversation residents start, on every channel, until it is answered.

A **Conversation** is one thread: the comments under one of our posts by one
resident, a direct-message thread, an email thread, a call the service desk
wrote down.  Its **Items** are what was said, in order: what residents wrote
(``in``), what we answered (``out``, sent through the channel it came from,
signed by a person) and staff notes (``note``, never sent).

Moderation (**Rule**, **ModerationDecision**, **Appeal**) happens under the
discussion rules the organisation publishes; the **Claim** register holds
prepared factual answers to rumours; **KnowledgeEntry** holds FAQ entries and
earlier good answers; **Correction** is what moderators taught the classifier.
"""

from __future__ import annotations

from datetime import time

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanava.channels.models import Channel
from kanava.core.models import Organisation, Person, Topic


class Source(models.TextChoices):
    """Where an item came from: a channel kind, or a way residents reach us without one."""

    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    X = "x", "X"
    LINKEDIN = "linkedin", "LinkedIn"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    WEB = "web", _("Our website")
    PHONE = "phone", _("Phone call")
    PAPER = "paper", _("Letter or paper form")
    DESK = "desk", _("Service desk")


#: Sources staff record by hand (phone calls, paper, the service desk).
RECORDED_SOURCES = (Source.PHONE, Source.PAPER, Source.DESK)


class Kind(models.TextChoices):
    """What an incoming item is, as the classifier (or a moderator) says."""

    QUESTION = "question", _("Question")
    FEEDBACK = "feedback", _("Feedback")
    COMPLAINT = "complaint", _("Complaint")
    CLAIM = "claim", _("Claim or rumour")
    ATTACK = "attack", _("Personal attack or harassment")
    THREAT = "threat", _("Threat")
    SPAM = "spam", _("Spam")


#: Kinds whose text is blurred until a moderator chooses to read it.
ABUSIVE_KINDS = (Kind.ATTACK, Kind.THREAT)


class Status(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting for the resident")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.WAITING)


class ResponseTargets(models.Model):
    """How soon the organisation promises to answer, in working days (accessibility feedback by law: 14 days)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="response_targets")
    question_days = models.PositiveSmallIntegerField(_("questions (working days)"), default=3)
    feedback_days = models.PositiveSmallIntegerField(_("feedback (working days)"), default=5)
    complaint_days = models.PositiveSmallIntegerField(_("complaints (working days)"), default=10)
    other_days = models.PositiveSmallIntegerField(_("everything else (working days)"), default=5)
    # Remind the owner (or the lead, when there is none) this many working hours before the due time.
    remind_hours = models.PositiveSmallIntegerField(_("remind this many working hours before"), default=8)
    workday_start = models.TimeField(default=time(8, 0))
    workday_end = models.TimeField(default=time(16, 0))


class Conversation(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="conversations")
    source = models.CharField(max_length=16, choices=Source.choices)
    channel = models.ForeignKey(Channel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The platform's id of what holds the thread together (our post's id, a
    # direct-message thread, the first email's Message-ID); "" for recorded items.
    thread_key = models.CharField(max_length=255, blank=True)
    # One resident's thread under a post: the platform's id of the resident (or their email address).
    party_key = models.CharField(max_length=255, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    # Our published post this conversation is under, when there is one.
    delivery = models.ForeignKey("publishing.Delivery", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    resident_name = models.CharField(max_length=200, blank=True)
    resident_address = models.CharField(max_length=320, blank=True)  # email address or platform handle
    language = models.CharField(max_length=2, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, blank=True)
    topic = models.ForeignKey(Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    accessibility = models.BooleanField(default=False)  # accessibility feedback: answered within 14 days by law
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    owner = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    due_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)
    claim = models.ForeignKey("Claim", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Abuse aimed at a named employee: the lead sees it first.
    staff_target = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    item_count = models.PositiveIntegerField(default=0)
    first_received_at = models.DateTimeField(default=timezone.now)
    last_received_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_received_at"]
        indexes = [
            models.Index(fields=["organisation", "-last_received_at"]),
            models.Index(fields=["organisation", "status", "due_at"]),
            models.Index(fields=["organisation", "owner", "status"]),
        ]

    def __str__(self):
        return self.subject or f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def staff_url(self) -> str:
        """The conversation's staff page (for alerts and reminders); "" where the pages are not mounted."""
        from django.urls import NoReverseMatch, reverse

        try:
            return reverse("inbox:conversation", kwargs={"org": self.organisation.slug, "pk": self.pk})
        except NoReverseMatch:
            return ""


class Item(models.Model):
    class Direction(models.TextChoices):
        IN = "in", _("From a resident")
        OUT = "out", _("Our answer")
        NOTE = "note", _("Internal note")

    class SendState(models.TextChoices):
        """Our answers go out through the channel they answer; a crash neither loses nor repeats one."""

        NONE = "", ""
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNCERTAIN = "uncertain", _("Uncertain")

    class Visibility(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HIDDEN = "hidden", _("Hidden")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="items")
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.IN)
    source = models.CharField(max_length=16, choices=Source.choices)
    channel = models.ForeignKey(Channel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The platform's id (or the email's Message-ID): the same item arriving twice is stored once.
    external_id = models.CharField(max_length=255, blank=True)
    parent_external_id = models.CharField(max_length=255, blank=True)
    # What the platform called it (comment, mention, direct) and what answering it needs (Bluesky's uri/cid...).
    platform_kind = models.CharField(max_length=16, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=1000, blank=True)
    author_name = models.CharField(max_length=200, blank=True)
    author_handle = models.CharField(max_length=320, blank=True)
    author_id = models.CharField(max_length=255, blank=True)  # the platform's id, for ban and block
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)  # as received; always shown escaped
    received_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    # Classification of incoming items.
    language = models.CharField(max_length=2, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    scores = models.JSONField(default=dict, blank=True)
    kind_set_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    claim = models.ForeignKey("Claim", on_delete=models.SET_NULL, null=True, blank=True, related_name="items")
    claim_score = models.FloatField(null=True, blank=True)
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.VISIBLE)
    # Our answers: who wrote it, the account it goes out from, and its way out.
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    signature = models.CharField(max_length=200, blank=True)
    send_state = models.CharField(max_length=12, choices=SendState.choices, blank=True, default="")
    idempotency_key = models.CharField(max_length=80, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    good_answer = models.BooleanField(default=False)  # offered again as an example answer

    class Meta:
        ordering = ["received_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "source", "external_id"], name="unique_item_external",
                                    condition=~models.Q(external_id="")),
        ]
        indexes = [
            models.Index(fields=["send_state", "next_attempt_at"]),
            models.Index(fields=["organisation", "source", "parent_external_id"]),
        ]

    def __str__(self):
        return self.text[:60]

    @property
    def abusive(self) -> bool:
        return self.kind in ABUSIVE_KINDS


class Rule(models.Model):
    """One of the organisation's published discussion rules; a moderation decision cites one."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="discussion_rules")
    number = models.PositiveSmallIntegerField()
    title = models.JSONField(default=dict)  # per language
    text = models.JSONField(default=dict)  # per language
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["organisation", "number"]
        constraints = [models.UniqueConstraint(fields=["organisation", "number"], name="unique_rule_number")]

    def __str__(self):
        return f"{self.number}. {self.title_in()}"

    def title_in(self, language: str | None = None) -> str:
        from kanava.core.models import in_language

        return in_language(self.title, language, self.organisation)

    def text_in(self, language: str | None = None) -> str:
        from kanava.core.models import in_language

        return in_language(self.text, language, self.organisation)


class ModerationDecision(models.Model):
    class Action(models.TextChoices):
        HIDE = "hide", _("Hide")
        RESTORE = "restore", _("Restore")
        REPORT = "report", _("Report to the platform")
        BAN = "ban", _("Ban from the page")
        BLOCK = "block", _("Block the account")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(max_length=8, choices=Action.choices)
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.TextField()
    decided_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    # What the platform said (done, not offered by the platform, failed).
    platform_result = models.CharField(max_length=16, blank=True)
    platform_error = models.TextField(blank=True)
    # The resident appeals with this token (its hash is kept; the token is in the notice they get).
    appeal_token_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["-decided_at"]
        indexes = [models.Index(fields=["organisation", "-decided_at"])]


class Appeal(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        UPHELD = "upheld", _("Decision upheld")
        REVERSED = "reversed", _("Decision reversed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    decision = models.ForeignKey(ModerationDecision, on_delete=models.CASCADE, related_name="appeals")
    text = models.TextField()
    contact = models.CharField(max_length=320, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    answer = models.TextField(blank=True)
    decided_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]


class Claim(models.Model):
    """A rumour or recurring misunderstanding, with a prepared factual answer per language."""

    class Verdict(models.TextChoices):
        FALSE = "false", _("False")
        MISLEADING = "misleading", _("Misleading")
        CORRECT = "correct", _("Correct")
        UNCLEAR = "unclear", _("Unclear")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="claims")
    slug = models.SlugField(max_length=80)
    statement = models.JSONField(default=dict)  # the claim as people put it, per language
    phrasings = models.TextField(blank=True)  # other ways people say it, one per line, any language
    verdict = models.CharField(max_length=12, choices=Verdict.choices, default=Verdict.UNCLEAR)
    answer = models.JSONField(default=dict)  # a short factual answer per language
    sources = models.TextField(blank=True)  # one per line: a title and/or an address
    checked_on = models.DateField(null=True, blank=True)
    published = models.BooleanField(default=False)
    topic = models.ForeignKey(Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["organisation", "slug"], name="unique_claim_slug")]

    def __str__(self):
        return self.statement_in()

    def statement_in(self, language: str | None = None) -> str:
        from kanava.core.models import in_language

        return in_language(self.statement, language, self.organisation)

    def answer_in(self, language: str | None = None) -> str:
        from kanava.core.models import in_language

        return in_language(self.answer, language, self.organisation)


class KnowledgeEntry(models.Model):
    """An FAQ entry or an earlier good answer, offered while someone writes a reply."""

    class Kind(models.TextChoices):
        FAQ = "faq", _("Frequently asked question")
        ANSWER = "answer", _("Earlier good answer")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="knowledge")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.FAQ)
    language = models.CharField(max_length=2)
    question = models.TextField()
    answer = models.TextField()
    item = models.ForeignKey(Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class Correction(models.Model):
    """A moderator's label for an item's text: what the organisation's classifier learns from."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    text = models.TextField()
    language = models.CharField(max_length=2, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]


class IntakeCursor(models.Model):
    """How far polling a channel has read, so a restart neither misses nor repeats anything."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="intake_cursor")
    since = models.DateTimeField(null=True, blank=True)
    state = models.JSONField(default=dict, blank=True)  # platform cursors (since_id, notification cursor...)
    polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
