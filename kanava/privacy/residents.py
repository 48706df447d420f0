"""Residents' public text: personal data masked before it is stored, the moderator and the writer told.

What a resident writes for everyone to read (a hearing comment, an idea, an
opinion-map statement) is passed through :func:`kanava.privacy.actions.mask`
in the participation actions *before* it is stored, so only the masked text
ever exists in the database, the cached pages and the exports.  Identity
codes, phone numbers, email addresses and IBANs become ``[removed]`` in the
text's language; sensitive words stay (see ``actions.MASKED_KINDS``).

- :func:`mask_fields`: the masked texts and the kinds that were masked.
- :func:`record_masked`: one ``privacy.masked`` audit event on the stored
  object with the kinds and field names, never the values.  (No model field
  is needed: the moderation pages read the events, one query a page.)
- :func:`annotate`: sets ``masked_labels`` on each object of a page for the
  moderator's note (``privacy/_masked_note.html``).
- :func:`tell_writer`: the translated notice for the person who wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.utils.translation import gettext as _

from kanava.core.audit import Actor, record
from kanava.privacy.actions import MASKED_KINDS, mask
from kanava.privacy.labels import KIND_LABELS

#: The audit action of a masking; ``data``: ``{"kinds": [...], "fields": [...]}``.
MASKED_ACTION = "privacy.masked"


@dataclass
class Masked:
    """Texts as they are to be stored, and what was taken out of them (kinds in scan order, once each)."""

    texts: dict[str, str]
    kinds: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.kinds)


def mask_fields(language: str, limits: dict[str, int] | None = None, **texts: str) -> Masked:
    """Each text with its personal data replaced by the marker in ``language``.

    ``limits`` gives a field's maximum length (the marker can be longer than
    a short number it replaces); a masked text is cut to it.
    """
    result = Masked(texts={})
    for name, text in texts.items():
        masked, findings = mask(text or "", language or "fi")
        kinds = [finding.kind for finding in findings if finding.kind in MASKED_KINDS]
        if kinds:
            masked = masked[:(limits or {}).get(name, len(masked))]
            result.fields.append(name)
            result.kinds += [kind for kind in dict.fromkeys(kinds) if kind not in result.kinds]
        result.texts[name] = masked
    return result


def mask_text(text: str, language: str) -> str:
    """One text as it is stored (for comparing what is posted again with what was stored)."""
    return mask_fields(language, text=text).texts["text"]


def record_masked(actor: Actor, organisation, obj, masked: Masked) -> None:
    """The audit event the moderator's note is read from: kinds and field names only."""
    if masked:
        record(actor, organisation, MASKED_ACTION, obj, kinds=masked.kinds, fields=masked.fields)


def labels(kinds) -> list[str]:
    return [str(KIND_LABELS.get(kind, kind)) for kind in kinds]


def annotate(objects, organisation) -> list:
    """Set ``masked_labels`` (translated kinds, empty when nothing was masked) on each object; one query."""
    from kanava.core.models import AuditEvent

    objects = list(objects)
    for obj in objects:
        obj.masked_labels = []
    if not objects:
        return objects
    by_pk = {str(obj.pk): obj for obj in objects}
    events = AuditEvent.objects.filter(
        organisation=organisation, action=MASKED_ACTION, object_type=objects[0]._meta.label_lower,
        object_id__in=list(by_pk)).values_list("object_id", "data")
    for object_id, data in events:
        obj = by_pk[object_id]
        for label in labels((data or {}).get("kinds", [])):
            if label not in obj.masked_labels:
                obj.masked_labels.append(label)
    return objects


def tell_writer(request, kinds) -> None:
    """Tell whoever wrote the text (a resident, or staff recording one) what was removed from it."""
    if kinds:
        messages.info(request, _("Personal data was removed from the text before it was published: %(kinds)s. "
                                 "The rest of the text is as it was written.") % {"kinds": ", ".join(labels(kinds))})
