"""Connecting an account (the connect page, the OAuth callback, disconnecting), the health of
connections, and the "post by hand" checklist."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.channels.base import ChannelError
from kanava.channels.models import Channel
from kanava.channels.social import actions, oauth
from kanava.channels.social.adapter import SocialAdapter
from kanava.core.access import requires_two_factor
from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.navigation import staff_context
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
    if not isinstance(channel.adapter, SocialAdapter):
        raise Http404
    if not actions.may_connect(request.user, channel):
        raise PermissionDenied
    adapter = channel.adapter
    personal = bool(channel.owner_id)
    form = ConnectForm(request.POST if request.method == "POST" else None, adapter=adapter, personal=personal)
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        try:
            extra = form.connect_config()
            if extra:
                actions.do_set_connect_settings(Actor.from_request(request), channel, extra)
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
            return redirect(oauth.begin(request.session, spec, channel, next_url=_back(request, channel),
                                        language=request.LANGUAGE_CODE,
                                        consent=bool(form.cleaned_data.get("consent"))))
        except (ChannelError, WorkflowError, ActionDenied) as error:
            form.add_error(None, str(error))
    return render(request, "channels/connect.html", {"channel": channel, "form": form, "personal": personal,
                                                     "manifest": channel.manifest,
                                                     "password": adapter.connect_with == "password",
                                                     **staff_context(request, "channels:health")})


#: What the platform's ``error`` in the callback means, for the person who was connecting (RFC 6749 4.1.2.1).
OAUTH_ERRORS = {
    "access_denied": gettext_lazy("You did not allow Kanava to publish on %(platform)s, so %(channel)s was not "
                                  "connected. Connect again and choose to allow it if you want Kanava to publish "
                                  "there."),
    "invalid_scope": gettext_lazy("%(platform)s did not give the permissions Kanava needs, so %(channel)s was not "
                                  "connected. Check the app's settings on %(platform)s."),
    "server_error": gettext_lazy("%(platform)s had a problem, so %(channel)s was not connected. Try again in a "
                                 "moment."),
    "temporarily_unavailable": gettext_lazy("%(platform)s is busy, so %(channel)s was not connected. Try again in "
                                            "a moment."),
}


def _platform_refused(channel, request) -> str:
    """The platform sent an error instead of a code: what it means, in the person's language."""
    values = {"platform": channel.manifest.label, "channel": channel.name}
    known = OAUTH_ERRORS.get(request.GET.get("error", ""))
    if known:
        return str(known) % values
    return _("%(channel)s was not connected: %(reason)s") % {
        **values, "reason": request.GET.get("error_description") or request.GET["error"]}


def callback(request):
    """The platform sends the person back here with a code (or an error) and our state.

    Only the session that started the attempt can finish it, once, within
    15 minutes, and only if the person may still connect that channel.
    """
    if not request.user.is_authenticated:
        return HttpResponseBadRequest(_("Sign in to Kanava first, then connect the account again."),
                                      content_type="text/plain; charset=utf-8")
    pending = oauth.pop_state(request.session, request.GET.get("state", ""))
    if pending is None:
        return HttpResponseBadRequest(_("This sign-in link has expired or was already used. Start connecting "
                                        "the account again."), content_type="text/plain; charset=utf-8")
    channel = Channel.objects.filter(pk=pending["channel"]).select_related("organisation", "owner").first()
    if channel is None or not actions.may_connect(request.user, channel):
        raise PermissionDenied
    if requires_two_factor(request.user, channel.organisation) and not request.user.is_verified():
        raise PermissionDenied
    next_url = pending["next"] if url_has_allowed_host_and_scheme(pending["next"], allowed_hosts=None) else "/"
    with translation.override(pending.get("language") or translation.get_language()):
        if oauth.is_expired(pending):
            messages.error(request, _("Connecting %(channel)s took longer than %(minutes)s minutes, so it was not "
                                      "finished. Start connecting again.") % {
                "channel": channel.name, "minutes": oauth.STATE_LIFETIME // 60})
            return redirect(next_url)
        if request.GET.get("error"):
            messages.error(request, _platform_refused(channel, request))
            return redirect(next_url)
        adapter = channel.adapter
        try:
            token = oauth.exchange_code(adapter.oauth_spec(), request.GET.get("code", ""), pending["verifier"])
            connection = adapter.finish_connection(token)
            actions.do_connect(Actor.from_request(request), channel, connection,
                               consent=bool(pending.get("consent")))
        except (ChannelError, WorkflowError, ActionDenied) as error:
            messages.error(request, _("%(channel)s was not connected: %(reason)s") % {
                "channel": channel.name, "reason": error})
        else:
            messages.success(request, _("%(channel)s is connected.") % {"channel": channel.name})
    return redirect(next_url)


@staff_view(Cap.VIEW)
def disconnect(request, pk: int):
    channel = get_object_or_404(Channel, pk=pk, organisation=request.organisation)
    if not isinstance(channel.adapter, SocialAdapter):
        raise Http404
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
    """Posts to social platforms that a person should post by hand (or check): failed, uncertain, or
    still retrying after a failure (the platform is down)."""
    from django.db.models import Q

    from kanava.publishing.models import Delivery

    retrying = Q(state=Delivery.State.PENDING, attempts__gt=0) & ~Q(last_error="")
    found = (Delivery.objects.filter(organisation=organisation, channel__kind__in=actions.social_kinds())
             .filter(Q(state__in=[Delivery.State.FAILED, Delivery.State.UNCERTAIN]) | retrying)
             .select_related("channel", "channel__owner", "message", "message__organisation", "organisation")
             .order_by("-created_at", "pk"))
    if person is not None:
        found = found.filter(channel__owner=person)
    return found


@staff_view(Cap.MANAGE_CHANNELS)
def health(request):
    """Every connected account of the organisation and of its voices: what state it is in, what to do."""
    from kanava.channels.social.health import health_of

    rows = sorted((health_of(channel, viewer=request.user) for channel in _social_channels(request.organisation)),
                  key=lambda h: (*h.urgency, h.channel.name.lower()))
    organisation_rows = [h for h in rows if not h.channel.owner_id]
    personal_rows = [h for h in rows if h.channel.owner_id]
    return render(request, "channels/health.html", {
        **staff_context(request, "channels:health"),
        "organisation_rows": organisation_rows, "personal_rows": personal_rows,
        "by_hand_count": _by_hand_deliveries(request.organisation).count(),
        "problems": sum(1 for h in rows if h.needs_reconnect and h.status != "not_connected")})


class ByHandForm(forms.Form):
    url = forms.URLField(required=False, max_length=1000, assume_scheme="https",
                         label=gettext_lazy("Address of the post you made (optional)"))


def _checklist_item(delivery, variants) -> dict:
    """What a person needs to post one delivery by hand: the parts still to post, images with alt text.

    The parts of a thread that went out before the failure are listed as
    done (with their links); images go with the first part only.
    """
    from kanava.publishing.models import Delivery

    variant = variants.get((delivery.message_id, delivery.channel_id, delivery.language))
    adapter = delivery.channel.adapter
    texts = adapter.parts(variant) if variant else []
    done = (delivery.detail or {}).get("parts") or []
    parts = [{"number": number, "text": text, "done": done[number - 1] if number <= len(done) else None}
             for number, text in enumerate(texts, start=1)]
    images = adapter.images(delivery.message, delivery.language) if variant and not done else []
    return {"delivery": delivery, "parts": parts, "to_post": [p for p in parts if not p["done"]],
            "images": images, "retrying": delivery.state == Delivery.State.PENDING}


@staff_view(Cap.VIEW)
def by_hand(request):
    """The "post by hand" checklist: everything a platform did not take, ready to copy.

    People who approve see every failed post; a voice sees those on their own
    accounts.  Marking one posted by hand is recorded in the audit log.
    """
    from kanava.core.access import can
    from kanava.publishing.models import Variant

    is_approver = can(request.user, request.organisation, Cap.APPROVE)
    if not is_approver and not can(request.user, request.organisation, Cap.APPROVE_OWN):
        raise PermissionDenied
    if request.method == "POST":
        return _mark_by_hand(request, is_approver)
    deliveries = _by_hand_deliveries(request.organisation, None if is_approver else request.user)
    shown = list(deliveries.prefetch_related("message__images", "message__versions")[:100])
    variants = {(v.message_id, v.channel_id, v.language): v for v in Variant.objects.filter(
        message__in={d.message_id for d in shown}, channel__in={d.channel_id for d in shown})}
    return render(request, "channels/by_hand.html", {
        **staff_context(request, "channels:by_hand"),
        "items": [_checklist_item(delivery, variants) for delivery in shown],
        "more": max(0, deliveries.count() - len(shown)) if len(shown) == 100 else 0,
        "form": ByHandForm()})


def _mark_by_hand(request, is_approver: bool):
    """Mark one post as posted by hand: any social post of the organisation for approvers, a voice's own otherwise."""
    from kanava.publishing.models import Delivery

    mine = Delivery.objects.filter(organisation=request.organisation, channel__kind__in=actions.social_kinds())
    if not is_approver:
        mine = mine.filter(channel__owner=request.user)
    try:
        delivery = mine.select_related("channel", "organisation", "message").get(pk=int(request.POST.get("delivery")))
    except (Delivery.DoesNotExist, TypeError, ValueError):
        raise Http404
    form = ByHandForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
        return redirect("channels:by_hand", org=request.organisation.slug)
    try:
        actions.do_mark_posted_by_hand(Actor.from_request(request), delivery, form.cleaned_data["url"] or "")
    except (WorkflowError, ActionDenied) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(channel)s: marked as posted by hand.") % {"channel": delivery.channel.name})
    return redirect("channels:by_hand", org=request.organisation.slug)
