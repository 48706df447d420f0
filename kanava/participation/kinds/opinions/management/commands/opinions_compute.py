"""Compute a conversation's opinion map from the database and print it.

    python manage.py opinions_compute CONVERSATION [--json]

CONVERSATION is what ``opinions_import_polis`` prints last (the process id) or the process's
slug.  The stored map is updated with the votes and moderation since it was computed, as the
worker does after votes (with nothing new it is printed as it is: Polis updates only for new
votes); a conversation without a map yet (imported with ``--no-map``) first has its whole vote
history replayed in time order, as Polis computed it live. ``seconds`` is the time of that run.  ``--json`` prints ``{"participants": {"<voter number>": group or
null}, "consensus": [{"statement", "direction", ...stats}], "repness": {...}, "seconds": s}`` with Polis's participant and
comment ids (Voter.number, Statement.number).
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from kanava.participation.models import Process


class Command(BaseCommand):
    help = "Compute the opinion map of a conversation (process id or slug) and print it."

    def add_arguments(self, parser):
        parser.add_argument("conversation", help="The process id (printed by opinions_import_polis) or its slug.")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, **options):
        from kanava.participation.kinds.opinions import mathrun, results
        from kanava.participation.kinds.opinions.mapsvg import letter

        process = self._process(options["conversation"])
        result = mathrun.compute_for_command(process)
        if options["json"]:
            consensus = [{"statement": item["statement_id"], "direction": side, **item}
                         for side in ("agree", "disagree") for item in result["consensus"].get(side, [])]
            self.stdout.write(json.dumps({"participants": result["participants"], "consensus": consensus,
                                          "repness": result["repness"], "seconds": result["seconds"]}))
            return
        context = results.results_context(process, "en")
        self.stdout.write(f"{process.display_title()}: {result['n_participants']} participants, "
                          f"{result['n_statements']} statements, {result['n_votes']} votes; "
                          f"computed in {result['seconds']:.2f} s")
        for index, group in enumerate(result["groups"]):
            self.stdout.write(f"\nGroup {letter(index)}: {group['members']} people")
            for row in context.get("opinions_groups", [])[index]["agrees"] if context.get("opinions_groups") else []:
                self.stdout.write(f"  agrees ({row['percent']} %): #{row['number']} {row['text']}")
            for row in context.get("opinions_groups", [])[index]["disagrees"] if context.get("opinions_groups") else []:
                self.stdout.write(f"  disagrees ({row['percent']} %): #{row['number']} {row['text']}")
        for side in ("agree", "disagree"):
            rows = context.get("opinions_consensus", {}).get(side, [])
            if rows:
                self.stdout.write(f"\nMost people {side}:")
                for row in rows:
                    self.stdout.write(f"  ({row['percent']} %) #{row['number']} {row['text']}")

    def _process(self, value: str) -> Process:
        found = Process.objects.filter(kind="opinions")
        process = found.filter(pk=int(value)).first() if value.isdigit() else None
        process = process or found.filter(slug=value).first()
        if process is None:
            raise CommandError(f"No opinion-map conversation {value!r}.")
        return process
