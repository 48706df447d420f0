"""Staff pages of a budgeting process: overview with live counts, vetting, paper ballot entry."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.navigation import staff_context
from kanava.core.roles import Cap
from kanava.participation.kinds.budgeting import actions
from kanava.participation.kinds.budgeting.conf import BudgetSettings
from kanava.participation.kinds.budgeting.forms import BudgetSettingsForm, PaperBallotForm, VetForm
from kanava.participation.kinds.budgeting.models import Proposal
from kanava.participation.lookups import staff_process

KIND = "budgeting"
CURRENT = "participation_staff:list"


def _render(request, template, context):
    return render(request, template, {**staff_context(request, current=CURRENT), **context})


@staff_view(Cap.MANAGE_PARTICIPATION)
def overview(request, pk):
    process = staff_process(request, pk, KIND)
    conf = BudgetSettings.of(process)
    tally = actions.tally_for(process)
    items = Proposal.objects.filter(process=process).order_by("state", "title", "pk")
    state = request.GET.get("state", "")
    if state in Proposal.State.values:
        items = items.filter(state=state)
    return _render(request, "budgeting/staff/overview.html", {
        "process": process, "conf": conf, "tally": tally, "proposals": items[:500], "state": state,
        "states": Proposal.State.choices, "voting": process.is_open_for("vote"),
        "area_names": {a.slug: a.display_name() for a in conf.areas},
    })


@staff_view(Cap.RECORD_INPUT)
def counts(request, pk):
    """Ballot counts while voting: numbers only, never the choices (the vote is not steered by them)."""
    process = staff_process(request, pk, KIND)
    return _render(request, "budgeting/staff/counts.html", {
        "process": process, "tally": actions.tally_for(process), "voting": process.is_open_for("vote")})


@staff_view(Cap.MANAGE_PARTICIPATION)
@require_http_methods(["GET", "POST"])
def vet(request, pk, proposal):
    process = staff_process(request, pk, KIND)
    item = get_object_or_404(Proposal, process=process, pk=proposal)
    languages = process.languages or request.organisation.required_languages
    initial = {"state": item.state, "cost_estimate": item.cost_estimate,
               **{f"note_{lang}": item.feasibility_note.get(lang, "") for lang in languages}}
    form = VetForm(request.POST or None, initial=initial, languages=languages)
    if request.method == "POST" and form.is_valid():
        actions.do_vet(Actor.from_request(request), item, state=form.cleaned_data["state"],
                       cost_estimate=form.cleaned_data["cost_estimate"], feasibility_note=form.notes())
        messages.success(request, _("The proposal was saved."))
        return redirect("budgeting_staff:overview", org=request.organisation.slug, pk=process.pk)
    return _render(request, "budgeting/staff/vet.html", {"process": process, "proposal": item, "form": form,
                                                          "conf": BudgetSettings.of(process)})


@staff_view(Cap.RECORD_INPUT)
@require_http_methods(["GET", "POST"])
def paper_ballot(request, pk):
    process = staff_process(request, pk, KIND)
    conf = BudgetSettings.of(process)
    areas = [(a.slug, a.display_name()) for a in conf.areas]
    area = request.POST.get("area", request.GET.get("area", ""))
    if conf.areas and conf.area(area) is None:
        return _render(request, "budgeting/staff/paper_area.html", {"process": process, "areas": areas})
    area = area if conf.areas else ""
    on_ballot = Proposal.objects.filter(process=process, area=area, state=Proposal.State.ACCEPTED,
                                        cost_estimate__isnull=False).order_by("title", "pk")
    form = PaperBallotForm(request.POST or None, proposals=on_ballot, residence_rule=bool(conf.municipality_code))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_record_paper_ballot(
                Actor.from_request(request), process, code=form.cleaned_data["code"], area=area,
                proposal_ids=form.cleaned_data["proposals"],
                resident_confirmed=form.cleaned_data.get("resident", False))
        except actions.BallotError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The paper ballot was recorded and counted."))
            url = reverse("budgeting_staff:paper", kwargs={"org": request.organisation.slug, "pk": process.pk})
            return redirect(f"{url}?area={area}" if area else url)
    return _render(request, "budgeting/staff/paper.html", {
        "process": process, "form": form, "area": area, "area_name": dict(areas).get(area, ""), "conf": conf,
        "cap": conf.cap_for(area), "voting": process.is_open_for("vote"),
        "tally": actions.tally_for(process)})


@staff_view(Cap.MANAGE_PARTICIPATION)
@require_http_methods(["GET", "POST"])
def settings_page(request, pk):
    process = staff_process(request, pk, KIND)
    form = BudgetSettingsForm(request.POST or None,
                              initial=BudgetSettingsForm.initial_from(BudgetSettings.of(process)))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_settings(Actor.from_request(request), process, form.settings)
        except actions.BallotError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("budgeting_staff:overview", org=request.organisation.slug, pk=process.pk)
    return _render(request, "budgeting/staff/settings.html", {"process": process, "form": form})
