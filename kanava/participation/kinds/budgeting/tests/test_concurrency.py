"""500 residents cast ballots at once over real HTTP: every ballot counted once, none lost, no lock errors.

Runs against Django's threaded live server (with a production-sized listen backlog, as gunicorn
has, so the test measures the application and not a ten-connection accept queue) with 50 client threads, each
resident with their own signed-in session; 50 of them send two different ballots at the same
moment (one ballot must remain, holding one of the two).  Run on SQLite and on PostgreSQL.
"""

import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import requests
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread, _StaticFilesHandler
from django.urls import reverse

from kanava.participation import identity
from kanava.participation import hetu
from kanava.participation.kinds.budgeting.models import Ballot, BallotChoice, Proposal, Tally
from kanava.participation.kinds.budgeting.tests.conftest import (ADULT, MUNICIPALITY, make_process,
                                                                 session_cookie_for)
from kanava.participation.models import Participant

RESIDENTS = 500
TWICE = 50
WORKERS = 50
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _Server(ThreadedWSGIServer):
    request_queue_size = 1024


class _ServerThread(LiveServerThread):
    server_class = _Server


@contextmanager
def live_server_url():
    thread = _ServerThread("127.0.0.1", _StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        thread.join()


def residents(organisation) -> list[Participant]:
    rows = [Participant(organisation=organisation, birth_date=ADULT, home_municipality=MUNICIPALITY,
                        strong_id_digest=identity.digest("hetu", hetu.make(ADULT, individual=2 + n % 897,
                                                                          sign="-YXWVU"[n // 897])))
            for n in range(RESIDENTS)]
    Participant.objects.bulk_create(rows)
    return list(Participant.objects.filter(organisation=organisation).order_by("pk"))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_500_residents_voting_at_once_are_each_counted_once(cast):
    process = make_process(cast.org, slug="ruuhka", costs=(40000, 30000, 25000, 20000, 10000))
    ids = list(Proposal.objects.filter(process=process).order_by("pk").values_list("pk", flat=True))
    people = residents(cast.org)
    cookies = [session_cookie_for(person) for person in people]
    path = reverse("budgeting:ballot", args=[process.slug])

    def choices_for(n: int, second: bool = False) -> list[int]:
        picked = [ids[n % len(ids)], ids[(n + 2) % len(ids)]]
        return [ids[4]] if second else picked  # every pair fits within 100 000 €

    def signed_in_session(n: int):
        session = requests.Session()
        # One request per connection: the server's thread (and its database connection) ends with it.
        session.headers["Connection"] = "close"
        session.cookies.set(settings.SESSION_COOKIE_NAME, cookies[n])
        page = session.get(base + path, timeout=60)
        assert page.status_code == 200, page.status_code
        return session, TOKEN.search(page.text).group(1)

    def cast_ballot(session, token, choices):
        response = session.post(base + path, data={"csrfmiddlewaretoken": token, "proposal": choices, "cast": "1"},
                                allow_redirects=False, timeout=60)
        return response.status_code, "locked" in response.text

    sessions = {}
    with live_server_url() as base, ThreadPoolExecutor(WORKERS) as pool:
        for n, found in zip(range(RESIDENTS), pool.map(signed_in_session, range(RESIDENTS))):
            sessions[n] = found
        jobs = [(n, False) for n in range(RESIDENTS)] + [(n, True) for n in range(TWICE)]
        # The twins go in among the first ballots, so both copies of one resident's ballot race.
        jobs.sort(key=lambda job: (job[0], job[1]))
        outcomes = list(pool.map(lambda job: cast_ballot(*sessions[job[0]], choices_for(job[0], job[1])), jobs))

    assert [status for status, _locked in outcomes].count(302) == len(jobs), sorted(set(outcomes))
    assert not any(locked for _status, locked in outcomes)
    assert Ballot.objects.filter(process=process).count() == RESIDENTS
    tally = Tally.objects.get(process=process)
    assert tally.ballots_online == RESIDENTS
    assert tally.changes == len(jobs)
    ballots = {b.voter_key: b for b in Ballot.objects.filter(process=process)}
    by_ballot = {}
    for ballot_id, proposal_id in BallotChoice.objects.filter(ballot__process=process).values_list("ballot_id",
                                                                                                  "proposal_id"):
        by_ballot.setdefault(ballot_id, set()).add(proposal_id)
    for n, person in enumerate(people):
        chosen = by_ballot[ballots[person.strong_id_digest].pk]
        allowed = [set(choices_for(n))] + ([set(choices_for(n, True))] if n < TWICE else [])
        assert chosen in allowed, (n, chosen, allowed)
    process.refresh_from_db()
    assert process.participant_count == RESIDENTS
    assert connection.vendor in ("sqlite", "postgresql")
