"""The check panel: per channel and language, how long and what is wrong.

For a saved message :func:`panel_for` reads it as it is.  For what is being
typed :func:`panel_for_typed` applies the form to the message inside a
transaction that is always rolled back (a dry run): the checks then run on
exactly the objects publishing would use, the actions' own rules included,
and nothing typed is stored or lost.  Link checks reach out over the network,
so they run after the rollback, never while the transaction holds the
database.
"""

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db import transaction

from kanava.channels.base import Length, Problem
from kanava.core.models import LANGUAGE_NAMES
from kanava.publishing import actions
from kanava.publishing.checks import check_message, link_problems
from kanava.publishing.models import Message, MessageVersion
from kanava.publishing.views_common import ACTION_ERRORS, actor, error_text


@dataclass
class Post:
    """One post as it goes out on a social platform (a thread has several), with its length."""

    number: int
    text: str
    length: Length


@dataclass
class VariantCheck:
    channel: Any
    language: str
    variant_id: int | None
    edited: bool
    length: Length | None
    problems: list[Problem]
    estimate: Any = None
    title: str = ""
    text: str = ""
    # Social platforms: the posts as they go out (one, or a thread the editor chose) ...
    social: bool = False
    posts: list[Post] = field(default_factory=list)
    thread: bool = False  # the editor chose a thread
    can_thread: bool = False  # the platform has threads
    # ... and, when the text is too long and nothing is chosen yet, what each choice would give.
    too_long: bool = False
    auto_shortened: bool = False  # the derived text was shortened; a thread of the whole text is offered
    thread_preview: list[str] = field(default_factory=list)
    shortened: str = ""

    @property
    def language_name(self) -> str:
        return str(LANGUAGE_NAMES.get(self.language, self.language))

    @property
    def thread_parts(self) -> list[Post]:
        """The parts of a thread the editor chose; empty when it goes out as one post."""
        return self.posts if len(self.posts) > 1 else []

    @property
    def thread_count(self) -> int:
        return len(self.thread_preview)

    @property
    def has_errors(self) -> bool:
        over = bool(self.length and self.length.over) and not self.thread_parts
        return any(p.blocks for p in self.problems) or over


@dataclass
class ChannelCheck:
    channel: Any
    label: str
    problems: list[Problem]
    variants: list[VariantCheck]


@dataclass
class Panel:
    general: list[Problem] = field(default_factory=list)
    links: list[Problem] = field(default_factory=list)
    channels: list[ChannelCheck] = field(default_factory=list)
    refused: str = ""  # the action refused the typed data (shown instead of checks)

    def _all(self) -> list[Problem]:
        found = self.general + self.links
        for channel in self.channels:
            found += channel.problems
            for variant in channel.variants:
                found += variant.problems
        return found

    @property
    def error_count(self) -> int:
        return sum(1 for p in self._all() if p.blocks)

    @property
    def warning_count(self) -> int:
        return sum(1 for p in self._all() if p.severity == "warning")


class _Rollback(Exception):
    def __init__(self, panel: Panel):
        self.panel = panel


def _recipients(adapter, variant) -> int:
    from kanava.publishing.outbox import subscribers_for

    kind = getattr(adapter, "subscriber_kind", None)
    return subscribers_for(variant.message, kind, variant.language).count() if kind else 0


def panel_for(message: Message, with_links: bool = False) -> Panel:
    """Checks of a message as stored: problems from ``check_message`` plus lengths and estimates."""
    report = check_message(message)
    variants = list(message.variants.select_related("channel").order_by("channel__name", "channel_id", "language"))
    chosen = {c.pk for c in message.channels.all()}
    panel = Panel(general=list(report.general))
    by_channel: dict[int, ChannelCheck] = {}
    adapters: dict[int, Any] = {}
    for variant in variants:
        if variant.channel_id not in chosen:
            continue
        channel = variant.channel
        adapter = adapters.setdefault(channel.pk, channel.adapter)
        problems = report.per_channel.get(channel.pk, [])
        if channel.pk not in by_channel:
            by_channel[channel.pk] = ChannelCheck(
                channel=channel, label=str(channel.manifest.label),
                problems=[p for p in problems if not p.language], variants=[])
        check = VariantCheck(channel=channel, language=variant.language, variant_id=variant.pk,
                             edited=variant.edited, length=adapter.length(variant),
                             problems=[p for p in problems if p.language == variant.language],
                             title=variant.title, text=variant.text)
        if hasattr(adapter, "estimate"):
            check.estimate = adapter.estimate(variant, _recipients(adapter, variant))
        variant.message = message
        add_social_choices(check, adapter, variant)
        by_channel[channel.pk].variants.append(check)
    panel.channels = list(by_channel.values())
    if with_links:
        panel.links = link_problems(message)
    return panel


def _apply_form(request, form, message: Message | None) -> Message:
    """Write the form into the database as the save would (inside the dry run)."""
    who = actor(request)
    versions = form.lenient_versions()
    topic, voice, channels = form.choice("topic"), form.choice("voice"), list(form.choice("channels") or [])
    if message is None:
        return actions.do_create_message(who, request.organisation, versions=versions, topic=topic,
                                         voice=voice, channels=channels)
    message = Message.objects.select_related("organisation").get(pk=message.pk)
    same_voice = (voice.pk if voice else None) == message.voice_id
    actions.do_update_message(who, message, versions=versions, topic=topic,
                              voice=False if same_voice else voice, channels=channels)
    removed = set()
    if hasattr(form, "cleaned_data"):
        removed = {image.pk for image in form.removed_images()}
    for image in message.images.all():
        if image.pk in removed:
            actions.do_remove_image(who, image)
        else:
            actions.do_set_image_alt(who, image, form.alt_texts(image))
    return message


def panel_for_typed(request, form, message: Message | None = None, with_links: bool = True) -> Panel:
    """Checks of what is typed in the editor; nothing is stored."""
    try:
        with transaction.atomic():
            draft = _apply_form(request, form, message)
            raise _Rollback(panel_for(draft))
    except _Rollback as done:
        panel = done.panel
    except ACTION_ERRORS as error:
        return Panel(refused=error_text(error))
    for problem in panel.general:
        # What is typed is not stored: a finding in it is confirmed on the saved message's page.
        if hasattr(problem, "confirm_url"):
            problem.confirm_url = ""
    if with_links:
        panel.links = typed_link_problems(form)
    return panel


def typed_link_problems(form) -> list[Problem]:
    """Broken links in the typed texts, as ``checks.link_problems`` reports them."""
    versions = [MessageVersion(language=language, title=fields["title"], body=fields["body"],
                               plain_body=fields["plain_body"])
                for language, fields in form.lenient_versions().items() if fields["body"] or fields["plain_body"]]
    # link_problems reads message.versions.all(); a stand-in spares a database round.
    stand_in = SimpleNamespace(versions=SimpleNamespace(all=lambda: versions))
    return link_problems(stand_in)


def variant_checks(variant) -> VariantCheck:
    """Length, problems and estimate of one (possibly unsaved) variant."""
    adapter = variant.channel.adapter
    check = VariantCheck(channel=variant.channel, language=variant.language, variant_id=variant.pk,
                         edited=variant.edited, length=adapter.length(variant),
                         problems=list(adapter.validate(variant)), title=variant.title, text=variant.text)
    if hasattr(adapter, "estimate"):
        check.estimate = adapter.estimate(variant, _recipients(adapter, variant))
    add_social_choices(check, adapter, variant)
    return check


# -- too long for a social platform: a thread, or a shortened version with a link ----------

def add_social_choices(check: VariantCheck, adapter, variant) -> None:
    """Fill in the posts as they go out and, for too-long text, what each choice would give.

    Nothing is ever cut behind the editor's back: the adapter's "too_long"
    problem blocks publishing until the editor picks a thread (platforms with
    threads) or the shortened version with a link.
    """
    from kanava.channels.social import text as social_text
    from kanava.channels.social.adapter import SocialAdapter

    if not isinstance(adapter, SocialAdapter):
        return
    check.social, check.can_thread, check.thread = True, adapter.threads, bool(variant.thread)
    limit = adapter.limit()
    check.posts = [Post(number, text, Length(used=adapter.count(text), limit=limit, unit=adapter.unit))
                   for number, text in enumerate(adapter.parts(variant), start=1)]
    check.too_long = any(p.code == "too_long" for p in check.problems)
    check.auto_shortened = adapter.threads and any(p.code == "shortened" for p in check.problems)
    if check.too_long:
        if adapter.threads:
            check.thread_preview = social_text.split_thread(variant.text, limit, adapter.count)
        check.shortened = shortened_text(adapter, variant, variant.text)
    elif check.auto_shortened:  # offer the whole derived text as a thread
        full = adapter.full_text(variant.message, variant.version)
        check.thread_preview = social_text.split_thread(full, limit, adapter.count)


def shortened_text(adapter, variant, text: str) -> str:
    """``text`` cut after a whole word to fit the platform, ending with a link to the whole message."""
    from kanava.channels.social import text as social_text

    link = adapter.link_for(variant.message, variant.language)
    return social_text.shorten_with_link(text, adapter.limit(), link, adapter.count)

