"""The organisation's response targets: how soon it promises to answer (leads only)."""

from __future__ import annotations

from django.shortcuts import redirect
from django.utils.translation import gettext as _

from kanava.core.roles import Cap
from kanava.inbox import actions, intake
from kanava.inbox.due import ACCESSIBILITY_DAYS
from kanava.inbox.forms import TargetsForm
from kanava.inbox.models import ResponseTargets
from kanava.inbox.views import actor, attempt, inbox_view, page


@inbox_view(Cap.MANAGE_PEOPLE)
def targets(request):
    organisation = request.organisation
    current = ResponseTargets.objects.get(pk=intake.targets_of(organisation).pk)
    form = TargetsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in actions.TARGET_FIELDS}
        # The form wrote into ``current``; the action compares against the stored row and records the change.
        if attempt(request, actions.do_set_targets, actor(request), organisation, **values,
                   success=_("The response targets are saved.")):
            return redirect("inbox:targets", org=organisation.slug)
    return page(request, "inbox/targets.html", {"form": form, "accessibility_days": ACCESSIBILITY_DAYS},
                status=400 if form.errors else 200)
