"""A voice's own pages, made for a phone: what waits for their approval, and exactly what goes out.

A voice (say the municipal director) approves from their phone what the
communications team prepared in their name.  The list shows what waits for
them; a message's page shows, per account (theirs first, then the
organisation's) and per language, the post as it will go out: each part of a
thread numbered, the images with their alternative text, the length against
the platform's limit.  Two buttons: "Approve" and "Ask for changes" (with a
reason).  A post that goes only to the voice's own accounts needs no one
else's approval, so after approving it the voice may publish or schedule it.

No JavaScript; two-factor is enforced by ``staff_view`` (voices approve).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kanava.core.roles import Cap
from kanava.publishing import actions
from kanava.publishing.forms import AskChangesForm, ScheduleForm
from kanava.publishing.models import Message
from kanava.publishing.views_checks import panel_for
from kanava.publishing.views_common import (
    ACTION_ERRORS, actor, attempt, error_text, get_message, may, org_view, page,
)

State = Message.State
LIMIT = 20


def _voiced(request):
    """Messages in the signed-in voice's name, with what the list shows."""
    return (Message.objects.filter(organisation=request.organisation, voice=request.user)
            .select_related("organisation", "author", "voice").prefetch_related("versions", "channels"))


def _url(request, name: str, message: Message | None = None) -> str:
    kwargs = {"org": request.organisation.slug}
    if message is not None:
        kwargs["pk"] = message.pk
    return reverse(f"publishing:{name}", kwargs=kwargs)


def _my_accounts_url(request) -> str:
    try:
        return reverse("channels:my_accounts", kwargs={"org": request.organisation.slug})
    except NoReverseMatch:
        return ""


@org_view(Cap.APPROVE_OWN)
def voice_inbox(request):
    """What waits for the voice: to approve, to publish (their own posts), and what others still approve."""
    found = _voiced(request)
    approved = [m for m in found.filter(state=State.APPROVED).order_by("-updated_at")[:LIMIT]]
    context = {
        "to_approve": list(found.filter(state=State.IN_REVIEW, voice_approved_at=None).order_by("updated_at")[:LIMIT]),
        "to_publish": [m for m in approved if actions.is_personal_only(m)],
        "with_team": list(found.filter(state=State.IN_REVIEW).exclude(voice_approved_at=None)
                          .order_by("updated_at")[:LIMIT])
                     + [m for m in approved if not actions.is_personal_only(m)],
        "scheduled": list(found.filter(state=State.SCHEDULED).order_by("scheduled_at")[:LIMIT]),
        "drafts": list(found.filter(state__in=[State.DRAFT, State.REJECTED]).order_by("-updated_at")[:LIMIT]),
        "write_url": f"{_url(request, 'message_create')}?voice={request.user.pk}",
        "my_accounts_url": _my_accounts_url(request),
    }
    return page(request, "publishing/voice_inbox.html", context)


def _message(request, pk: int) -> Message:
    """The organisation's message ``pk`` (404 for anyone else's), if it is in the signed-in voice's name (403)."""
    message = get_message(request, pk)
    if message.voice_id != request.user.pk or not may(request, Cap.APPROVE_OWN):
        raise PermissionDenied
    return message


def _images(message: Message, language: str) -> list[dict]:
    return [{"image": image, "alt": image.alt_text(language)} for image in message.images.all()]


def preview(request, message: Message) -> dict:
    """Per channel and language what goes out, the voice's own accounts first."""
    panel = panel_for(message)
    images = {language: _images(message, language) for language in message.languages()}
    mine, organisation = [], []
    for channel in panel.channels:
        for check in channel.variants:
            check.images = images.get(check.language, [])
        (mine if channel.channel.owner_id == request.user.pk else organisation).append(channel)
    return {"panel": panel, "mine": mine, "theirs": organisation}


def _steps(request, message: Message) -> dict:
    user, state = request.user, message.state
    personal_only = actions.is_personal_only(message)
    publisher = actions.may_publish(user, message)
    return {
        "approve": state == State.IN_REVIEW and not message.voice_approved_at,
        "ask_changes": state in (State.IN_REVIEW, State.APPROVED, State.SCHEDULED),
        "publish": state in (State.APPROVED, State.SCHEDULED) and publisher,
        "schedule": state in (State.APPROVED, State.SCHEDULED) and publisher,
        "edit": message.is_editable,
        "submit": state in (State.DRAFT, State.REJECTED),
        "personal_only": personal_only,
        "waiting_for_team": state == State.IN_REVIEW and bool(message.voice_approved_at) and not personal_only,
    }


def render_voice_message(request, message: Message, *, ask_form=None, schedule_form=None):
    organisation = request.organisation
    context = {
        "message": message,
        "steps": _steps(request, message),
        "ask_form": ask_form or AskChangesForm(),
        "schedule_form": schedule_form or ScheduleForm(
            organisation=organisation,
            initial={"when": message.scheduled_at.astimezone(organisation.tz) if message.scheduled_at else None}),
        "inbox_url": _url(request, "voice_inbox"),
        **preview(request, message),
    }
    return page(request, "publishing/voice_message.html", context)


@org_view(Cap.VIEW)
def voice_message(request, pk: int):
    return render_voice_message(request, _message(request, pk))


def _back(request, message: Message):
    return redirect(_url(request, "message_voice", message))


@org_view(Cap.VIEW)
@require_POST
def voice_approve(request, pk: int):
    message = _message(request, pk)
    done = attempt(request, actions.do_approve, actor(request), message)
    if done:
        message.refresh_from_db()
        if message.state == State.APPROVED and actions.is_personal_only(message):
            messages.success(request, _("You approved the post. It goes only to your own accounts: publish it "
                                        "now or choose a time."))
        elif message.state == State.APPROVED:
            messages.success(request, _("You approved the message. The communications team publishes it."))
        else:
            messages.success(request, _("You approved the message. It still needs a communications lead's "
                                        "approval."))
    return _back(request, message)


@org_view(Cap.VIEW)
@require_POST
def voice_reject(request, pk: int):
    """Ask for changes: the message goes back to its author with the reason."""
    message = _message(request, pk)
    form = AskChangesForm(request.POST)
    if form.is_valid():
        try:
            actions.do_reject(actor(request), message, form.cleaned_data["reason"])
        except ACTION_ERRORS as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The message went back to the team with your request for changes."))
            return redirect(_url(request, "voice_inbox"))
    return render_voice_message(request, message, ask_form=form)


@org_view(Cap.VIEW)
@require_POST
def voice_publish(request, pk: int):
    message = _message(request, pk)
    attempt(request, actions.do_publish, actor(request), message, success=_("Publishing started."))
    return _back(request, message)


@org_view(Cap.VIEW)
@require_POST
def voice_schedule(request, pk: int):
    message = _message(request, pk)
    form = ScheduleForm(request.POST, organisation=request.organisation)
    if form.is_valid():
        try:
            actions.do_schedule(actor(request), message, form.cleaned_data["when"])
        except ACTION_ERRORS as error:
            form.add_error("when", error_text(error))
        else:
            messages.success(request, _("The post was scheduled."))
            return _back(request, message)
    return render_voice_message(request, message, schedule_form=form)
