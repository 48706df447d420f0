"""A voice's own pages: their personal accounts.

The voice sees each of their accounts with its health, adds one (then
connects it, giving their consent), disconnects one (withdrawing consent:
Kanava forgets the tokens at once) and finds their reach.  Nobody else sees
or connects these accounts here; the communications team sees them on the
channel health page.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.channels.models import Channel
from kanava.channels.registry import manifests
from kanava.channels.social import actions
from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.roles import Cap
from kanava.publishing.errors import PermissionDenied as ActionDenied
from kanava.publishing.errors import WorkflowError


class PersonalAccountForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Platform"),
                             error_messages={"required": gettext_lazy("Choose the platform of the account."),
                                             "invalid_choice": gettext_lazy("Choose the platform of the account.")})
    name = forms.CharField(label=gettext_lazy("Name in Kanava (optional)"), max_length=120, required=False,
                           help_text=gettext_lazy("How the team sees this account, for example “Director on "
                                                  "Mastodon”. Left empty, your name and the platform."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Choose a platform")),
                                       *[(kind, manifests()[kind].label) for kind in actions.social_kinds()]]


def _url_or_empty(name: str, **kwargs) -> str:
    """The address of a page another part of Kanava may or may not provide."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _reach_url(request) -> str:
    url = _url_or_empty("channels:reach", org=request.organisation.slug)
    return f"{url}?voice={request.user.pk}" if url else ""


@staff_view(Cap.APPROVE_OWN)
def my_accounts(request):
    """A voice's own accounts: their health; add, connect (with consent), disconnect."""
    from kanava.channels.social.health import health_of

    form = PersonalAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            channel = actions.do_add_personal_channel(Actor.from_request(request), request.organisation,
                                                      form.cleaned_data["kind"], form.cleaned_data["name"].strip())
        except (WorkflowError, ActionDenied) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(channel)s was added. Connect it now: sign in to the platform and "
                                        "allow Kanava to publish.") % {"channel": channel.name})
            return redirect("channels:connect", org=request.organisation.slug, pk=channel.pk)
    own = (Channel.objects.filter(organisation=request.organisation, owner=request.user)
           .select_related("owner", "organisation").order_by("kind", "name", "pk"))
    return render(request, "channels/my_accounts.html", {
        "rows": [health_of(channel) for channel in own],
        "form": form,
        "reach_url": _reach_url(request),
        "inbox_url": _url_or_empty("publishing:voice_inbox", org=request.organisation.slug),
        "write_url": _write_url(request),
    })


def _write_url(request) -> str:
    url = _url_or_empty("publishing:message_create", org=request.organisation.slug)
    return f"{url}?voice={request.user.pk}" if url else ""
