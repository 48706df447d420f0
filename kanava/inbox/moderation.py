"""Moderation under published rules: the rules, the decisions, the appeals.

A public authority moderates fairly only when it can show under which rule
and why: every decision cites one of the organisation's published discussion
rules and a reason, is a :class:`ModerationDecision` row and an audit event,
and can be appealed by the person it concerns.  The anonymised record of all
decisions is published on the resident site (:mod:`kanava.inbox.views_public`).

Actions raise Django's ``PermissionDenied`` when the person may not act and
``ValidationError`` (a dict by form field where it is about one) with a
translated message when what was asked cannot be done.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from kanava.channels.base import ChannelError, Incoming, ModerationUnsupported
from kanava.core.access import can, roles_in
from kanava.core.audit import Actor, record
from kanava.core.models import LANGUAGE_CODES, Membership, Organisation
from kanava.core.roles import CAPABILITIES, Cap, Role
from kanava.inbox.models import Appeal, Conversation, Item, ModerationDecision, Rule, Source

logger = logging.getLogger("kanava.inbox.moderation")

Action = ModerationDecision.Action
#: Decisions against what a resident wrote: the writer is told and may appeal.
APPEALABLE = (Action.HIDE, Action.REPORT, Action.BAN, Action.BLOCK)
#: Sources where the resident left an email address we can send the notice to.
EMAIL_SOURCES = (Source.EMAIL, Source.WEB)
MAX_REASON = 2_000
MAX_APPEAL = 5_000
MAX_ANSWER = 5_000
MAX_RULE_TITLE = 200
MAX_RULE_TEXT = 5_000


class PlatformResult:
    """What the platform did with a decision (``ModerationDecision.platform_result``)."""

    DONE = "done"  # the platform (or our own site) did it
    NOT_OFFERED = "not_offered"  # the platform offers no such thing through its API: recorded in Kanava only
    FAILED = "failed"  # the platform answered with an error (``platform_error``); it can be tried again


def hash_token(token: str) -> str:
    """Appeal tokens are stored only as their SHA-256: a database leak reveals no appeal link."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _site_changed(organisation: Organisation) -> None:
    """The public rules and log changed: cached resident pages of the organisation are not read again."""
    Organisation.objects.filter(pk=organisation.pk).update(site_version=F("site_version") + 1)


def _require(actor: Actor, organisation: Organisation, cap: str) -> None:
    if not can(actor.person, organisation, cap):
        raise PermissionDenied(_("You are not allowed to do this."))


# -- staff protection ------------------------------------------------------------------

LEAD_ROLES = (Role.LEAD, Role.ADMIN)


def visible_to(person, organisation: Organisation, conversation: Conversation) -> bool:
    """Whether ``person`` may see ``conversation`` (and moderate what is in it).

    Abuse aimed at a named employee (``Conversation.staff_target``, set by
    :func:`kanava.inbox.intake.protect_staff`) is the lead's to handle: the
    targeted employee does not have to read abuse about themselves, unless
    they are a lead or administrator, who handle it anyway.  Nobody sees
    another organisation's conversations.
    """
    if conversation.organisation_id != organisation.pk:
        return False
    roles = roles_in(person, organisation)
    if not roles:
        return False
    if conversation.staff_target_id is not None and conversation.staff_target_id == person.pk:
        return bool(roles & set(LEAD_ROLES))
    return True


def visible_filter(person, organisation: Organisation) -> Q:
    """The same rule as :func:`visible_to` for a queryset of the organisation's conversations.

    ``Conversation.objects.filter(organisation=org).filter(visible_filter(person, org))``;
    prefix the lookups yourself for items (``conversation__staff_target``) if needed.
    """
    if roles_in(person, organisation) & set(LEAD_ROLES):
        return Q()
    return Q(staff_target__isnull=True) | ~Q(staff_target=person.pk)


# -- discussion rules ---------------------------------------------------------------------

def _rule_texts(organisation: Organisation, title: dict, text: dict) -> tuple[dict, dict]:
    """Titles and texts per language, stripped; the organisation's required languages must be there."""
    title = {code: (title.get(code) or "").strip() for code in LANGUAGE_CODES}
    text = {code: (text.get(code) or "").strip() for code in LANGUAGE_CODES}
    errors = {}
    for code in organisation.required_languages:
        if not title.get(code):
            errors[f"title_{code}"] = _("Write the title in this language: the organisation publishes in it.")
        if not text.get(code):
            errors[f"text_{code}"] = _("Write the rule in this language: the organisation publishes in it.")
    for code in LANGUAGE_CODES:
        if len(title[code]) > MAX_RULE_TITLE:
            errors[f"title_{code}"] = _("The title is too long.")
        if len(text[code]) > MAX_RULE_TEXT:
            errors[f"text_{code}"] = _("The rule is too long.")
    if errors:
        raise ValidationError(errors)
    return {k: v for k, v in title.items() if v}, {k: v for k, v in text.items() if v}


def rule_is_cited(rule: Rule) -> bool:
    return ModerationDecision.objects.filter(rule=rule).exists()


def do_save_rule(actor: Actor, organisation: Organisation, *, number: int, title: dict, text: dict,
                 rule: Rule | None = None) -> Rule:
    """Create a rule, or change ``rule``; the public rules page shows it at once.

    A rule that decisions cite keeps its number (the log refers to it by
    number); its wording may be corrected, and the audit event keeps the
    earlier wording.
    """
    _require(actor, organisation, Cap.MANAGE_PEOPLE)
    if rule is not None and rule.organisation_id != organisation.pk:
        raise PermissionDenied(_("You are not allowed to do this."))
    title, text = _rule_texts(organisation, title, text)
    if not number or number < 1:
        raise ValidationError({"number": _("Give the rule a number: 1, 2, 3…")})
    taken = Rule.objects.filter(organisation=organisation, number=number)
    if rule is not None:
        taken = taken.exclude(pk=rule.pk)
    if taken.exists():
        raise ValidationError({"number": _("Another rule already has this number.")})
    with transaction.atomic():
        if rule is None:
            rule = Rule.objects.create(organisation=organisation, number=number, title=title, text=text)
            record(actor, organisation, "rule.created", rule, number=number, title=title, text=text)
        else:
            rule = Rule.objects.select_for_update().get(pk=rule.pk)
            if number != rule.number and rule_is_cited(rule):
                raise ValidationError({"number": _("Decisions cite this rule by its number: it cannot change.")})
            before = {"number": rule.number, "title": rule.title, "text": rule.text}
            rule.number, rule.title, rule.text = number, title, text
            rule.save(update_fields=["number", "title", "text"])
            record(actor, organisation, "rule.changed", rule, number=number, title=title, text=text, before=before)
        _site_changed(organisation)
    return rule


def do_retire_rule(actor: Actor, rule: Rule) -> Rule:
    """Take a rule off the public page and out of new decisions; decisions that cite it keep it.

    Rules are never deleted: the moderation log must always be able to say
    which rule a decision was made under.
    """
    return _set_active(actor, rule, False, "rule.retired")


def do_reinstate_rule(actor: Actor, rule: Rule) -> Rule:
    """Publish a retired rule again."""
    return _set_active(actor, rule, True, "rule.reinstated")


def _set_active(actor: Actor, rule: Rule, active: bool, event: str) -> Rule:
    _require(actor, rule.organisation, Cap.MANAGE_PEOPLE)
    with transaction.atomic():
        changed = Rule.objects.filter(pk=rule.pk).exclude(active=active).update(active=active)
        rule.active = active
        if changed:
            record(actor, rule.organisation, event, rule, number=rule.number)
            _site_changed(rule.organisation)
    return rule


def active_rules(organisation: Organisation):
    return Rule.objects.filter(organisation=organisation, active=True).order_by("number")


# -- decisions -------------------------------------------------------------------------------

def incoming_of(item: Item, reason: str = "") -> Incoming:
    """The item as the channel adapter knows it (what ``fetch_replies`` gave us).

    ``extra`` also carries the inbox's kind and the decision's public reason, for
    platforms whose reports take a reason (Bluesky's reason types).
    """
    extra = {**(item.extra or {}), "inbox_kind": item.kind}
    if reason:
        extra["moderation_reason"] = reason
    return Incoming(
        external_id=item.external_id, text=item.text, kind=item.platform_kind or "comment",
        thread_id=item.conversation.thread_key, parent_id=item.parent_external_id,
        author_name=item.author_name, author_handle=item.author_handle, author_id=item.author_id,
        created_at=item.received_at, url=item.url, subject=item.subject, extra=extra,
    )


def offered_actions(item: Item) -> tuple[str, ...]:
    """What the item's platform does for us through its API (our own site hides and restores)."""
    if item.source == Source.WEB:
        return (Action.HIDE, Action.RESTORE)
    if item.channel_id is None:
        return ()
    from kanava.channels.registry import adapter_for

    try:
        return tuple(adapter_for(item.channel).moderation_actions)
    except KeyError:  # a channel kind no longer installed
        return ()


def platform_call(item: Item, action: str, reason: str = "") -> tuple[str, str]:
    """Ask the platform to carry out ``action``; ``(PlatformResult, error text)``.

    Items from our own website are hidden on our site by the item's
    visibility, which the caller sets.
    """
    if action not in offered_actions(item):
        return PlatformResult.NOT_OFFERED, ""
    if item.source == Source.WEB:
        return PlatformResult.DONE, ""
    from kanava.channels.registry import adapter_for

    try:
        adapter_for(item.channel).moderate(action, incoming_of(item, reason))
    except ModerationUnsupported:
        return PlatformResult.NOT_OFFERED, ""
    except ChannelError as error:
        return PlatformResult.FAILED, str(error)[:2000]
    except Exception as error:  # a platform's surprise must not lose the decision: it is recorded as failed
        logger.exception("Moderating item %s on %s failed", item.pk, item.source)
        return PlatformResult.FAILED, (_("Unexpected error: %(error)s") % {"error": error})[:2000]
    return PlatformResult.DONE, ""


def hidden_under(item: Item) -> Rule | None:
    """The rule of the decision that hid the item, if it is hidden."""
    last = (ModerationDecision.objects.filter(item=item, action=Action.HIDE).select_related("rule")
            .order_by("-decided_at", "-pk").first())
    return last.rule if last else None


def people_named(organisation: Organisation, item: Item) -> list[str]:
    """Names and handles a public reason must not contain: the writer's and our staff's."""
    names = [item.author_name, item.author_handle, item.conversation.resident_name,
             item.conversation.resident_address]
    names += list(Membership.objects.filter(organisation=organisation)
                  .values_list("person__display_name", flat=True).distinct())
    return [name.strip() for name in names if name and len(name.strip()) >= 3]


def _check_reason(organisation: Organisation, item: Item, reason: str) -> str:
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write the reason: the writer and the public log are told why.")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("The reason is too long.")})
    lowered = reason.casefold()
    if any(name.casefold() in lowered for name in people_named(organisation, item)):
        raise ValidationError({"reason": _("The reason is published in the public log: leave out people's names "
                                           "and handles.")})
    quoted = " ".join(item.text.split()).casefold()
    if len(quoted) >= 12 and quoted in " ".join(lowered.split()):
        raise ValidationError({"reason": _("The reason is published in the public log: do not quote the message.")})
    return reason


def _check_rule(organisation: Organisation, item: Item, action: str, rule: Rule | None) -> Rule | None:
    if rule is None and action == Action.RESTORE:
        return hidden_under(item)
    if rule is None:
        raise ValidationError({"rule": _("Choose the rule this decision is made under.")})
    if rule.organisation_id != organisation.pk:
        raise ValidationError({"rule": _("Choose one of your organisation's rules.")})
    if not rule.active and not (action == Action.RESTORE and rule == hidden_under(item)):
        raise ValidationError({"rule": _("This rule has been retired. Choose a rule in force.")})
    return rule


def _check_state(item: Item, action: str) -> None:
    if item.direction != Item.Direction.IN:
        raise ValidationError(_("Only what residents wrote is moderated."))
    if action == Action.HIDE and item.visibility == Item.Visibility.HIDDEN:
        raise ValidationError({"action": _("The message is already hidden.")})
    if action == Action.RESTORE and item.visibility != Item.Visibility.HIDDEN:
        raise ValidationError({"action": _("The message is not hidden.")})


def _apply_in_kanava(item: Item, action: str) -> None:
    """Hiding hides the item in Kanava (and on our own site) whatever the platform could do."""
    visibility = {Action.HIDE: Item.Visibility.HIDDEN, Action.RESTORE: Item.Visibility.VISIBLE}.get(action)
    if visibility is not None and item.visibility != visibility:
        Item.objects.filter(pk=item.pk).update(visibility=visibility)
        item.visibility = visibility


def do_moderate(actor: Actor, item: Item, action: str, rule: Rule | None, reason: str) -> ModerationDecision:
    """Hide, restore, report, ban or block ``item``'s writer under ``rule``, for ``reason``.

    The platform is asked where it offers the action; otherwise the decision
    is recorded with ``platform_result`` "not_offered" (a hidden item is
    still hidden in Kanava), and a platform error leaves it "failed" with the
    error, to be tried again.  Decisions against the writer get an appeal
    token (in ``decision.appeal_token``, never stored) and, where the writer
    left an email address, a notice in their language
    (``decision.notice_sent``: True, False when sending failed, None when
    there was no address).
    """
    organisation = item.organisation
    _require(actor, organisation, Cap.MODERATE)
    if not visible_to(actor.person, organisation, item.conversation):
        raise PermissionDenied(_("This conversation is handled by the communications lead."))
    if action not in Action.values:
        raise ValidationError({"action": _("Choose what to do.")})
    _check_state(item, action)
    rule = _check_rule(organisation, item, action, rule)
    reason = _check_reason(organisation, item, reason)
    cited = f"{rule.number}. {rule.title_in(organisation.majority_language)}: {reason}" if rule else reason
    result, error = platform_call(item, action, cited)
    token = secrets.token_urlsafe(32) if action in APPEALABLE else ""
    with transaction.atomic():
        decision = ModerationDecision.objects.create(
            organisation=organisation, item=item, action=action, rule=rule, reason=reason,
            decided_by=actor.person, platform_result=result, platform_error=error,
            appeal_token_hash=hash_token(token) if token else "",
        )
        _apply_in_kanava(item, action)
        record(actor, organisation, f"moderation.{action}", decision, item=item.pk,
               conversation=item.conversation_id, rule=rule.number if rule else None, reason=reason,
               platform_result=result, platform_error=error)
        _site_changed(organisation)
    decision.appeal_token = token
    decision.notice_sent = _send_notice(actor, decision, token) if token else None
    return decision


def do_retry_platform(actor: Actor, decision: ModerationDecision) -> ModerationDecision:
    """Ask the platform again to carry out a decision it failed; the decision itself stands."""
    organisation = decision.organisation
    _require(actor, organisation, Cap.MODERATE)
    if decision.platform_result != PlatformResult.FAILED:
        raise ValidationError(_("Only a decision the platform failed can be tried again."))
    later = ModerationDecision.objects.filter(item=decision.item_id, action__in=[Action.HIDE, Action.RESTORE],
                                              decided_at__gt=decision.decided_at)
    if decision.action in (Action.HIDE, Action.RESTORE) and later.exists():
        raise ValidationError(_("A later decision about the message replaced this one: it is not tried again."))
    result, error = platform_call(decision.item, decision.action, decision.reason)
    with transaction.atomic():
        ModerationDecision.objects.filter(pk=decision.pk).update(platform_result=result, platform_error=error)
        decision.platform_result, decision.platform_error = result, error
        record(actor, organisation, "moderation.platform_retried", decision, item=decision.item_id,
               platform_result=result, platform_error=error)
    return decision


# -- telling the writer ------------------------------------------------------------------

def language_for(conversation: Conversation) -> str:
    """The resident's language if the site speaks it, else the organisation's majority language."""
    if conversation.language in LANGUAGE_CODES:
        return conversation.language
    return conversation.organisation.majority_language


def appeal_url(organisation: Organisation, token: str, language: str) -> str:
    """The absolute appeal link on the organisation's own resident site."""
    from kanava.core.sites import site_base_url

    with translation.override(language):
        path = reverse("inbox_public:appeal", kwargs={"token": token})
    return f"{site_base_url(organisation)}{path}"


def email_address_of(item: Item) -> str:
    """The writer's email address where the source has one ("" otherwise)."""
    if item.source not in EMAIL_SOURCES:
        return ""
    for candidate in (item.author_handle, item.conversation.resident_address):
        candidate = (candidate or "").strip()
        try:
            validate_email(candidate)
        except ValidationError:
            continue
        return candidate
    return ""


def _notice(decision: ModerationDecision, token: str, language: str) -> tuple[str, str]:
    organisation, rule = decision.organisation, decision.rule
    with translation.override(language):
        context = {
            "organisation_name": organisation.display_name(language),
            "action": decision.action,
            "source": decision.item.get_source_display(),
            "rule_number": rule.number if rule else "",
            "rule_title": rule.title_in(language) if rule else "",
            "rule_text": rule.text_in(language) if rule else "",
            "reason": decision.reason,
            "date": formats.date_format(timezone.localtime(decision.decided_at, organisation.tz), "DATE_FORMAT"),
            "url": appeal_url(organisation, token, language),
        }
        subject = _("A moderation decision about your message to %(organisation)s") % {
            "organisation": context["organisation_name"]}
        body = render_to_string("inbox/moderation/email/notice.txt", context)
    return subject, body


def _send_notice(actor: Actor, decision: ModerationDecision, token: str) -> bool | None:
    """Email the writer the decision, the rule, the reason and the appeal link; None when there is no address.

    A mail failure does not undo the decision: it is recorded, and the page
    shows the moderator the appeal link to pass on.
    """
    address = email_address_of(decision.item)
    if not address:
        return None
    organisation = decision.organisation
    subject, body = _notice(decision, token, language_for(decision.item.conversation))
    reply_to = [organisation.contact_email] if organisation.contact_email else None
    try:
        EmailMessage(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [address],
                     reply_to=reply_to).send()
    except OSError as error:  # smtplib's errors are OSErrors
        logger.warning("The moderation notice of decision %s could not be sent: %s", decision.pk, error)
        record(actor, organisation, "moderation.notice_failed", decision, error=str(error)[:500])
        return False
    record(actor, organisation, "moderation.notice_sent", decision)
    return True


# -- appeals ---------------------------------------------------------------------------------

def find_decision(token: str) -> ModerationDecision | None:
    """The decision an appeal link names, or None."""
    if not token or len(token) > 100:
        return None
    return (ModerationDecision.objects.select_related("organisation", "rule", "item", "item__conversation")
            .filter(appeal_token_hash=hash_token(token)).first())


def resident(request) -> Actor:
    """A resident on our public pages: no person, their address for the record."""
    return Actor(person=None, ip_address=getattr(request, "client_ip", None), label="resident")


def do_appeal(actor: Actor, decision: ModerationDecision, text: str, contact: str = "") -> Appeal:
    """The writer appeals a decision (once); the leads are alerted and a moderator decides."""
    text = (text or "").replace("\x00", "").strip()
    contact = (contact or "").replace("\x00", "").strip()
    if not decision.appeal_token_hash:
        raise ValidationError(_("This decision cannot be appealed."))
    if not text:
        raise ValidationError({"text": _("Write why you think the decision is wrong.")})
    if len(text) > MAX_APPEAL:
        raise ValidationError({"text": _("The appeal is too long: at most %(count)s characters.")
                               % {"count": MAX_APPEAL}})
    if len(contact) > 320:
        raise ValidationError({"contact": _("The contact detail is too long.")})
    organisation = decision.organisation
    with transaction.atomic():
        ModerationDecision.objects.select_for_update().filter(pk=decision.pk).first()
        if Appeal.objects.filter(decision=decision).exists():
            raise ValidationError(_("This decision has already been appealed."))
        appeal = Appeal.objects.create(organisation=organisation, decision=decision, text=text, contact=contact)
        record(actor, organisation, "moderation.appeal_received", appeal, decision=decision.pk)
        _site_changed(organisation)
    _alert_appeal(appeal)
    return appeal


def _alert_appeal(appeal: Appeal) -> None:
    from kanava.core.notify import alert_leads

    organisation = appeal.organisation
    with translation.override(organisation.majority_language):
        text = _("A resident appealed a moderation decision")
        link = reverse("moderation:appeal", kwargs={"org": organisation.slug, "pk": appeal.pk})
    alert_leads(organisation, text, link)


def moderators_of(organisation: Organisation) -> int:
    """How many people of the organisation may moderate."""
    roles = [role for role, caps in CAPABILITIES.items() if Cap.MODERATE in caps]
    return (Membership.objects.filter(organisation=organisation, role__in=roles)
            .values("person").distinct().count())


def may_decide_appeal(person, appeal: Appeal) -> bool:
    """A moderator decides; not the one who made the decision, where the organisation has another.

    Fairness: an appeal is a second look.  Whoever made the decision is the
    least likely to see it afresh, so another moderator decides whenever the
    organisation has one; a one-person team decides its own appeals rather
    than leave residents without an answer.
    """
    organisation = appeal.organisation
    if not can(person, organisation, Cap.MODERATE):
        return False
    return appeal.decision.decided_by_id != person.pk or moderators_of(organisation) < 2


@dataclass
class AppealOutcome:
    appeal: Appeal
    restored: ModerationDecision | None = None  # the decision that restored the item, when reversed
    answer_sent: bool | None = None


def do_decide_appeal(actor: Actor, appeal: Appeal, outcome: str, answer: str) -> AppealOutcome:
    """Uphold or reverse the decision an appeal is about, with an answer to the resident.

    A reversal of a hiding restores the item, on the platform where it
    offers restoring (a ``restore`` decision citing the same rule).  Kanava
    cannot lift a ban or block on a platform: the page says so.  The answer is emailed to the appeal's contact
    when it is an email address, and shown on the appeal page.
    """
    organisation = appeal.organisation
    _require(actor, organisation, Cap.MODERATE)
    if not may_decide_appeal(actor.person, appeal):
        raise PermissionDenied(_("Another moderator decides this appeal: you made the decision it is about."))
    if outcome not in (Appeal.Status.UPHELD, Appeal.Status.REVERSED):
        raise ValidationError({"outcome": _("Choose whether the decision stands or is reversed.")})
    answer = (answer or "").replace("\x00", "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer to the resident.")})
    if len(answer) > MAX_ANSWER:
        raise ValidationError({"answer": _("The answer is too long.")})
    with transaction.atomic():
        if not Appeal.objects.filter(pk=appeal.pk, status=Appeal.Status.PENDING).update(
                status=outcome, answer=answer, decided_by=actor.person, decided_at=timezone.now()):
            raise ValidationError(_("This appeal has already been decided."))
        appeal.refresh_from_db()
        record(actor, organisation, f"moderation.appeal_{outcome}", appeal, decision=appeal.decision_id,
               answer=answer)
        _site_changed(organisation)
    result = AppealOutcome(appeal)
    decision, item = appeal.decision, appeal.decision.item
    if outcome == Appeal.Status.REVERSED and item.visibility == Item.Visibility.HIDDEN:
        result.restored = _restore_after_appeal(actor, decision)
    result.answer_sent = _send_answer(actor, appeal)
    return result


def _restore_after_appeal(actor: Actor, decision: ModerationDecision) -> ModerationDecision:
    """Restore the item a reversed decision hid.  The answer to the resident is not its reason: the
    reason is published, and an answer may greet the resident by name."""
    item, organisation = decision.item, decision.organisation
    result, error = platform_call(item, Action.RESTORE)
    with translation.override(organisation.majority_language):
        reason = _("The decision was reversed on appeal.")
    with transaction.atomic():
        restored = ModerationDecision.objects.create(
            organisation=organisation, item=item, action=Action.RESTORE, rule=decision.rule,
            reason=reason, decided_by=actor.person, platform_result=result, platform_error=error,
        )
        _apply_in_kanava(item, Action.RESTORE)
        record(actor, organisation, "moderation.restore", restored, item=item.pk,
               conversation=item.conversation_id, rule=decision.rule.number if decision.rule else None,
               reason=restored.reason, platform_result=result, platform_error=error, appeal_of=decision.pk)
        _site_changed(organisation)
    return restored


def _send_answer(actor: Actor, appeal: Appeal) -> bool | None:
    try:
        validate_email(appeal.contact)
    except ValidationError:
        return None
    organisation, decision = appeal.organisation, appeal.decision
    language = language_for(decision.item.conversation)
    with translation.override(language):
        subject = _("The answer to your appeal to %(organisation)s") % {
            "organisation": organisation.display_name(language)}
        body = render_to_string("inbox/moderation/email/appeal_answer.txt", {
            "organisation_name": organisation.display_name(language), "outcome": appeal.status,
            "answer": appeal.answer, "rule_number": decision.rule.number if decision.rule else "",
            "rule_title": decision.rule.title_in(language) if decision.rule else "",
        })
    reply_to = [organisation.contact_email] if organisation.contact_email else None
    try:
        EmailMessage(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [appeal.contact],
                     reply_to=reply_to).send()
    except OSError as error:
        record(actor, organisation, "moderation.appeal_answer_failed", appeal, error=str(error)[:500])
        return False
    record(actor, organisation, "moderation.appeal_answer_sent", appeal)
    return True
