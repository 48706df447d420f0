"""What is wrong with a message, per channel and language, before it goes out."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from kanava.channels.base import Problem
from kanava.core.models import LANGUAGE_NAMES
from kanava.matters.guard import secret_problems
from kanava.publishing.bilingual import bilingual_problems
from kanava.publishing.models import Message


@dataclass
class Report:
    general: list[Problem]
    per_channel: dict[int, list[Problem]]  # channel id -> problems

    @property
    def blocking(self) -> list[Problem]:
        found = [p for p in self.general if p.blocks]
        for problems in self.per_channel.values():
            found += [p for p in problems if p.blocks]
        return found

    @property
    def ok(self) -> bool:
        return not self.blocking


def language_problems(message: Message) -> list[Problem]:
    versions = {v.language: v for v in message.versions.all()}
    problems = []
    for language in message.organisation.required_languages:
        version = versions.get(language)
        if version is None or not version.title.strip() or not version.body.strip():
            problems.append(Problem(
                "language_missing",
                _("A required language version is missing: %(language)s.") % {"language": LANGUAGE_NAMES[language]},
                language=language,
            ))
    return problems


def image_problems(message: Message) -> list[Problem]:
    problems = []
    for number, image in enumerate(message.images.all(), start=1):
        for language in message.languages():
            if not image.alt_text(language).strip():
                problems.append(Problem(
                    "alt_missing",
                    _("Image %(number)s has no alternative text (%(language)s).")
                    % {"number": number, "language": LANGUAGE_NAMES[language]},
                    language=language,
                ))
    return problems


def link_problems(message: Message, check=None) -> list[Problem]:
    """Broken links are warnings: a site may be down for a moment."""
    from kanava.publishing.links import check_links

    problems = []
    for version in message.versions.all():
        for url, error in (check or check_links)(version.body + "\n" + version.plain_body):
            problems.append(Problem(
                "broken_link",
                _("The link %(url)s does not work: %(error)s.") % {"url": url, "error": error},
                severity="warning",
                language=version.language,
            ))
    return problems


def privacy_problems(message: Message) -> list[Problem]:
    """Personal data and sensitive words in the versions block until fixed or confirmed (kanava.privacy)."""
    from kanava.privacy.guard import message_problems

    return message_problems(message)


def check_message(message: Message, with_links: bool = False) -> Report:
    general = (language_problems(message) + image_problems(message) + privacy_problems(message)
               + secret_problems(message))
    general += bilingual_problems(message)
    if with_links:
        general += link_problems(message)
    per_channel: dict[int, list[Problem]] = {}
    for variant in message.variants.select_related("channel").all():
        if variant.channel_id not in {c.id for c in message.channels.all()}:
            continue
        per_channel.setdefault(variant.channel_id, []).extend(variant.channel.adapter.validate(variant))
    return Report(general=general, per_channel=per_channel)
