"""The X stand-in's inbox endpoints answer as X documents them (the adapter's tests and the demo rely on it)."""

import time

import pytest
import requests

from kanava.testing.platforms.x import TWEPOCH_MS, XServer, snowflake_time


@pytest.fixture
def server():
    with XServer() as stand_in:
        yield stand_in


def api(server, method, path, token=None, **kwargs):
    token = token or server.channel_secrets()["access_token"]
    return requests.request(method, f"{server.url}{path}", headers={"Authorization": f"Bearer {token}"},
                            timeout=10, **kwargs)


def test_ids_are_snowflakes_that_tell_when_a_post_was_made(server):
    first, second = server.add_post("Yksi"), server.add_post("Kaksi")
    assert int(second.id) > int(first.id)
    assert abs(snowflake_time(first.id) - time.time()) < 5


def test_mentions_come_newest_first_with_their_authors(server):
    me = server.user("kanavala")
    older = server.add_mention("Hei @kanavala", author="matti_m", name="Matti M")
    newer = server.add_mention("@KANAVALA kiitos", author="liisa_k")
    server.add_post("Tämä ei mainitse ketään", account="liisa_k")
    server.add_post("@kanavalaxyz ei ole meidän", account="liisa_k")

    body = api(server, "GET", f"/2/users/{me.id}/mentions", params={
        "expansions": "author_id", "user.fields": "name,username", "tweet.fields": "author_id,created_at"}).json()

    assert [t["id"] for t in body["data"]] == [newer.id, older.id]
    assert body["meta"] == {"result_count": 2, "newest_id": newer.id, "oldest_id": older.id}
    assert {u["username"]: u["name"] for u in body["includes"]["users"]} == {"liisa_k": "Liisa_K", "matti_m": "Matti M"}
    since = api(server, "GET", f"/2/users/{me.id}/mentions", params={"since_id": older.id}).json()
    assert [t["id"] for t in since["data"]] == [newer.id]


def test_recent_search_finds_a_conversation_and_refuses_what_it_cannot_do(server):
    post = server.add_post("Tiedote")
    reply = server.add_reply(post.id, "Kysymys", author="matti_m")
    answer = server.add_reply(reply.id, "Vastaus Matille", author="liisa_k")
    server.add_post("Muu", account="liisa_k")

    found = api(server, "GET", "/2/tweets/search/recent", params={
        "query": f"conversation_id:{post.id}", "tweet.fields": "conversation_id,referenced_tweets"}).json()
    assert [t["id"] for t in found["data"]] == [answer.id, reply.id, post.id]  # the root is in it too
    assert found["data"][0]["referenced_tweets"] == [{"type": "replied_to", "id": reply.id}]
    assert found["data"][0]["conversation_id"] == post.id

    old_id = str((int((time.time() - 8 * 86400) * 1000) - TWEPOCH_MS) << 22)
    too_old = api(server, "GET", "/2/tweets/search/recent", params={"query": "conversation_id:1", "since_id": old_id})
    assert too_old.status_code == 400 and "since_id" in too_old.json()["errors"][0]["message"]
    unknown = api(server, "GET", "/2/tweets/search/recent", params={"query": "near:Pikkula"})
    assert unknown.status_code == 400
    too_long = api(server, "GET", "/2/tweets/search/recent", params={"query": "a" * 513})
    assert too_long.status_code == 400


def test_only_the_conversations_owner_may_hide_a_reply_and_only_with_the_scope(server):
    post = server.add_post("Tiedote")
    reply = server.add_reply(post.id, "Asiaton", author="trolli")
    without = server.channel_secrets(scopes=["tweet.read", "users.read"])["access_token"]
    assert api(server, "PUT", f"/2/tweets/{reply.id}/hidden", without, json={"hidden": True}).status_code == 403

    hidden = api(server, "PUT", f"/2/tweets/{reply.id}/hidden", json={"hidden": True})
    assert hidden.status_code == 200 and hidden.json() == {"data": {"hidden": True}} and reply.hidden
    not_a_reply = api(server, "PUT", f"/2/tweets/{post.id}/hidden", json={"hidden": True})
    assert not_a_reply.status_code == 403
    other = server.channel_secrets(account="liisa_k")["access_token"]
    assert api(server, "PUT", f"/2/tweets/{reply.id}/hidden", other, json={"hidden": False}).status_code == 403


def test_blocking_is_done_for_ones_own_account_only(server):
    me, troll = server.user("kanavala"), server.user("trolli")
    assert api(server, "POST", f"/2/users/{troll.id}/blocking", json={"target_user_id": me.id}).status_code == 403
    answer = api(server, "POST", f"/2/users/{me.id}/blocking", json={"target_user_id": troll.id})
    assert answer.status_code == 200 and answer.json() == {"data": {"blocking": True}}
    assert server.blocks == {("kanavala", troll.id)}


def test_direct_messages_are_read_and_answered_in_ones_own_conversations_only(server):
    message = server.add_direct("Hei", author="matti_m")
    events = api(server, "GET", "/2/dm_events", params={
        "dm_event.fields": "sender_id,dm_conversation_id,created_at", "expansions": "sender_id",
        "event_types": "MessageCreate"}).json()
    assert events["data"] == [{"id": message.id, "event_type": "MessageCreate", "text": "Hei",
                               "sender_id": server.user("matti_m").id, "dm_conversation_id": message.conversation_id,
                               "created_at": events["data"][0]["created_at"]}]
    assert events["includes"]["users"][0]["username"] == "matti_m"

    sent = api(server, "POST", f"/2/dm_conversations/{message.conversation_id}/messages", json={"text": "Moi"})
    assert sent.status_code == 201 and sent.json()["data"]["dm_conversation_id"] == message.conversation_id
    outsider = server.channel_secrets(account="liisa_k")["access_token"]
    assert api(server, "GET", f"/2/dm_conversations/{message.conversation_id}/dm_events", outsider).status_code == 403
    assert api(server, "GET", "/2/dm_events", outsider).json()["meta"] == {"result_count": 0}
    no_scope = server.channel_secrets(scopes=["tweet.read", "users.read"])["access_token"]
    assert api(server, "GET", "/2/dm_events", no_scope).status_code == 403


def test_a_posts_page_shows_its_replies_and_only_counts_the_hidden_ones(server):
    post = server.add_post("Tiedote")
    server.add_reply(post.id, "Hyvä <b>tietää</b>", author="matti_m")
    server.add_reply(post.id, "Asiaton", author="trolli").hidden = True

    page = requests.get(f"{server.url}/kanavala/status/{post.id}", timeout=10).text

    assert "Hyvä &lt;b&gt;tietää&lt;/b&gt;" in page and "Asiaton" not in page and "1 hidden reply" in page
