"""Opinion maps on PostgreSQL (issue 6): from a vote to the updated map through the task path, and
the results page's render time, for a conversation the size of vtaiwan.uberx (1,921 x 197).

    .venv/bin/python -m kanava.participation.kinds.opinions.bench_db            # database kanava_opinions_bench
    DATABASE_URL=postgres://... .venv/bin/python -m kanava.participation.kinds.opinions.bench_db

Drops and migrates the configured database, imports the shared Polis export vtaiwan.uberx
(CC BY 4.0, The Computational Democracy Project), computes its map once, then starts a real
worker (``manage.py kanava_worker``) and, ``--votes`` times, records a new voter's vote through
``actions.do_vote`` (which queues the recomputation on commit) and waits until the stored map
holds it.  The results page is then fetched ``--pages`` times through Django's test client (the
stored result only; nothing computed per request).  The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kanava_opinions_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanava.settings")

DATA = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "polis" / "vtaiwan.uberx"


def run(votes: int = 10, pages: int = 20, fresh: bool = True, data: Path = DATA) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    from kanava.participation.kinds.opinions import actions, polis, tasks
    from kanava.participation.kinds.opinions.models import MathState, Statement, Vote, Voter
    from kanava.testing.personas import make_organisation
    from kanava.testing.workers import WorkerProcess, wait_for

    if fresh:
        from kanava.bench.run import fresh_database

        fresh_database()
    organisation = make_organisation()
    clock = time.perf_counter()
    process = polis.import_export(organisation, data, slug="vtaiwan-uberx")
    imported = time.perf_counter() - clock
    clock = time.perf_counter()
    state = tasks.recompute_now(process)
    replayed = time.perf_counter() - clock
    print(f"imported {data.name} in {imported:.1f} s; first map (history replayed) in {replayed:.1f} s, "
          f"{state.result['n_participants']} participants, {state.result['n_votes']} votes")
    statements = list(Statement.objects.filter(process=process, status=Statement.Status.ACCEPTED)[:20])
    latencies = []
    with WorkerProcess("opinions-bench", log_dir=Path(settings.VAR_DIR)) as worker:
        top = Voter.objects.filter(process=process).order_by("-number").values_list("number", flat=True).first()
        for n in range(votes + 1):  # the first, untimed, waits for the worker to start
            voter = Voter.objects.create(process=process, number=top + 1 + n, key=f"bench-{top + 1 + n}")
            for statement in statements[:7]:
                actions.do_vote(voter, statement, 1)
            clock = time.perf_counter()
            actions.do_vote(voter, statements[7 + n % 10], -1)  # the vote timed

            def holds_it() -> bool:
                result = MathState.objects.get(pk=process.pk).result or {}
                return result.get("n_votes") == Vote.objects.filter(process=process).count() \
                    and str(voter.number) in result.get("participants", {})

            wait_for(holds_it, timeout=120, interval=0.02, message=f"the map; worker log:\n{worker.output()}")
            if n:
                latencies.append(time.perf_counter() - clock)
    seconds = MathState.objects.get(pk=process.pk).seconds
    client = Client(SERVER_NAME=(settings.ALLOWED_HOSTS or ["localhost"])[0].lstrip(".").replace("*", "localhost"))
    with translation.override("fi"):
        path = reverse("opinions:results", args=[process.slug])
    renders = []
    for _ in range(pages):
        clock = time.perf_counter()
        response = client.get(path)
        renders.append(time.perf_counter() - clock)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    figures = {
        "opinions_vote_to_map_median_seconds": round(statistics.median(latencies), 3),
        "opinions_vote_to_map_max_seconds": round(max(latencies), 3),
        "opinions_incremental_math_seconds": round(seconds, 3),
        "opinions_first_replay_seconds": round(replayed, 1),
        "opinions_results_page_median_ms": round(1000 * statistics.median(renders), 1),
        "opinions_results_page_bytes": len(response.content),
    }
    for key, value in figures.items():
        print(f"{key:<40} {value}")
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--votes", type=int, default=10)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="Do not drop and migrate the database first.")
    args = parser.parse_args()
    figures = run(args.votes, args.pages, fresh=not args.keep)
    sys.stdout.write(json.dumps(figures) + "\n")


if __name__ == "__main__":
    main()
