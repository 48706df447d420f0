"""Many voters on one statement at the same moment: every vote counted once, counters exact, voter numbers unique.

Runs on SQLite and on PostgreSQL; on PostgreSQL with a private database, e.g.
``DATABASE_URL=postgres:///kanava_opinions_vote .venv/bin/python -m pytest <this file>``.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from kanava.participation.kinds.opinions import actions
from kanava.participation.kinds.opinions.models import AGREE, DISAGREE, PASS, Statement, Vote, Voter
from kanava.participation.kinds.opinions.tests.test_vote import make_conversation
from kanava.participation.models import Process

THREADS = 50


@pytest.mark.django_db(transaction=True)
def test_50_threads_voting_on_the_same_statement_keep_the_counters_exact(cast, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    process = make_conversation(cast.org, slug="ruuhka")
    statement = Statement.objects.get(process=process, number=0)
    start = threading.Barrier(THREADS)

    def resident(n: int) -> None:
        try:
            start.wait()
            voter = actions.get_or_create_voter(process, f"{n:064d}")
            actions.do_vote(voter, statement, AGREE if n % 2 else DISAGREE)
            if n % 5 == 0:  # a fifth change their mind; the latest vote counts
                actions.do_vote(voter, statement, PASS)
            actions.do_vote(voter, statement, PASS if n % 5 == 0 else (AGREE if n % 2 else DISAGREE))  # a repeat
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(resident, range(THREADS)))

    expected_pass = len([n for n in range(THREADS) if n % 5 == 0])
    expected_agree = len([n for n in range(THREADS) if n % 5 and n % 2])
    expected_disagree = THREADS - expected_pass - expected_agree
    statement.refresh_from_db()
    assert (statement.agree_count, statement.disagree_count, statement.pass_count) == (
        expected_agree, expected_disagree, expected_pass)
    assert Vote.objects.filter(statement=statement).count() == THREADS
    assert Vote.objects.filter(statement=statement, value=AGREE).count() == expected_agree
    numbers = sorted(Voter.objects.filter(process=process).values_list("number", flat=True))
    assert numbers == list(range(THREADS))
    assert set(Voter.objects.filter(process=process).values_list("vote_count", flat=True)) == {1}
    process = Process.objects.get(pk=process.pk)
    assert process.participant_count == THREADS and process.contribution_count == THREADS
    assert connection.vendor in ("sqlite", "postgresql")
