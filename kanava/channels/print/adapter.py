"""The print channel: a printable A4 bulletin for notice boards and for post.

One delivery carries every language of the message (Finnish and Swedish side
by side for bilingual organisations).  Publishing renders the PDFs, stores
them through Django's default storage and records a :class:`Bulletin` keyed
by the delivery, so a re-run or a crash never makes two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from kanava.channels.base import Adapter, ChannelError, Config, Draft, Problem, PublishResult
from kanava.channels.print.models import Bulletin
from kanava.channels.print.render import Text, render, side_by_side

# Capacity of an A4 page at 11 pt, calibrated by rendering Finnish news text
# of 750-15,000 characters (tests/test_validate.py checks it still holds); a
# half-width column holds about half.
CHARS_PER_PAGE = 3800
CHARS_PER_COLUMN_PAGE = 1980
# The masthead, title and QR code take about this share of the first page;
# each image (at most 110 mm high, with its caption) a bit under half a page.
FIXED_SHARE = 0.3
IMAGE_SHARE = 0.45


@dataclass
class PrintConfig(Config):
    large_print: bool = True
    max_pages: int = 2

    def __post_init__(self):
        self.large_print = _as_bool(self.large_print)
        try:
            self.max_pages = max(1, int(self.max_pages))
        except (TypeError, ValueError):
            self.max_pages = 2


def _as_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


class PrintAdapter(Adapter):
    kind = "print"
    per_language = False
    config_class = PrintConfig

    @classmethod
    def warm_up(cls) -> None:
        """WeasyPrint's import and first layout (fonts) take over a second: do them before any delivery."""
        from weasyprint import HTML

        HTML(string="<p>Kanava</p>").write_pdf()

    def derive(self, message, version) -> Draft:
        return Draft(title=version.title, text=version.body)

    def validate(self, variant) -> list[Problem]:
        problems = super().validate(variant)
        pages = estimate_pages(variant)
        if pages > self.config.max_pages:
            problems.append(Problem(
                "too_many_pages",
                _("The printed bulletin would take about %(pages)s pages; %(channel)s allows %(limit)s. "
                  "Shorten the text or remove images.")
                % {"pages": pages, "channel": self.channel.name, "limit": self.config.max_pages},
                severity="warning",
                language=variant.language,
            ))
        return problems

    def publish(self, delivery, variants, idempotency_key) -> PublishResult:
        existing = Bulletin.objects.filter(delivery=delivery).first()
        if existing:
            return self._result(existing)
        message = delivery.message
        texts = texts_from_variants(variants)
        if not texts:
            raise ChannelError(_("The message has no text to print."), permanent=True)
        standard = render(message, texts=texts)
        large = render(message, texts=texts, large_print=True) if self.config.large_print else None
        bulletin = Bulletin(organisation=delivery.organisation, message=message, delivery=delivery,
                            languages=list(texts), pages=standard.pages,
                            large_print_pages=large.pages if large else None)
        # Files are written before the row: a crash in between leaves an
        # orphan file, never a second bulletin.
        name = f"bulletin-{message.pk}-{delivery.pk}"
        bulletin.file.save(f"{name}.pdf", ContentFile(standard.pdf), save=False)
        if large:
            bulletin.large_print_file.save(f"{name}-large.pdf", ContentFile(large.pdf), save=False)
        with transaction.atomic():
            saved, created = Bulletin.objects.get_or_create(delivery=delivery, defaults=dict(
                organisation=bulletin.organisation, message=message, languages=bulletin.languages,
                file=bulletin.file.name, pages=bulletin.pages, large_print_file=bulletin.large_print_file.name or "",
                large_print_pages=bulletin.large_print_pages,
            ))
        if not created:
            _delete_files(bulletin)
        return self._result(saved)

    def lookup(self, delivery, idempotency_key) -> PublishResult | None:
        bulletin = Bulletin.objects.filter(delivery=delivery).first()
        return self._result(bulletin) if bulletin else None

    def _result(self, bulletin: Bulletin) -> PublishResult:
        from kanava.channels.print.links import download_url

        return PublishResult(
            external_id=str(bulletin.pk),
            url=download_url(bulletin),
            detail={
                "pages": bulletin.pages,
                "large_print_pages": bulletin.large_print_pages,
                "languages": bulletin.languages,
                "large_print_url": download_url(bulletin, large=True) if bulletin.large_print_file else "",
            },
        )


def texts_from_variants(variants) -> dict[str, Text]:
    """The print variants as bulletin texts, by language."""
    texts = {}
    for language, variant in variants.items():
        version = variant.version
        texts[language] = Text(title=variant.title, body=variant.text, summary=version.summary if version else "")
    return texts


def estimate_pages(variant) -> int:
    """How many A4 pages the variant's language takes, estimated from its length.

    Rendering on every keystroke would be too slow, so the estimate counts
    characters; for a bilingual organisation each language fills a half-width
    column and the bulletin is as long as its longest language.
    """
    message = variant.message
    organisation = message.organisation
    columns = side_by_side(organisation, message.languages(), large_print=False)
    capacity = CHARS_PER_COLUMN_PAGE if columns else CHARS_PER_PAGE
    version = variant.version
    chars = len(variant.title) + len(variant.text or "") + len(version.summary if version else "")
    share = FIXED_SHARE + chars / capacity + IMAGE_SHARE * message.images.count()
    return max(1, math.ceil(share))


def _delete_files(bulletin: Bulletin) -> None:
    for field in (bulletin.file, bulletin.large_print_file):
        if field:
            field.storage.delete(field.name)
