"""Connecting an account: the connect page, the OAuth callback, disconnecting."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.channels.base import ChannelError
from kanava.channels.models import Channel
from kanava.channels.social import actions, oauth
from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.roles import Cap
from kanava.publishing.errors import PermissionDenied as ActionDenied
from kanava.publishing.errors import WorkflowError


class ConnectForm(forms.Form):
    consent = forms.BooleanField(
        required=False,
        label=gettext_lazy("I allow Kanava to publish on this account, in my name, the posts I have approved. "
                           "I can withdraw this at any time by disconnecting."))
    identifier = forms.CharField(required=False, max_length=200, label=gettext_lazy("User name or handle"))
    password = forms.CharField(required=False, max_length=200, widget=forms.PasswordInput,
                               label=gettext_lazy("App password"),
                               help_text=gettext_lazy("Make an app password in the platform's settings; "
                                                      "never give your own password."))

    def __init__(self, *args, adapter, personal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.adapter, self.personal = adapter, personal
        if not personal:
            del self.fields["consent"]
        if adapter.connect_with != "password":
            del self.fields["identifier"], self.fields["password"]
        for name, label in getattr(adapter, "connect_fields", {}).items():
            self.fields[f"config_{name}"] = forms.CharField(label=label, max_length=300, required=True,
                                                            initial=(adapter.channel.config or {}).get(name, ""))

    def clean(self):
        data = super().clean()
        if self.personal and not data.get("consent"):
            self.add_error("consent", _("Confirm that Kanava may publish on your account in your name."))
        if self.adapter.connect_with == "password":
            for name in ("identifier", "password"):
                if not (data.get(name) or "").strip():
                    self.add_error(name, _("This field is required."))
        return data

    def connect_config(self) -> dict:
        return {name[len("config_"):]: value.strip() for name, value in self.cleaned_data.items()
                if name.startswith("config_")}


def _back(request, channel) -> str:
    if channel.owner_id:
        return reverse("channels:my_accounts", kwargs={"org": channel.organisation.slug})
    return reverse("channels:health", kwargs={"org": channel.organisation.slug})


@staff_view(Cap.VIEW)
def connect(request, pk: int):
    channel = get_object_or_404(Channel, pk=pk, organisation=request.organisation)
    if not actions.may_connect(request.user, channel):
        raise PermissionDenied
    adapter = channel.adapter
    personal = bool(channel.owner_id)
    form = ConnectForm(request.POST or None, adapter=adapter, personal=personal)
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        try:
            extra = form.connect_config()
            if extra:
                channel.config = {**(channel.config or {}), **extra}
                channel.save(update_fields=["config"])
                adapter = channel.adapter
            if adapter.connect_with == "password":
                connection = adapter.connect_with_password(form.cleaned_data["identifier"].strip(),
                                                           form.cleaned_data["password"])
                actions.do_connect(actor, channel, connection, consent=bool(form.cleaned_data.get("consent")))
                messages.success(request, _("%(channel)s is connected.") % {"channel": channel.name})
                return redirect(_back(request, channel))
            spec = adapter.oauth_spec()
            if spec is None:
                raise WorkflowError(_("This channel is not connected through a sign-in."))
            request.session["kanava_oauth_consent"] = bool(form.cleaned_data.get("consent"))
            return redirect(oauth.begin(request.session, spec, channel, next_url=_back(request, channel),
                                        language=request.LANGUAGE_CODE))
        except (ChannelError, WorkflowError, ActionDenied) as error:
            form.add_error(None, str(error))
    return render(request, "channels/connect.html", {"channel": channel, "form": form, "personal": personal,
                                                     "manifest": channel.manifest,
                                                     "password": adapter.connect_with == "password"})


def callback(request):
    """The platform sends the person back here with a code (or an error) and our state."""
    if not request.user.is_authenticated:
        return HttpResponseBadRequest(_("Sign in to Kanava first, then connect the account again."))
    pending = oauth.take_state(request.session, request.GET.get("state", ""))
    if pending is None:
        return HttpResponseBadRequest(_("This sign-in link has expired or was already used. Start connecting "
                                        "the account again."))
    channel = Channel.objects.filter(pk=pending["channel"]).select_related("organisation").first()
    if channel is None or not actions.may_connect(request.user, channel):
        raise PermissionDenied
    next_url = pending["next"] if url_has_allowed_host_and_scheme(pending["next"], allowed_hosts=None) else "/"
    if request.GET.get("error"):
        messages.error(request, _("%(channel)s was not connected: %(reason)s") % {
            "channel": channel.name, "reason": request.GET.get("error_description") or request.GET["error"]})
        return redirect(next_url)
    adapter = channel.adapter
    try:
        token = oauth.exchange_code(adapter.oauth_spec(), request.GET.get("code", ""), pending["verifier"])
        connection = adapter.finish_connection(token)
        actions.do_connect(Actor.from_request(request), channel, connection,
                           consent=bool(request.session.pop("kanava_oauth_consent", False)))
    except (ChannelError, WorkflowError, ActionDenied) as error:
        messages.error(request, _("%(channel)s was not connected: %(reason)s") % {
            "channel": channel.name, "reason": error})
    else:
        messages.success(request, _("%(channel)s is connected.") % {"channel": channel.name})
    return redirect(next_url)


@staff_view(Cap.VIEW)
def disconnect(request, pk: int):
    channel = get_object_or_404(Channel, pk=pk, organisation=request.organisation)
    if request.method != "POST":
        return redirect(_back(request, channel))
    try:
        actions.do_disconnect(Actor.from_request(request), channel)
    except ActionDenied:
        raise PermissionDenied
    messages.success(request, _("%(channel)s was disconnected.") % {"channel": channel.name})
    return redirect(_back(request, channel))


# -- the health of connections, and posting by hand -----------------------------------

def _social_channels(organisation):
    return (Channel.objects.filter(organisation=organisation, kind__in=actions.social_kinds())
            .select_related("owner", "organisation").order_by("owner_id", "kind", "name"))


def _by_hand_deliveries(organisation, person=None):
    """Posts to social platforms that failed or are uncertain: a person posts them by hand."""
    from kanava.publishing.models import Delivery

    found = (Delivery.objects.filter(organisation=organisation, channel__kind__in=actions.social_kinds(),
                                     state__in=[Delivery.State.FAILED, Delivery.State.UNCERTAIN])
             .select_related("channel", "message", "organisation").order_by("-created_at"))
    if person is not None:
        found = found.filter(channel__owner=person)
    return found


@staff_view(Cap.MANAGE_CHANNELS)
def health(request):
    from kanava.channels.social.health import health_of

    rows = [health_of(channel) for channel in _social_channels(request.organisation)]
    order = {"expired": 0, "broken": 1, "not_connected": 2, "expiring": 3, "paused": 4, "ok": 5}
    rows.sort(key=lambda h: (order.get(h.status, 9), h.channel.name))
    return render(request, "channels/health.html", {
        "rows": rows, "by_hand_count": _by_hand_deliveries(request.organisation).count(),
        "problems": sum(1 for h in rows if h.status != "ok")})


class ByHandForm(forms.Form):
    url = forms.URLField(required=False, max_length=1000, assume_scheme="https",
                         label=gettext_lazy("Address of the post you made (optional)"))


@staff_view(Cap.VIEW)
def by_hand(request):
    """The "post by hand" checklist: everything a platform did not take, ready to copy."""
    from kanava.core.access import can
    from kanava.publishing.models import Delivery, Variant

    is_approver = can(request.user, request.organisation, Cap.APPROVE)
    deliveries = _by_hand_deliveries(request.organisation, None if is_approver else request.user)
    if request.method == "POST":
        delivery = get_object_or_404(deliveries, pk=request.POST.get("delivery"))
        form = ByHandForm(request.POST)
        if form.is_valid():
            try:
                actions.do_mark_posted_by_hand(Actor.from_request(request), delivery, form.cleaned_data["url"] or "")
            except (WorkflowError, ActionDenied) as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Marked as posted by hand."))
            return redirect("channels:by_hand", org=request.organisation.slug)
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
    items = []
    for delivery in deliveries[:100]:
        variant = Variant.objects.filter(message=delivery.message_id, channel=delivery.channel_id,
                                         language=delivery.language).first()
        adapter = delivery.channel.adapter
        texts = adapter.parts(variant) if variant else []
        items.append({"delivery": delivery, "texts": texts, "variant": variant,
                      "images": adapter.images(delivery.message, delivery.language) if variant else [],
                      "done_parts": len((delivery.detail or {}).get("parts", []))})
    return render(request, "channels/by_hand.html", {"items": items, "form": ByHandForm(),
                                                     "states": Delivery.State})
