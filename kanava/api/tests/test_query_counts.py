"""A list page costs the same number of queries however many rows it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kanava.audience.models import Subscriber
from kanava.core.models import Topic
from kanava.publishing import actions, outbox
from kanava.testing.personas import make_channel


def queries_for(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured)


def grow(make, client, path, small=2, large=12, rows_each=1) -> tuple[int, int]:
    for _ in range(small):
        make()
    client.get(path)  # first use records last_used_at: not part of the comparison
    few = queries_for(client, path)
    for _ in range(large - small):
        make()
    assert len(client.get(path).json()["results"]) == large * rows_each
    return few, queries_for(client, path)


@pytest.fixture
def second_channel(cast, website):
    return make_channel(cast.org, "website", "Intra")


def test_the_message_list_costs_a_fixed_number_of_queries(cast, api_as, draft, second_channel):
    few, many = grow(draft, api_as(cast.editor), "/api/v1/messages/")
    assert few == many
    assert many <= 5  # token, roles, messages, versions, channels


def test_the_delivery_list_costs_a_fixed_number_of_queries(cast, api_as, actor_of, draft):
    def publish():
        message = draft()
        actions.do_submit_for_review(actor_of(cast.editor), message)
        actions.do_approve(actor_of(cast.lead), message)
        actions.do_publish(actor_of(cast.lead), message)
        outbox.drain()

    few, many = grow(publish, api_as(cast.editor), "/api/v1/deliveries/", small=1, large=6, rows_each=2)  # fi and sv
    assert few == many
    assert many <= 3  # token, roles, deliveries with their channels


def test_the_subscriber_list_costs_a_fixed_number_of_queries(cast, api_as):
    topics = [Topic.objects.create(organisation=cast.org, slug=f"aihe-{n}", name={"fi": f"Aihe {n}"})
              for n in range(3)]
    counter = iter(range(1000))

    def add():
        row = Subscriber.objects.create(organisation=cast.org, kind="email", address=f"s{next(counter)}@example.fi",
                                        all_topics=False)
        row.topics.set(topics)

    few, many = grow(add, api_as(cast.lead), "/api/v1/subscribers/")
    assert few == many
    assert many <= 4  # token, roles, subscribers, topics
