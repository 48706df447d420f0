"""The manifest's hooks: what the framework's pages, exports, digests and "my data" get from budgeting."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kanava.participation.kinds.budgeting import actions
from kanava.participation.kinds.budgeting.conf import BudgetSettings
from kanava.participation.kinds.budgeting.models import Ballot, BallotChoice, Proposal, Tally
from kanava.participation.manifest import OutcomeItem


def main(request, process) -> tuple[str, dict]:
    """The budgeting part of the process page: what is happening now and where to go."""
    conf = BudgetSettings.of(process)
    tally = Tally.objects.filter(process=process).first()
    return "budgeting/_main.html", {
        "process": process, "conf": conf, "tally": tally, "can_propose": process.is_open_for("propose"),
        "can_vote": process.is_open_for("vote"),
        "areas": [(a.slug, a.display_name(organisation=process.organisation)) for a in conf.areas],
    }


def export(process):
    fields = ["type", "id", "created_at", "source", "language", "area", "title", "text", "state", "cost_estimate",
              "proposal_ids", "updated_at"]

    def rows():
        for p in Proposal.objects.filter(process=process).order_by("pk").iterator():
            yield {"type": "proposal", "id": p.pk, "created_at": p.created_at.isoformat(), "source": p.source,
                   "language": p.language, "area": p.area, "title": p.title, "text": p.display_text(p.language),
                   "state": p.state, "cost_estimate": p.cost_estimate, "proposal_ids": "", "updated_at": ""}
        choices: dict[int, list[int]] = {}
        for ballot_id, proposal_id in (BallotChoice.objects.filter(ballot__process=process)
                                       .order_by("ballot_id", "proposal_id").values_list("ballot_id", "proposal_id")):
            choices.setdefault(ballot_id, []).append(proposal_id)
        # Ballots without who cast them: the voter key is a digest of an identity code.
        for b in Ballot.objects.filter(process=process).order_by("pk").iterator():
            yield {"type": "ballot", "id": b.pk, "created_at": b.created_at.isoformat(), "source": b.source,
                   "language": b.language, "area": b.area, "title": "", "text": "", "state": "",
                   "cost_estimate": "", "proposal_ids": " ".join(str(i) for i in choices.get(b.pk, [])),
                   "updated_at": b.updated_at.isoformat()}

    return fields, rows()


def results_hook(process) -> tuple[str, dict]:
    from kanava.participation.kinds.budgeting.views import results_context

    return "budgeting/_results.html", results_context(process)


def outcome_items(process) -> list[OutcomeItem]:
    from django.urls import reverse

    from kanava.participation.kinds.budgeting.views import results_context

    context = results_context(process)
    items = []
    for area in context["areas"]:
        for row in area.rows:
            did = _("Funded") if row.funded else _("Not funded")
            items.append(OutcomeItem(said=row.title, did=did, count=row.votes,
                                     url=reverse("budgeting:proposal", args=[process.slug, row.proposal_id])))
    return items


def counts(process) -> dict[str, int]:
    tally = Tally.objects.filter(process=process).first()
    if tally is None:
        return {"proposals": 0, "ballots": 0}
    return {"proposals": tally.proposals, "ballots": tally.ballots}


def personal_data(participant) -> dict[str, list[dict]]:
    proposals = [{"process": p.process_id, "title": p.title, "text": p.text, "area": p.area, "state": p.state,
                  "created_at": p.created_at.isoformat()}
                 for p in Proposal.objects.filter(participant=participant).order_by("pk")]
    ballots = [{"process": b.process_id, "area": b.area, "created_at": b.created_at.isoformat(),
                "updated_at": b.updated_at.isoformat(),
                "proposals": list(b.choices.values_list("proposal__title", flat=True))}
               for b in Ballot.objects.filter(participant=participant).order_by("pk")]
    return {"proposals": proposals, "ballots": ballots}


def forget(participant) -> int:
    return actions.do_forget(participant)


def digest_lines(process, since) -> list[str]:
    new = Proposal.objects.filter(process=process, created_at__gt=since).order_by("created_at")
    lines = [_("New proposal: %(title)s") % {"title": p.title} for p in new[:20]]
    vetted = Proposal.objects.filter(process=process, vetted_at__gt=since, state=Proposal.State.ACCEPTED)
    lines += [_("On the ballot: %(title)s") % {"title": p.title} for p in vetted[:20]]
    return lines


def seed_demo(organisation, actor) -> None:
    from kanava.participation.kinds.budgeting.demo import seed

    seed(organisation, actor)
