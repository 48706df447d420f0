"""Rumours during an incident, answered from the inbox's claims register (issue 8, part 2).

A crisis breeds rumours ("the tap water is safe again", "the school is being
evacuated").  The claims register (:mod:`kanava.inbox.claims`) already holds
claims with a verdict and a factual answer per language, matches resident
messages to them and publishes them on ``/<lang>/facts/``.  Here an incident
links to its claims: the playbook's prepared claims are linked when crisis
mode opens (:func:`kanava.crisis.activation.link_prepared_claims`), staff link
others or record a new rumour from the incident page, and the published ones
are shown on the crisis page next to the updates.  Every step is on the
incident's timeline and in the audit log; the claim itself is written and
published by the claims register's own actions (their rules and audit).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kanava.core.audit import Actor, record
from kanava.crisis import actions
from kanava.crisis.models import Incident, IncidentEvent
from kanava.inbox import claims as register
from kanava.inbox.models import Claim

Kind = IncidentEvent.Kind


@dataclass
class RumourRow:
    claim: Claim
    matched: int  # resident conversations the inbox matched to the claim
    missing: list[str]  # what publishing still needs


def _require_editor(actor: Actor, incident: Incident) -> None:
    if actor.person is None or not register.may_edit(actor.person, incident.organisation):
        raise PermissionDenied(_("Only communications leads may change the claims register."))


def _own(incident: Incident, claim: Claim) -> None:
    if claim.organisation_id != incident.organisation_id:
        raise PermissionDenied


def _now():
    return timezone.now().replace(microsecond=0)


def _label(claim: Claim) -> str:
    return claim.statement_in(claim.organisation.majority_language)[:200]


@transaction.atomic
def link(actor: Actor, incident: Incident, claim: Claim) -> None:
    """Link a claim of the register to the incident (a published one shows on the crisis page at once)."""
    _require_editor(actor, incident)
    _own(incident, claim)
    if incident.claims.filter(pk=claim.pk).exists():
        return
    incident.claims.add(claim)
    actions._event(incident, actor, Kind.NOTE, _now(), _("Rumour linked: %(claim)s") % {"claim": _label(claim)},
                   data={"claim": claim.pk})
    record(actor, incident.organisation, "crisis.claim_linked", incident, claim=claim.pk)
    actions._bump_site(incident.organisation)


@transaction.atomic
def unlink(actor: Actor, incident: Incident, claim: Claim) -> None:
    _require_editor(actor, incident)
    _own(incident, claim)
    if not incident.claims.filter(pk=claim.pk).exists():
        return
    incident.claims.remove(claim)
    actions._event(incident, actor, Kind.NOTE, _now(), _("Rumour unlinked: %(claim)s") % {"claim": _label(claim)},
                   data={"claim": claim.pk, "unlinked": True})
    record(actor, incident.organisation, "crisis.claim_unlinked", incident, claim=claim.pk)
    actions._bump_site(incident.organisation)


@transaction.atomic
def record_rumour(actor: Actor, incident: Incident, *, statement: dict, answer: dict, verdict: str,
                  sources: str = "", publish: bool = False) -> Claim:
    """A new rumour met during the incident: a claim in the register, linked, and published if asked
    (the facts checked today).  ValidationError names the fields at fault, as the register's own form."""
    _require_editor(actor, incident)
    if not incident.is_active:
        raise ValidationError(_("The incident is closed."))
    claim = register.do_save_claim(actor, incident.organisation, statement=statement, answer=answer,
                                   verdict=verdict, sources=sources, checked_on=timezone.localdate())
    if publish:
        register.do_publish_claim(actor, claim)
    incident.claims.add(claim)
    text = (_("Rumour recorded and its answer published: %(claim)s") if publish else
            _("Rumour recorded: %(claim)s")) % {"claim": _label(claim)}
    actions._event(incident, actor, Kind.NOTE, _now(), text, data={"claim": claim.pk, "published": publish})
    record(actor, incident.organisation, "crisis.rumour_recorded", incident, claim=claim.pk, published=publish)
    actions._bump_site(incident.organisation)
    return claim


@transaction.atomic
def publish(actor: Actor, incident: Incident, claim: Claim) -> Claim:
    """Publish a linked claim's answer (on the facts page and the crisis page); the register's rules apply."""
    _require_editor(actor, incident)
    _own(incident, claim)
    if not incident.claims.filter(pk=claim.pk).exists():
        raise ValidationError(_("The rumour is not linked to this incident."))
    was = claim.published
    register.do_publish_claim(actor, claim)
    if not was:
        actions._event(incident, actor, Kind.NOTE, _now(), _("Answer to a rumour published: %(claim)s")
                       % {"claim": _label(claim)}, data={"claim": claim.pk, "published": True})
        record(actor, incident.organisation, "crisis.claim_published", incident, claim=claim.pk)
    return claim


def rows(incident: Incident) -> list[RumourRow]:
    """The incident's rumours for its staff page, with how many resident messages matched each."""
    return [RumourRow(claim, register.matched_conversations(claim).count(), register.missing_for_publishing(claim))
            for claim in incident.claims.select_related("organisation").order_by("-updated_at", "-pk")]


def linkable(incident: Incident):
    """Claims of the register that are not linked yet (for the link form)."""
    return register.claims_of(incident.organisation).exclude(pk__in=incident.claims.values("pk")).order_by("slug")


def public_claims(incidents: list[Incident]) -> list[Claim]:
    """Published claims of the active incidents, for the crisis page (each once)."""
    if not incidents:
        return []
    return list(Claim.objects.filter(incidents__in=incidents, published=True).distinct()
                .select_related("organisation").order_by("-checked_on", "-updated_at", "-pk")[:10])
