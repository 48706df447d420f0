"""Objects for the isolation test: a published budgeting process with one proposal (``ID_ARGUMENTS``)."""

from kanava.participation.kinds.budgeting.models import Proposal
from kanava.participation.models import Process

ID_ARGUMENTS = {"budgeting_staff:vet": {"pk": "process_budgeting", "proposal": "budgeting_proposal"}}


def objects(cast, actor_of) -> dict:
    process = Process.objects.create(organisation=cast.org, kind="budgeting", slug="isolation-budgeting",
                                     title={"fi": "Budjetti"}, languages=["fi"], state="published",
                                     settings={"total_budget": 100000})
    proposal = Proposal.objects.create(process=process, title="Penkki", text={"fi": "Penkki puistoon."})
    return {"process_budgeting": process.pk, "budgeting_proposal": proposal.pk}
