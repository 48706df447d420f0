"""The same support or the same comment sent at once from many threads is counted once."""

import threading

import pytest
from django.db import connection

from kanava.core.audit import Actor
from kanava.participation.kinds.hearing import actions
from kanava.participation.kinds.hearing.models import Comment, Section, Support
from kanava.participation.kinds.hearing.tests.support import add_comments, make_hearing, sections

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


def at_once(work) -> list:
    results, errors = [], []
    barrier = threading.Barrier(THREADS)

    def run():
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def test_it_counts_one_support_when_the_same_browser_sends_it_many_times_at_once(cast):
    process = make_hearing(cast.org)
    comment = add_comments(sections(process)[0], 1)[0]
    results = at_once(lambda: actions.do_support(Actor.system("t"), comment, supporter_digest="same-browser"))
    assert results.count(True) == 1
    comment.refresh_from_db()
    assert comment.support_count == 1 and Support.objects.count() == 1


def test_it_stores_one_comment_when_a_double_click_sends_it_many_times_at_once(cast):
    process = make_hearing(cast.org)
    section = sections(process)[0]
    results = at_once(lambda: actions.do_add_comment(Actor.system("t"), section, text="Sama", sender="address:1")[1])
    assert results.count(True) == 1 and Comment.objects.count() == 1
    assert Section.objects.get(pk=section.pk).comment_count == 1
