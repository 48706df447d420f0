"""Writing a message: the editor form, its uploads and the live checks."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kanava.core.roles import Cap
from kanava.publishing import actions
from kanava.publishing.forms import MessageForm
from kanava.publishing.models import Message
from kanava.publishing.views_checks import panel_for, panel_for_typed
from kanava.publishing.views_common import (
    ACTION_ERRORS, actor, error_text, get_message, message_url, org_view, page,
)


def _save(request, form: MessageForm, message: Message | None) -> Message:
    """Store the valid form through the actions, all or nothing."""
    who, data = actor(request), form.cleaned_data
    with transaction.atomic():
        if message is None:
            message = actions.do_create_message(
                who, request.organisation, versions=form.versions(), topic=data["topic"], voice=data["voice"],
                channels=list(data["channels"]))
        else:
            same_voice = (data["voice"].pk if data["voice"] else None) == message.voice_id
            actions.do_update_message(who, message, versions=form.versions(), topic=data["topic"],
                                      voice=False if same_voice else data["voice"],
                                      channels=list(data["channels"]))
            _save_images_and_attachments(who, form)
        if data.get("new_image"):
            actions.do_add_image(who, message, data["new_image"], form.new_image_alt_texts())
        if data.get("new_attachment"):
            actions.do_add_attachment(who, message, data["new_attachment"], data.get("new_attachment_title", ""))
    return message


def _save_images_and_attachments(who, form: MessageForm) -> None:
    removed = {image.pk for image in form.removed_images()}
    for image in form.images:
        if image.pk in removed:
            actions.do_remove_image(who, image)
        else:
            actions.do_set_image_alt(who, image, form.alt_texts(image))
    for attachment in form.removed_attachments():
        actions.do_remove_attachment(who, attachment)


def _editor(request, form: MessageForm, message: Message | None, panel=None):
    # in_editor: the checks are of what is typed, so the thread/shorten choices wait for a save.
    context = {"form": form, "message": message, "panel": panel, "in_editor": True,
               "language_sections": form.language_sections()}
    return page(request, "publishing/message_form.html", context,
                section="messages" if message else "new")


def _form(request, message: Message | None) -> MessageForm:
    if request.method == "POST":
        return MessageForm(request.POST, request.FILES, organisation=request.organisation, message=message)
    return MessageForm(organisation=request.organisation, message=message,
                       voice=None if message else _preset_voice(request))


def _preset_voice(request):
    """``?voice=<id>`` on a new message: written in that voice's name, for their personal accounts."""
    from kanava.publishing.forms import voices_of

    raw = request.GET.get("voice", "")
    if not raw.isdigit():
        return None
    return voices_of(request.organisation).filter(pk=int(raw)).first()


def _submit(request, message: Message | None):
    form = _form(request, message)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save(request, form, message)
        except ACTION_ERRORS as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The message was saved."))
            return redirect(message_url(saved))
    if request.method == "POST":
        panel = panel_for_typed(request, form, message, with_links=False)
    else:
        panel = panel_for(message) if message else None
    return _editor(request, form, message, panel)


@org_view(Cap.DRAFT)
def message_create(request):
    return _submit(request, None)


@org_view(Cap.DRAFT)
def message_edit(request, pk: int):
    message = get_message(request, pk)
    if not message.is_editable:
        messages.error(request, _("This message can no longer be edited. Reject it first to change it."))
        return redirect(message_url(message))
    return _submit(request, message)


@org_view(Cap.DRAFT)
@require_POST
def message_check(request, pk: int | None = None):
    """Check what is typed, without saving it.

    An htmx request gets only the panel; the "Check" button without
    JavaScript gets the whole editor again, with what was typed and the panel.
    """
    message = get_message(request, pk) if pk else None
    form = MessageForm(request.POST, request.FILES, organisation=request.organisation, message=message)
    form.is_valid()  # fills cleaned_data for the choices; errors show on the full page only
    if request.htmx and request.htmx.target == "channel-choices":
        # The voice changed: the whole editor, of which htmx keeps only the channel list
        # (the new voice's accounts, and why a ticked one of someone else's cannot stay).
        return _editor(request, form, message)
    panel = panel_for_typed(request, form, message)
    if request.htmx:
        return render(request, "publishing/_check_panel.html",
                      {"panel": panel, "organisation": request.organisation, "checked": True, "in_editor": True})
    return _editor(request, form, message, panel)
