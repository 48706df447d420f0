"""A voice's own pages: their personal accounts."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from kanava.channels.models import Channel
from kanava.channels.social import actions
from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.roles import Cap
from kanava.publishing.errors import PermissionDenied as ActionDenied
from kanava.publishing.errors import WorkflowError


@staff_view(Cap.VIEW)
def my_accounts(request):
    """A voice's own accounts: add, connect (with consent), disconnect."""
    from kanava.channels.registry import manifests
    from kanava.channels.social.health import health_of
    from kanava.core.access import can

    if not can(request.user, request.organisation, Cap.APPROVE_OWN):
        raise PermissionDenied
    if request.method == "POST":
        try:
            channel = actions.do_add_personal_channel(Actor.from_request(request), request.organisation,
                                                      request.POST.get("kind", ""))
        except (WorkflowError, ActionDenied) as error:
            messages.error(request, str(error))
        else:
            return redirect("channels:connect", org=request.organisation.slug, pk=channel.pk)
    own = Channel.objects.filter(organisation=request.organisation, owner=request.user).order_by("kind", "name")
    return render(request, "channels/my_accounts.html", {
        "rows": [health_of(channel) for channel in own],
        "kinds": [(kind, manifests()[kind].label) for kind in actions.social_kinds()],
    })
