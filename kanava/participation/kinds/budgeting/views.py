"""Resident pages of a budgeting process: proposals, proposing, the ballot, its confirmation, results."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kanava.participation import identity
from kanava.participation.kinds.budgeting import actions, results
from kanava.participation.kinds.budgeting.conf import BudgetSettings
from kanava.participation.kinds.budgeting.forms import ProposalForm
from kanava.participation.kinds.budgeting.models import Proposal
from kanava.participation.kinds.budgeting.rules import TIE_RULE, check_ballot, ineligibility, lot_seed
from kanava.participation.lookups import public_process
from kanava.participation.manifest import Level, PhaseKind
from kanava.participation.pages import render_page

KIND = "budgeting"
PAGE_SIZE = 50


def _language() -> str:
    return (get_language() or "fi")[:2]


def _vote_phase(process):
    return process.phases.filter(kind=PhaseKind.VOTING).order_by("starts_at").first()


# Proposals -----------------------------------------------------------------------------------

def proposals(request, process):
    process = public_process(request, process, KIND)
    conf = BudgetSettings.of(process)
    query = Proposal.objects.filter(process=process)
    area = request.GET.get("area", "")
    state = request.GET.get("state", "")
    if area and conf.area(area):
        query = query.filter(area=area)
    if state in Proposal.State.values:
        query = query.filter(state=state)
    page = Paginator(query.order_by("title", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(request, process, "budgeting/proposals.html", {
        "conf": conf, "page_obj": page, "area": area, "state": state, "states": Proposal.State.choices,
        "area_names": {a.slug: a.display_name(organisation=process.organisation) for a in conf.areas},
        "can_propose": process.is_open_for("propose"), "can_vote": process.is_open_for("vote"),
        "page_title": _("Proposals") + " – " + process.display_title(),
    })


def proposal(request, process, proposal):
    process = public_process(request, process, KIND)
    item = get_object_or_404(Proposal, process=process, pk=proposal)
    conf = BudgetSettings.of(process)
    area = conf.area(item.area)
    return render_page(request, process, "budgeting/proposal.html", {
        "proposal": item, "conf": conf, "just_sent": request.GET.get("sent") == "1",
        "area_name": area.display_name(organisation=process.organisation) if area else "",
        "can_vote": process.is_open_for("vote"), "page_title": item.title,
    })


@require_http_methods(["GET", "POST"])
def propose(request, process):
    process = public_process(request, process, KIND)
    conf = BudgetSettings.of(process)
    participant, level = identity.current(request, process.organisation)
    needed = process.level_for("propose")
    context = {"conf": conf, "is_open": process.is_open_for("propose"), "needed": needed,
               "level_ok": level >= needed, "page_title": _("Make a proposal") + " – " + process.display_title(),
               "identify_url": identity.identify_url(request, process, "propose", needed)}
    stash_key = f"budgeting:propose:{process.pk}"
    if request.method == "GET":
        form = ProposalForm(initial=identity.unstash(request, stash_key) or {}, conf=conf,
                            organisation=process.organisation)
        return render_page(request, process, "budgeting/propose.html", {**context, "form": form})
    form = ProposalForm(request.POST, conf=conf, organisation=process.organisation)
    if not context["is_open"]:
        form.add_error(None, _("Proposals are not being collected now."))
        return render_page(request, process, "budgeting/propose.html", {**context, "form": form}, status=409)
    if not form.is_valid():
        return render_page(request, process, "budgeting/propose.html", {**context, "form": form})
    if form.cleaned_data.get("website"):
        raise Http404  # the honeypot: a robot filled the hidden field
    participant, response = identity.require(request, process, "propose")
    if response is not None:
        identity.stash(request, stash_key, {k: v for k, v in form.cleaned_data.items() if k != "website"})
        return response
    if participant is None and not identity.allow_anonymous(request, process, "propose"):
        form.add_error(None, _("Too many proposals have come from your address just now. Wait a while and "
                               "send it again; what you wrote is kept below."))
        return render_page(request, process, "budgeting/propose.html", {**context, "form": form}, status=429)
    item = actions.do_propose(identity.resident_actor(request, participant), process, participant,
                              title=form.cleaned_data["title"], text=form.cleaned_data["text"],
                              language=_language(), area=form.cleaned_data.get("area", ""),
                              author_name=form.cleaned_data["author_name"])
    return redirect(reverse("budgeting:proposal", args=[process.slug, item.pk]) + "?sent=1")


# The ballot ----------------------------------------------------------------------------------

def _chosen_ids(values) -> list[int]:
    found = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if 0 < number < 2**63:
            found.append(number)
    return found


def _ballot_context(request, process, conf, area, chosen_ids, participant, level):
    needed = process.level_for("vote")
    on_ballot = list(Proposal.objects.filter(process=process, area=area, state=Proposal.State.ACCEPTED,
                                             cost_estimate__isnull=False).order_by("title", "pk"))
    chosen = [p for p in on_ballot if p.pk in set(chosen_ids)]
    existing = actions.existing_ballot(process, participant, area)
    phase = _vote_phase(process)
    reason = None
    if participant is not None and level >= needed:
        reason = ineligibility(conf, participant.birth_date, participant.home_municipality, timezone.localdate(),
                               need_known=needed >= Level.STRONG)
    area_obj = conf.area(area)
    return {
        "conf": conf, "area": area, "area_name": area_obj.display_name(organisation=process.organisation)
        if area_obj else "", "proposals": on_ballot, "chosen_ids": {p.pk for p in chosen},
        "check": check_ballot(conf, area, chosen), "cap": conf.cap_for(area), "existing": existing,
        "deadline": phase.ends_at if phase else None, "is_open": process.is_open_for("vote"),
        "needed": needed, "level_ok": level >= needed, "ineligible": reason,
        "identify_url": identity.identify_url(request, process, "vote", needed),
        "page_title": _("Your ballot") + " – " + process.display_title(),
    }


def _area_or_picker(request, process, conf):
    area = request.POST.get("area", request.GET.get("area", ""))
    if conf.areas and conf.area(area) is None:
        return None, render_page(request, process, "budgeting/areas.html", {
            "areas": [(a.slug, a.display_name(organisation=process.organisation)) for a in conf.areas],
            "page_title": _("Choose your area") + " – " + process.display_title()})
    return ("" if not conf.areas else area), None


@require_http_methods(["GET", "POST"])
def ballot(request, process):
    process = public_process(request, process, KIND)
    conf = BudgetSettings.of(process)
    area, picker = _area_or_picker(request, process, conf)
    if picker is not None:
        return picker
    participant, level = identity.current(request, process.organisation)
    stash_key = f"budgeting:ballot:{process.pk}:{area}"
    if request.method == "GET":
        stashed = identity.peek(request, stash_key)  # kept until the ballot is cast: a reload shows it again
        existing = actions.existing_ballot(process, participant, area)
        if stashed is not None:
            chosen = _chosen_ids(stashed.get("proposals", []))
        elif existing is not None:
            chosen = list(existing.choices.values_list("proposal_id", flat=True))
        else:
            chosen = []
        context = _ballot_context(request, process, conf, area, chosen, participant, level)
        context["check_shown"] = stashed is not None
        return render_page(request, process, "budgeting/ballot.html", context)
    chosen = _chosen_ids(request.POST.getlist("proposal"))
    context = _ballot_context(request, process, conf, area, chosen, participant, level)
    if "check" in request.POST:
        context["check_shown"] = True
        return render_page(request, process, "budgeting/ballot.html", context)
    if not context["is_open"]:
        context["error"] = _("Voting is not open: ballots can no longer be cast or changed.")
        return render_page(request, process, "budgeting/ballot.html", context, status=409)
    participant, response = identity.require(request, process, "vote")
    if response is not None:
        identity.stash(request, stash_key, {"proposals": [str(pk) for pk in chosen]})
        return response
    try:
        actions.do_cast_ballot(identity.resident_actor(request, participant), process, participant,
                               identity.current(request, process.organisation)[1], area=area,
                               proposal_ids=request.POST.getlist("proposal"), language=_language())
    except actions.BallotError as error:
        context["error"] = error.message
        return render_page(request, process, "budgeting/ballot.html", context)
    identity.unstash(request, stash_key)
    url = reverse("budgeting:ballot_done", args=[process.slug])
    return redirect(f"{url}?area={area}" if area else url)


def ballot_done(request, process):
    process = public_process(request, process, KIND)
    conf = BudgetSettings.of(process)
    area = request.GET.get("area", "")
    participant, _level = identity.current(request, process.organisation)
    existing = actions.existing_ballot(process, participant, area)
    if existing is None:
        url = reverse("budgeting:ballot", args=[process.slug])
        return redirect(f"{url}?area={area}" if area else url)
    chosen = list(existing.choices.select_related("proposal").order_by("proposal__title"))
    phase = _vote_phase(process)
    area_obj = conf.area(area)
    return render_page(request, process, "budgeting/ballot_done.html", {
        "ballot": existing, "chosen": [c.proposal for c in chosen], "conf": conf, "area": area,
        "area_name": area_obj.display_name(organisation=process.organisation) if area_obj else "",
        "total": sum(c.proposal.cost_estimate or 0 for c in chosen), "deadline": phase.ends_at if phase else None,
        "is_open": process.is_open_for("vote"), "page_title": _("You have voted") + " – " + process.display_title(),
    })


def results_page(request, process):
    process = public_process(request, process, KIND)
    context = results_context(process)
    context.pop("process")
    context["page_title"] = _("Results") + " – " + process.display_title()
    return render_page(request, process, "budgeting/results.html", context)


def results_context(process) -> dict:
    """What the results fragment needs; the results stay hidden while the vote runs."""
    phase = _vote_phase(process)
    closed = phase is not None and phase.ends_at is not None and phase.ends_at <= timezone.now()
    return {"process": process, "closed": closed, "areas": results.cached(process) if closed else [],
            "tie_rule": TIE_RULE, "seed": lot_seed(process.pk), "conf": BudgetSettings.of(process)}
