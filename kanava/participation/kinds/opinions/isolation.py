"""Objects for the isolation test: a published opinion map with a statement, a voter and a vote (``ID_ARGUMENTS``)."""

from kanava.participation.kinds.opinions.models import Statement, Vote, Voter
from kanava.participation.models import Process

ID_ARGUMENTS = {
    "opinions_staff:statements": {"pk": "process_opinions"},
    **{f"opinions_staff:{name}": {"pk": "process_opinions", "statement": "opinions_statement"}
       for name in ("statement", "statement_edit", "accept", "reject", "restore")},
}


def objects(cast, actor_of) -> dict:
    process = Process.objects.create(organisation=cast.org, kind="opinions", slug="isolation-opinions",
                                     title={"fi": "Mielipidekartta"}, languages=["fi"], state="published")
    statement = Statement.objects.create(process=process, number=0, text={"fi": "Väite"}, seed=True,
                                         status=Statement.Status.ACCEPTED)
    voter = Voter.objects.create(process=process, number=0, key="isolation-voter")
    Vote.objects.create(process=process, voter=voter, statement=statement, value=1)
    return {"process_opinions": process.pk, "opinions_statement": statement.pk, "opinions_voter": voter.pk}
