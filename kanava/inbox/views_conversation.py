"""One conversation: what was said, our answers and their way out, notes, controls and the composer."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kanava.core.models import LANGUAGE_NAMES, AuditEvent
from kanava.core.roles import Cap
from kanava.inbox import actions, replies
from kanava.inbox.forms import HOW_ANSWERED, CorrectionForm, DetailsForm, NoteForm, ReplyForm
from kanava.inbox.models import ABUSIVE_KINDS, Item, Kind, Source
from kanava.inbox.views import actor, attempt, due_label, get_conversation, inbox_view, kind_label, may, page
from kanava.inbox.views_compose import check_draft, draft_language

S = Item.SendState
#: Names of the audit events shown under a conversation.
EVENT_LABELS = {
    "inbox.status_set": gettext_lazy("Status changed"),
    "inbox.assigned": gettext_lazy("Owner changed"),
    "inbox.note_added": gettext_lazy("Note added"),
    "inbox.topic_set": gettext_lazy("Topic changed"),
    "inbox.accessibility_marked": gettext_lazy("Accessibility feedback marked or unmarked"),
    "inbox.feedback_recorded": gettext_lazy("Feedback recorded by hand"),
    "inbox.marked_spam": gettext_lazy("Marked as spam"),
    "inbox.staff_protected": gettext_lazy("Given to the lead: abuse naming an employee"),
    "inbox.reminded": gettext_lazy("Reminder sent"),
    "inbox.overdue": gettext_lazy("The answer is late: the lead was alerted"),
}
HOW_LABELS = {source.value: source.label for source in Source} | dict(HOW_ANSWERED)


def conversation_url(conversation, anchor: str = "") -> str:
    url = reverse("inbox:conversation", kwargs={"org": conversation.organisation.slug, "pk": conversation.pk})
    return f"{url}#{anchor}" if anchor else url


def _items(conversation) -> list[Item]:
    items = list(conversation.items.select_related("person", "kind_set_by", "claim", "channel")
                 .order_by("received_at", "pk"))
    for item in items:
        item.safe_url = safe_url(item.url)
        if item.direction == Item.Direction.IN:
            item.kind_text = kind_label(item.kind, item.confidence, corrected=item.kind_set_by_id is not None)
            item.language_name = LANGUAGE_NAMES.get(item.language, "")
        elif item.direction == Item.Direction.OUT and not item.send_state:
            item.how_text = HOW_LABELS.get(item.source, item.source)
    return items


def safe_url(url: str) -> str:
    """A platform's address for an item, only when it is a web address (never ``javascript:`` from a payload)."""
    url = (url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


def _events(conversation) -> list[dict]:
    events = (AuditEvent.objects.filter(organisation=conversation.organisation, object_type="inbox.conversation",
                                        object_id=str(conversation.pk), action__in=list(EVENT_LABELS))
              .select_related("actor").order_by("created_at", "pk"))
    return [{"event": event, "label": EVENT_LABELS[event.action]} for event in events]


def _details_initial(conversation) -> dict:
    return {"status": conversation.status, "owner": conversation.owner, "topic": conversation.topic,
            "accessibility": conversation.accessibility}


def render_conversation(request, conversation, *, reply_form=None, check=None, details_form=None, note_form=None,
                        status: int = 200):
    """The conversation page; forms that were refused come back in with what was typed."""
    organisation = request.organisation
    language = draft_language(conversation)
    initial_text = ""
    if request.GET.get("answer") == "claim" and conversation.claim_id:
        initial_text = conversation.claim.answer_in(language)
    reply_form = reply_form or ReplyForm(initial={"text": initial_text}, language=language)
    context = {
        "conversation": conversation,
        "items": _items(conversation),
        "events": _events(conversation),
        "due": due_label(conversation),
        "language_name": LANGUAGE_NAMES.get(conversation.language, ""),
        "kind_text": kind_label(conversation.kind, None),
        "abusive": conversation.kind in ABUSIVE_KINDS,
        "reply_channel": replies.replies_through(conversation),
        "may_reply": replies.may_reply(request.user, conversation),
        "may_moderate": may(request, Cap.MODERATE),
        "signature": replies.signature_for(request.user, organisation, language),
        "reply_form": reply_form,
        "check": check or check_draft(conversation, reply_form.typed() if reply_form.is_bound else initial_text),
        "details_form": details_form or DetailsForm(initial=_details_initial(conversation), organisation=organisation),
        "note_form": note_form or NoteForm(),
        "kinds": Kind.choices,
        "claim_answer": conversation.claim.answer_in(language) if conversation.claim_id else "",
        "draft_language": language,
    }
    return page(request, "inbox/conversation.html", context, status=status)


@inbox_view(Cap.REPLY)
def conversation(request, pk: int):
    return render_conversation(request, get_conversation(request, pk))


# -- the composer -----------------------------------------------------------------------

@inbox_view(Cap.REPLY)
@require_POST
def check(request, pk: int):
    """Check the typed answer without sending it: the panel (htmx) or the whole page with the text kept."""
    conversation = get_conversation(request, pk)
    form = ReplyForm(request.POST, language=draft_language(conversation))
    found = check_draft(conversation, form.typed())
    if request.htmx:
        return render(request, "inbox/_check_panel.html", {"check": found, "conversation": conversation,
                                                           "organisation": request.organisation})
    return render_conversation(request, conversation, reply_form=form, check=found)


@inbox_view(Cap.REPLY)
@require_POST
def reply(request, pk: int):
    """Send the answer through the conversation's channel, or record how it was given outside Kanava."""
    if "check" in request.POST:  # "Check" pressed in a browser that ignores formaction
        return check(request, org=request.organisation.slug, pk=pk)
    conversation = get_conversation(request, pk)
    form = ReplyForm(request.POST, language=draft_language(conversation))
    if form.is_valid():
        text = form.cleaned_data["text"]
        if replies.replies_through(conversation) is not None:
            done = attempt(request, replies.do_reply, actor(request), conversation, text,
                           success=_("Your answer is on its way."))
        else:
            how = form.cleaned_data["how"] or ""
            done = attempt(request, replies.do_record_answer, actor(request), conversation, text, how,
                           success=_("Your answer is recorded."))
        if done:
            return redirect(conversation_url(conversation, "history"))
    else:
        messages.error(request, _("The answer could not be sent: %(errors)s")
                       % {"errors": " ".join(e for errors in form.errors.values() for e in errors)})
    return render_conversation(request, conversation, reply_form=form, status=400)


@inbox_view(Cap.REPLY)
@require_POST
def answer_state(request, pk: int):
    """A failed or uncertain answer: send it again, or (uncertain) say that it did arrive."""
    conversation = get_conversation(request, pk)
    item = get_object_or_404(Item, pk=_int(request.POST.get("item")), conversation=conversation,
                             organisation=request.organisation, direction=Item.Direction.OUT)
    item.conversation = conversation
    if request.POST.get("decision") == "arrived":
        attempt(request, replies.do_mark_arrived, actor(request), item, success=_("The answer is marked as sent."))
    else:
        attempt(request, replies.do_retry, actor(request), item, success=_("The answer will be sent again."))
    return redirect(conversation_url(conversation, f"item-{item.pk}"))


# -- controls ---------------------------------------------------------------------------

@inbox_view(Cap.REPLY)
@require_POST
def details(request, pk: int):
    """Status, owner, topic and the accessibility flag: each change is its own action and audit event."""
    conversation = get_conversation(request, pk)
    form = DetailsForm(request.POST, organisation=request.organisation)
    if not form.is_valid():
        return render_conversation(request, conversation, details_form=form, status=400)
    data, who = form.cleaned_data, actor(request)
    steps = [
        (data["owner"] != conversation.owner, actions.do_assign, data["owner"]),
        (data["topic"] != conversation.topic, actions.do_set_topic, data["topic"]),
        (data["accessibility"] != conversation.accessibility, actions.do_set_accessibility, data["accessibility"]),
        (data["status"] != conversation.status, actions.do_set_status, data["status"]),
    ]
    changed = False
    for wanted, action, value in steps:
        if wanted and attempt(request, action, who, conversation, value) is None:
            return redirect(conversation_url(conversation, "details"))
        changed = changed or wanted
    if changed:
        messages.success(request, _("The conversation is updated."))
    return redirect(conversation_url(conversation, "details"))


@inbox_view(Cap.REPLY)
@require_POST
def note(request, pk: int):
    conversation = get_conversation(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return render_conversation(request, conversation, note_form=form, status=400)
    if attempt(request, actions.do_add_note, actor(request), conversation, form.cleaned_data["note"],
               success=_("The note is added.")):
        return redirect(conversation_url(conversation, "history"))
    return render_conversation(request, conversation, note_form=form, status=400)


@inbox_view(Cap.MODERATE)
@require_POST
def correct(request, pk: int):
    """A moderator corrects what the classifier said an incoming item is."""
    conversation = get_conversation(request, pk)
    item = get_object_or_404(Item, pk=_int(request.POST.get("item")), conversation=conversation,
                             organisation=request.organisation, direction=Item.Direction.IN)
    item.conversation = conversation
    form = CorrectionForm(request.POST)
    if form.is_valid():
        attempt(request, actions.do_correct_kind, actor(request), item, form.cleaned_data["kind"],
                success=_("The kind is corrected; the classifier learns from it."))
    else:
        messages.error(request, _("Choose a kind."))
    return redirect(conversation_url(conversation, f"item-{item.pk}"))


def _int(value) -> int:
    return int(value) if str(value or "").isdigit() else 0
