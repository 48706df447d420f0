"""Review, schedule and publish a message; edit its channel variants.

Every button posts here and comes back to the message page.  A refused step
(wrong state, not allowed) becomes an error message there; a form that needs
input (a reason, a time) re-renders the message page with what was typed.
"""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from kanava.core.roles import Cap
from kanava.publishing import actions
from kanava.publishing.checks import check_message
from kanava.publishing.forms import CommentForm, RejectForm, ScheduleForm, VariantForm
from kanava.publishing.errors import WorkflowError
from kanava.publishing.models import Variant
from kanava.publishing.views_checks import shortened_text, variant_checks
from kanava.publishing.views_common import (
    ACTION_ERRORS, actor, attempt, error_text, get_message, message_url, org_view, page,
)
from kanava.publishing.views_messages import render_detail


def _step(request, pk: int, action, success: str, anchor: str = "review"):
    message = get_message(request, pk)
    attempt(request, action, actor(request), message, success=success)
    return redirect(message_url(message, anchor))


@org_view(Cap.VIEW)
@require_POST
def message_submit(request, pk: int):
    """Submit; warnings do not stop it, but the author is told they are there (listed under the checks)."""
    message = get_message(request, pk)
    if attempt(request, actions.do_submit_for_review, actor(request), message,
               success=_("The message was sent for review.")):
        report = check_message(message)
        found = report.general + [p for problems in report.per_channel.values() for p in problems]
        warnings = [p for p in found if p.severity == "warning"]
        if warnings:
            messages.warning(request, ngettext(
                "The message has %(count)s warning. The reviewer sees it too: see “Checks per channel”.",
                "The message has %(count)s warnings. The reviewer sees them too: see “Checks per channel”.",
                len(warnings)) % {"count": len(warnings)})
    return redirect(message_url(message, "review"))


@org_view(Cap.VIEW)
@require_POST
def message_approve(request, pk: int):
    return _step(request, pk, actions.do_approve, _("Your approval was recorded."))


@org_view(Cap.VIEW)
@require_POST
def message_unschedule(request, pk: int):
    return _step(request, pk, actions.do_unschedule, _("The schedule was cancelled."))


@org_view(Cap.VIEW)
@require_POST
def message_publish(request, pk: int):
    return _step(request, pk, actions.do_publish, _("Publishing started."), anchor="deliveries")


def _with_form(request, pk: int, form, form_name: str, run, success: str, anchor: str):
    """Validate ``form``, run the action with its data; on refusal keep the input and show why."""
    message = get_message(request, pk)
    if form.is_valid():
        try:
            run(message, form.cleaned_data)
        except ACTION_ERRORS as error:
            form.add_error(None if form_name != "schedule_form" else "when", error_text(error))
        else:
            messages.success(request, success)
            return redirect(message_url(message, anchor))
    return render_detail(request, message, **{form_name: form})


@org_view(Cap.VIEW)
@require_POST
def message_reject(request, pk: int):
    return _with_form(
        request, pk, RejectForm(request.POST), "reject_form",
        lambda message, data: actions.do_reject(actor(request), message, data["reason"]),
        _("The message was returned to its author."), "review")


@org_view(Cap.VIEW)
@require_POST
def message_schedule(request, pk: int):
    """Schedule at a datetime-local value, read in the organisation's time zone (see ``org_view``)."""
    return _with_form(
        request, pk, ScheduleForm(request.POST, organisation=request.organisation), "schedule_form",
        lambda message, data: actions.do_schedule(actor(request), message, data["when"]),
        _("The message was scheduled."), "review")


@org_view(Cap.VIEW)
@require_POST
def message_comment(request, pk: int):
    return _with_form(
        request, pk, CommentForm(request.POST), "comment_form",
        lambda message, data: actions.do_comment(actor(request), message, data["text"]),
        _("Your comment was added."), "comments")


# -- variants ----------------------------------------------------------------------------

class _Rollback(Exception):
    pass


def _variant(request, pk: int, variant_pk: int) -> Variant:
    message = get_message(request, pk)
    variant = get_object_or_404(Variant.objects.select_related("channel"), pk=variant_pk, message=message)
    variant.message = message
    return variant


def _typed_check(request, variant: Variant, form: VariantForm):
    """Length and problems of the typed variant text, nothing stored."""
    data = form.cleaned_data if form.is_valid() else {"title": form["title"].value() or "",
                                                      "text": form["text"].value() or ""}
    try:
        with transaction.atomic():
            actions.do_edit_variant(actor(request), variant, title=str(data["title"])[:300], text=str(data["text"]))
            check = variant_checks(variant)
            raise _Rollback(check)
    except _Rollback as done:
        return done.args[0], ""
    except ACTION_ERRORS as error:
        return None, error_text(error)
    finally:
        variant.refresh_from_db()


#: The editor's choices for a social post too long for its platform.
CHOICES = {
    "thread": gettext_lazy("It goes out as a thread."),
    "single": gettext_lazy("It goes out as one post."),
    "shorten": gettext_lazy("The shortened version with a link is used."),
}


def _choose(request, variant: Variant, choice: str, title: str, text: str) -> None:
    """Apply a choice to the variant, with the title and text given, all or nothing.

    ``thread``/``single``: publish the text as a thread or as one post;
    ``shorten``: replace the text with its beginning and a link to the whole
    message.  The text is stored (and the variant marked edited) only when it
    changes.  Raises what the actions raise.
    """
    from kanava.channels.social.adapter import SocialAdapter

    who, adapter = actor(request), variant.channel.adapter
    if choice not in CHOICES or not isinstance(adapter, SocialAdapter):
        raise WorkflowError(_("This choice is not available for %(channel)s.") % {"channel": variant.channel.name})
    with transaction.atomic():
        if choice == "shorten":
            text = shortened_text(adapter, variant, text)
        if (title.strip(), text.strip()) != (variant.title, variant.text):
            actions.do_edit_variant(who, variant, title=title, text=text)
        actions.do_set_variant_thread(who, variant, choice == "thread")


def _choose_stored(request, variant: Variant):
    """A choice from the message page, where no text is typed: it applies to the stored text."""
    choice = request.POST.get("choice", "")
    attempt(request, _choose, request, variant, choice, variant.title, variant.text,
            success=str(CHOICES.get(choice, "")))
    return redirect(message_url(variant.message, "checks"))


@org_view(Cap.DRAFT)
def variant_edit(request, pk: int, variant_pk: int):
    """Edit one channel's text in one language; ``check`` in the POST only checks it.

    ``choice`` (the buttons next to a too-long text) saves what is typed with
    that choice: a thread, one post, or the shortened version with a link.
    Posted from the message page, without a text, it applies to the stored text.
    """
    variant = _variant(request, pk, variant_pk)
    if request.method == "POST" and "choice" in request.POST and "text" not in request.POST:
        return _choose_stored(request, variant)
    form = VariantForm(request.POST or None, initial={"title": variant.title, "text": variant.text})
    check, refused = variant_checks(variant), ""
    if request.method == "POST":
        if request.POST.get("choice") and form.is_valid():
            done = attempt(request, _choose, request, variant, request.POST["choice"],
                           form.cleaned_data["title"], form.cleaned_data["text"],
                           success=str(CHOICES.get(request.POST["choice"], "")))
            if done:
                return redirect(reverse("publishing:variant_edit", kwargs={
                    "org": request.organisation.slug, "pk": variant.message.pk, "variant_pk": variant.pk}))
            variant.refresh_from_db()
            check = variant_checks(variant)
        elif "check" in request.POST or request.htmx:
            check, refused = _typed_check(request, variant, form)
            if request.htmx:
                return render(request, "publishing/_variant_check.html",
                              {"check": check, "refused": refused, "organisation": request.organisation})
        elif form.is_valid():
            done = attempt(request, actions.do_edit_variant, actor(request), variant,
                           title=form.cleaned_data["title"], text=form.cleaned_data["text"],
                           success=_("The channel version was saved."))
            if done:
                return redirect(message_url(variant.message, "variants"))
    context = {"message": variant.message, "variant": variant, "form": form, "check": check, "refused": refused}
    return page(request, "publishing/variant_form.html", context, section="messages")


@org_view(Cap.DRAFT)
@require_POST
def variant_reset(request, pk: int, variant_pk: int):
    variant = _variant(request, pk, variant_pk)
    attempt(request, actions.do_reset_variant, actor(request), variant,
            success=_("The channel version follows the message text again."))
    return redirect(message_url(variant.message, "variants"))
