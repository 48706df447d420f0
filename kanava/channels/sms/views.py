"""Resident pages to start and stop SMS news, and the editor's live counter.

Thin: forms parse, actions act.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from kanava.channels.models import Channel
from kanava.channels.sms import actions, public
from kanava.channels.sms.forms import CodeForm, EstimateForm, SubscribeForm, UnsubscribeForm
from kanava.channels.sms.models import PhoneVerification
from kanava.channels.sms.phones import display_phone
from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.roles import Cap
from kanava.core.sites import organisation_for_request

Purpose = PhoneVerification.Purpose
DONE = {"subscribed", "unsubscribed"}


def resident_actor(request) -> Actor:
    return Actor(person=None, ip_address=getattr(request, "client_ip", None), label="resident")


def _language() -> str:
    return (get_language() or "fi")[:2]


def subscribe(request):
    organisation = organisation_for_request(request)
    available = actions.sms_channel_for(organisation) is not None
    form = SubscribeForm(request.POST or None, organisation=organisation, language=_language())
    if request.method == "POST" and available and form.is_valid():
        try:
            verification = actions.do_request_code(
                resident_actor(request), organisation, phone=form.cleaned_data["phone"], purpose=Purpose.SUBSCRIBE,
                language=form.cleaned_data["language"], all_topics=form.all_topics, topics=form.chosen_topics)
        except actions.SubscriptionError as error:
            form.add_error(None, str(error))
        else:
            return redirect("channel_sms_urls:confirm", token=verification.token)
    return render(request, "sms/subscribe.html", {"form": form, "available": available,
                                                  "organisation": organisation})


def unsubscribe(request):
    organisation = organisation_for_request(request)
    available = actions.sms_channel_for(organisation) is not None
    form = UnsubscribeForm(request.POST or None)
    if request.method == "POST" and available and form.is_valid():
        try:
            verification = actions.do_request_code(
                resident_actor(request), organisation, phone=form.cleaned_data["phone"],
                purpose=Purpose.UNSUBSCRIBE, language=_language())
        except actions.SubscriptionError as error:
            form.add_error(None, str(error))
        else:
            return redirect("channel_sms_urls:confirm", token=verification.token)
    return render(request, "sms/unsubscribe.html", {"form": form, "available": available,
                                                    "organisation": organisation})


def confirm(request, token: str):
    organisation = organisation_for_request(request)
    verification = get_object_or_404(PhoneVerification, token=token, organisation=organisation)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_confirm_code(resident_actor(request), verification, form.cleaned_data["code"])
        except actions.SubscriptionError as error:
            form.add_error("code", str(error))
        else:
            done = "subscribed" if verification.purpose == Purpose.SUBSCRIBE else "unsubscribed"
            return redirect("channel_sms_urls:done", outcome=done)
    restart = reverse("channel_sms_urls:subscribe" if verification.purpose == Purpose.SUBSCRIBE
                      else "channel_sms_urls:unsubscribe")
    return render(request, "sms/confirm.html", {
        "form": form, "verification": verification, "phone": display_phone(verification.phone),
        "restart_url": restart, "organisation": organisation,
    })


def done(request, outcome: str):
    if outcome not in DONE:
        raise Http404
    organisation = organisation_for_request(request)
    return render(request, "sms/done.html", {"outcome": outcome, "organisation": organisation})


@require_POST
@staff_view(Cap.DRAFT)
def estimate(request):
    """The editor's counter for one SMS text: segments, encoding, recipients, cost, problems (an HTML fragment)."""
    form = EstimateForm(request.POST)
    if not form.is_valid():
        return render(request, "sms/_estimate.html", {"form": form}, status=400)
    channel = get_object_or_404(Channel, pk=form.cleaned_data["channel"], organisation=request.organisation,
                                kind="sms")
    message = None
    if form.cleaned_data.get("message"):
        from kanava.publishing.models import Message

        message = get_object_or_404(Message, pk=form.cleaned_data["message"], organisation=request.organisation)
    text, language = form.cleaned_data["text"], form.cleaned_data["language"]
    return render(request, "sms/_estimate.html", {
        "form": form, "channel": channel, "language": language,
        "estimate": public.estimate_text(channel, text, language, message),
        "problems": channel.adapter.validate_text(text, language),
    })
