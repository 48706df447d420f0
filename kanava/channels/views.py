"""Staff pages: the organisation's channels, their health and settings."""

import dataclasses

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from kanava.channels import actions
from kanava.channels.forms import ChannelForm
from kanava.channels.models import Channel
from kanava.channels.registry import manifests
from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.roles import Cap
from kanava.publishing.errors import WorkflowError


def _adapter_class(kind: str):
    return import_string(manifests()[kind].adapter)


@staff_view(Cap.MANAGE_CHANNELS)
def channel_list(request):
    channels = (Channel.objects.filter(organisation=request.organisation, owner=None)
                .annotate(failed=Count("deliveries", filter=Q(deliveries__state="failed")),
                          uncertain=Count("deliveries", filter=Q(deliveries__state="uncertain")))
                .order_by("kind", "name"))
    kinds = [(kind, m.label, m.description) for kind, m in sorted(manifests().items())]
    return render(request, "channels/list.html", {"channels": channels, "kinds": kinds})


def _initial(channel: Channel) -> dict:
    initial = {"name": channel.name, "enabled": channel.enabled, "selected_by_default": channel.selected_by_default}
    initial.update({f"config_{k}": v for k, v in (channel.config or {}).items()})
    return initial


@staff_view(Cap.MANAGE_CHANNELS)
def channel_edit(request, pk=None, kind=None):
    # A voice's personal account is theirs alone: it is managed on their own pages, never here.
    channel = get_object_or_404(Channel, pk=pk, organisation=request.organisation, owner=None) if pk else None
    kind = channel.kind if channel else kind
    if kind not in manifests():
        raise Http404
    adapter = _adapter_class(kind)
    options = {"config_class": adapter.config_class, "secret_fields": adapter.secret_fields,
               "stored_secrets": list((channel.secrets or {}) if channel else [])}
    if request.method == "POST":
        form = ChannelForm(request.POST, **options)
        if form.is_valid():
            values = dict(name=form.cleaned_data["name"], config=form.config(), secrets=form.secrets(),
                          enabled=form.cleaned_data["enabled"],
                          selected_by_default=form.cleaned_data["selected_by_default"])
            try:
                if channel:
                    actions.do_update_channel(Actor.from_request(request), channel, **values)
                else:
                    channel = actions.do_create_channel(Actor.from_request(request), request.organisation, kind=kind,
                                                        **values)
            except WorkflowError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The channel settings were saved."))
                return redirect("channels:list", org=request.organisation.slug)
    else:
        defaults = {f"config_{f.name}": f.default for f in dataclasses.fields(adapter.config_class)
                    if f.default is not dataclasses.MISSING}
        form = ChannelForm(initial=_initial(channel) if channel else {**defaults, "name": manifests()[kind].label},
                           **options)
    return render(request, "channels/edit.html",
                  {"form": form, "channel": channel, "manifest": manifests()[kind]})
