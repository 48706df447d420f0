"""Resident pages of an ideas process: the list, an idea, proposing, supporting and signing an initiative.

Views parse input and call ``actions``.  An action that needs a higher identity level
keeps what was typed (``identity.stash``) and sends the resident to identify; the
form shows it again when they come back.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kanava.participation import identity
from kanava.participation.kinds.ideas import actions, conf, hooks
from kanava.participation.kinds.ideas.forms import ProposeForm
from kanava.participation.kinds.ideas.models import Idea, Initiative, Support
from kanava.participation.lookups import public_process
from kanava.participation.manifest import Level
from kanava.participation.pages import render_page
from kanava.privacy import residents

KIND = "ideas"
STASHED_FIELDS = ("title", "text", "author_name", "as_initiative", "submission_key")


def _process(request, slug):
    return public_process(request, slug, KIND)


def _idea(process, pk) -> Idea:
    return get_object_or_404(Idea.objects.select_related("process__organisation"), process=process, pk=pk)


_gate = hooks.gate


@require_http_methods(["GET", "HEAD"])
def idea_list(request, process):
    process = _process(request, process)
    context = {**hooks.idea_page(process, request.GET), "propose": _gate(request, process, "propose")}
    return render_page(request, process, "ideas/list.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def propose(request, process):
    process = _process(request, process)
    gate = _gate(request, process, "propose")
    initiatives = conf.IdeasConf.of(process).initiatives
    stash_key = f"ideas:{process.pk}:propose"
    status = 200
    if request.method == "POST":
        form = ProposeForm(request.POST, initiatives=initiatives)
        if not gate["open"]:
            return render_page(request, process, "ideas/propose.html", {"form": form, "gate": gate}, status=403)
        if not gate["level_ok"]:
            identity.stash(request, stash_key, {name: request.POST.get(name, "") for name in STASHED_FIELDS})
            return redirect(gate["identify_url"])
        if form.is_valid():
            if form.is_bot:
                return redirect("ideas:list", process=process.slug)
            if gate["needed"] == 0 and not identity.allow_anonymous(request, process, "propose"):
                form.add_error(None, _("Too many ideas have come from your network in a short time. Wait a few "
                                       "minutes and send it again; what you wrote is kept below."))
            else:
                return _proposed(request, process, gate["participant"], form)
        status = 400
    else:
        stashed = identity.unstash(request, stash_key)
        form = ProposeForm(initial=stashed or {}, initiatives=initiatives)
    return render_page(request, process, "ideas/propose.html", {"form": form, "gate": gate}, status=status)


def _proposed(request, process, participant, form):
    data = form.cleaned_data
    result = actions.do_propose(
        identity.resident_actor(request, participant), process, participant, title=data["title"], text=data["text"],
        author_name=data.get("author_name", ""), language=(get_language() or "fi")[:2],
        submission_key=data.get("submission_key", ""), as_initiative=data.get("as_initiative", False))
    if result.created:
        messages.success(request, _("Thank you. Your idea has been published and the municipality will answer it."))
        residents.tell_writer(request, result.masked_kinds)
    return redirect("ideas:detail", process=process.slug, idea=result.idea.pk)


@require_http_methods(["GET", "HEAD"])
def detail(request, process, idea):
    process = _process(request, process)
    idea = _idea(process, idea)
    return render_page(request, process, "ideas/detail.html", _detail_context(request, process, idea))


def _detail_context(request, process, idea) -> dict:
    gate = _gate(request, process, "support")
    participant = gate["participant"]
    supported = participant is not None and Support.objects.filter(idea=idea, participant=participant).exists()
    return {"idea": idea, "support": gate, "supported": supported, "page_title": idea.title,
            "events": list(idea.events.all()) if not idea.is_hidden else [],
            "initiative": Initiative.objects.filter(idea=idea).first()}


@require_http_methods(["GET", "HEAD", "POST"])
def support(request, process, idea):
    process = _process(request, process)
    idea = _idea(process, idea)
    if request.method != "POST":  # back from identification: the button is on the idea's page
        return redirect("ideas:detail", process=process.slug, idea=idea.pk)
    if idea.is_hidden or not process.is_open_for("support"):
        messages.error(request, _("Supporting ideas is not open now."))
        return redirect("ideas:detail", process=process.slug, idea=idea.pk)
    participant, response = identity.require(request, process, "support")
    if response is not None:
        return response
    if participant is None:  # supports are counted per person: a process set to no identification still asks for one
        return redirect(identity.identify_url(request, process, "support", Level.EMAIL))
    counted = actions.do_support(identity.resident_actor(request, participant), idea, participant)
    if request.htmx:
        context = {**_detail_context(request, process, idea), "just_supported": counted}
        return render(request, "ideas/_support.html", context)
    if counted:
        messages.success(request, _("Thank you. Your support has been counted."))
    else:
        messages.info(request, _("You have already supported this idea. Each person's support is counted once."))
    return redirect("ideas:detail", process=process.slug, idea=idea.pk)


@require_http_methods(["GET", "HEAD"])
def initiative(request, process, initiative):
    process = _process(request, process)
    found = get_object_or_404(Initiative.objects.select_related("idea", "process__organisation"),
                              process=process, pk=initiative)
    if found.idea.is_hidden:
        raise Http404
    return render_page(request, process, "ideas/initiative.html", _initiative_context(request, process, found))


def _initiative_context(request, process, initiative, error: str = "") -> dict:
    gate = _gate(request, process, "sign_initiative")
    participant = gate["participant"]
    signed = participant is not None and bool(participant.strong_id_digest) and initiative.signatures.filter(
        strong_id_digest=participant.strong_id_digest).exists()
    return {"initiative": initiative, "idea": initiative.idea, "sign": gate, "signed": signed, "error": error,
            "threshold": initiative.threshold, "page_title": initiative.idea.title}


@require_http_methods(["GET", "HEAD", "POST"])
def sign(request, process, initiative):
    process = _process(request, process)
    found = get_object_or_404(Initiative.objects.select_related("idea", "process__organisation"),
                              process=process, pk=initiative)
    back = reverse("ideas:initiative", kwargs={"process": process.slug, "initiative": found.pk})
    if request.method != "POST":
        return redirect(back)
    if found.idea.is_hidden or not process.is_open_for("sign_initiative") or found.submitted_on:
        messages.error(request, _("Signing this initiative is not open now."))
        return redirect(back)
    participant, response = identity.require(request, process, "sign_initiative")
    if response is not None:
        return response
    try:
        counted = actions.do_sign(identity.resident_actor(request, participant), found, participant)
    except actions.InitiativeRefused as refused:
        context = _initiative_context(request, process, found, error=str(refused))
        return render_page(request, process, "ideas/initiative.html", context, status=403)
    if counted:
        messages.success(request, _("Thank you. Your signature has been counted."))
    else:
        messages.info(request, _("You have already signed this initiative. Each resident is counted once."))
    return redirect(back)
