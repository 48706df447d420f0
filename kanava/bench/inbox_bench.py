"""The inbox queue with 100,000 conversations: how fast the list page answers (issue 4: p95 < 100 ms on PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kanava_bench .venv/bin/python -m kanava.bench.inbox_bench

Creates an organisation with ``--conversations`` conversations (one to three
items each, a realistic spread of statuses, owners, sources, languages and
kinds over two years) and a neighbour with a tenth as many, in the
configured database (``--fresh`` drops and migrates it first, as
``kanava.bench.run`` does; otherwise the bench organisations are removed at
the end).  Then it asks for the queue page through Django's test client as
a moderator: the default view (open conversations), and the common filters,
``--requests`` times each after a warm-up, and prints p50/p95 per view.
The last line is JSON, as ``kanava.bench`` expects of its children.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import statistics
import time
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanava.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from kanava.core.roles import Role  # noqa: E402
from kanava.inbox.models import Conversation, Item, Kind, ResponseTargets, Source, Status  # noqa: E402
from kanava.testing.personas import login, make_organisation, make_person  # noqa: E402

BATCH = 5_000
#: (value, weight): what a municipal inbox looks like after a year or two.
STATUSES = [(Status.NEW, 12), (Status.IN_PROGRESS, 8), (Status.WAITING, 5), (Status.ANSWERED, 45),
            (Status.CLOSED, 30)]
SOURCES = [(Source.EMAIL, 25), (Source.FACEBOOK, 25), (Source.INSTAGRAM, 10), (Source.X, 8), (Source.MASTODON, 5),
           (Source.WEB, 12), (Source.PHONE, 8), (Source.PAPER, 4), (Source.DESK, 3)]
LANGUAGES = [("fi", 70), ("sv", 22), ("en", 4), ("", 4)]
KINDS = [(Kind.QUESTION, 35), (Kind.FEEDBACK, 25), (Kind.COMPLAINT, 15), (Kind.CLAIM, 8), (Kind.ATTACK, 5),
         (Kind.THREAT, 1), (Kind.SPAM, 6), ("", 5)]
TEXTS = {
    "fi": ["Milloin uimahalli aukeaa remontin jälkeen?", "Kirkkotien katuvalo on ollut rikki viikon.",
           "Kiitos nopeasta lumenaurauksesta!", "Onko totta että koulu suljetaan ensi vuonna?"],
    "sv": ["När öppnar simhallen efter renoveringen?", "Gatlampan på Kyrkvägen har varit trasig en vecka.",
           "Tack för snabb snöplogning!"],
    "en": ["When does the swimming hall open again?", "Thanks for the quick snow clearing!"],
    "": ["👍👍", "???"],
}
OLDER = re.compile(r'href="([^"]*)" rel="next"')
SCENARIOS = {
    "open": {},
    "mine": {"owner": "mine"},
    "nobody": {"owner": "nobody"},
    "overdue": {"overdue": "on"},
    "swedish_all": {"language": "sv", "status": "all"},
}


def say(text: str) -> None:
    print(text, flush=True)


def pick(rng: random.Random, weighted):
    values, weights = zip(*weighted)
    return rng.choices(values, weights)[0]


def make_staff(organisation, prefix: str, count: int) -> list:
    roles = [Role.MODERATOR, Role.LEAD] + [Role.MODERATOR] * (count - 2)
    return [make_person(organisation, role, f"{prefix}{i}@bench.example", f"Bench Person {i}")
            for i, role in enumerate(roles)]


def _conversation(rng: random.Random, organisation, staff: list, now) -> tuple[Conversation, list[Item]]:
    status, source, language, kind = pick(rng, STATUSES), pick(rng, SOURCES), pick(rng, LANGUAGES), pick(rng, KINDS)
    first = now - timedelta(seconds=rng.randint(0, 730 * 86400))
    count = rng.choice((1, 1, 1, 2, 2, 3))
    last = min(now, first + timedelta(hours=rng.randint(0, 72) * (count - 1)))
    owner = None if rng.random() < 0.3 else rng.choice(staff)
    conversation = Conversation(
        organisation=organisation, source=source, resident_name=f"Asukas {rng.randint(1, 50_000)}",
        resident_address="asukas@example.fi", language=language, kind=kind, status=status, owner=owner,
        due_at=first + timedelta(days=rng.choice((3, 5, 10))) if kind not in (Kind.SPAM, Kind.THREAT) else None,
        item_count=count, first_received_at=first, last_received_at=last,
        answered_at=last if status in (Status.ANSWERED, Status.CLOSED) else None,
        closed_at=last if status == Status.CLOSED else None)
    items = [Item(organisation=organisation, direction=Item.Direction.IN, source=source,
                  text=rng.choice(TEXTS[language]), language=language, kind=kind, confidence=round(rng.uniform(0.3, 0.99), 2),
                  received_at=first + (last - first) * i / max(count - 1, 1), author_name=conversation.resident_name)
             for i in range(count)]
    return conversation, items


def populate(organisation, staff: list, total: int, seed: int) -> None:
    """``total`` conversations with their items, in batches (bulk_create gives the primary keys back)."""
    rng, now = random.Random(seed), timezone.now()
    done = 0
    while done < total:
        size = min(BATCH, total - done)
        made = [_conversation(rng, organisation, staff, now) for _ in range(size)]
        with transaction.atomic():
            conversations = Conversation.objects.bulk_create([c for c, _items in made], batch_size=BATCH)
            items = []
            for conversation, its in zip(conversations, [i for _c, i in made]):
                for item in its:
                    item.conversation = conversation
                    items.append(item)
            Item.objects.bulk_create(items, batch_size=BATCH)
        done += size
        if done % 20_000 == 0 or done == total:
            say(f"  {done} conversations")


def measure(client: Client, url: str, requests: int, warm_up: int = 20) -> dict:
    for _ in range(warm_up):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    times.sort()
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
            "max_ms": round(times[-1], 1)}


def remove(organisations) -> None:
    """The bench's rows, removed in bulk (the ORM's cascade would load 100,000 rows into memory)."""
    for organisation in organisations:
        Item.objects.filter(organisation=organisation)._raw_delete(Item.objects.db)
        Conversation.objects.filter(organisation=organisation)._raw_delete(Conversation.objects.db)
        organisation.delete()


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--fresh", action="store_true", help="drop and migrate the database first (bench databases)")
    parser.add_argument("--keep", action="store_true", help="leave the bench organisations in the database")
    args = parser.parse_args(argv)
    # The test client's host; no template instrumentation (setup_test_environment's would slow every page).
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    say(f"inbox list: {args.conversations} conversations on {connection.vendor}")
    if args.fresh:
        from kanava.bench.run import fresh_database

        fresh_database()
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    suffix = f"{int(time.time())}{random.randint(100, 999)}"
    organisation = make_organisation(f"inboxbench{suffix}")
    neighbour = make_organisation(f"inboxnext{suffix}", languages=("sv",))
    ResponseTargets.objects.get_or_create(organisation=organisation)
    try:
        staff = make_staff(organisation, f"staff{suffix}-", 8)
        start = time.perf_counter()
        populate(organisation, staff, args.conversations, seed=4)
        populate(neighbour, make_staff(neighbour, f"next{suffix}-", 3), args.conversations // 10, seed=5)
        say(f"  created in {time.perf_counter() - start:.0f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE inbox_conversation, inbox_item")
        client = Client()
        login(client, staff[0])
        base = reverse("inbox:list", kwargs={"org": organisation.slug})
        results = {"database": connection.vendor, "inbox_conversations": args.conversations}
        for name, query in SCENARIOS.items():
            url = base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
            figures = measure(client, url, args.requests)
            results[f"inbox_list_{name}_p50_ms"] = figures["p50_ms"]
            results[f"inbox_list_{name}_p95_ms"] = figures["p95_ms"]
            say(f"  {name:<12} p50 {figures['p50_ms']:6.1f} ms   p95 {figures['p95_ms']:6.1f} ms   "
                f"max {figures['max_ms']:6.1f} ms")
        second_page = html.unescape(OLDER.search(client.get(base).content.decode()).group(1))
        figures = measure(client, base + second_page, args.requests)
        results["inbox_list_page2_p95_ms"] = figures["p95_ms"]
        say(f"  {'page 2':<12} p50 {figures['p50_ms']:6.1f} ms   p95 {figures['p95_ms']:6.1f} ms")
        results["inbox_list_p95_ms"] = max(v for k, v in results.items() if k.endswith("_p95_ms"))
    finally:
        if not args.keep and not args.fresh:
            remove([organisation, neighbour])
    print(json.dumps(results))
    return results


if __name__ == "__main__":
    main()
