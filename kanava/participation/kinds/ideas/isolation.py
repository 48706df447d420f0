"""Objects for the isolation test: an ideas process of ``cast.org`` with an idea that is also an initiative."""

from kanava.participation.kinds.ideas import actions
from kanava.participation.models import Process


def objects(cast, actor_of) -> dict:
    process = Process.objects.create(organisation=cast.org, kind="ideas", slug="isolation-ideas",
                                     title={"fi": "Ideat"}, languages=["fi"], state="published",
                                     settings={"initiatives": True, "municipality_code": "999"})
    idea = actions.do_propose(actor_of(cast.lead), process, None, title="Idea", text="Teksti.",
                              as_initiative=True).idea
    return {"process_ideas": process.pk, "idea": idea.pk, "initiative": idea.initiative.pk}


_IDEA = {"idea": "idea"}
_INITIATIVE = {"initiative": "initiative"}
ID_ARGUMENTS = {
    "ideas_staff:detail": _IDEA,
    "ideas_staff:answer": _IDEA,
    "ideas_staff:hide": _IDEA,
    "ideas_staff:restore": _IDEA,
    "ideas_staff:open_initiative": _IDEA,
    "ideas_staff:initiative": _INITIATIVE,
    "ideas_staff:paper_signature": _INITIATIVE,
    "ideas_staff:mark_submitted": _INITIATIVE,
}
