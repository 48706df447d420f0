"""LinkedIn's side of the inbox, adapter by adapter: comments in, answers out under the page."""

import pytest
import requests

from kanava.channels.base import ChannelError, Incoming, ModerationUnsupported, Reply
from kanava.channels.registry import adapter_for
from kanava.channels.social.adapter import Outgoing, PostRef
from kanava.publishing import outbox
from kanava.publishing.models import Delivery
from kanava.testing.platforms.linkedin import API_VERSION

pytestmark = pytest.mark.outbox

ANSWER = "Vesi palaa kello 12 mennessä. – Aino Virtanen, viestintäpäällikkö"


@pytest.fixture
def our_post(linkedin, page, publish):
    """The page's Finnish post on LinkedIn (the stand-in's record of it)."""
    message = publish(page)
    outbox.drain()
    urn = Delivery.objects.get(message=message, language="fi").external_id
    return next(p for p in linkedin.posts if p.id == urn)


def refs_of(channel) -> list[PostRef]:
    return [PostRef(id=d.external_id, url=d.url) for d in Delivery.objects.filter(channel=channel)]


def fetch(channel, cursor=None):
    return adapter_for(channel).fetch_replies(cursor or {}, refs_of(channel))


def by_text(items) -> dict:
    return {item.text: item for item in items}


def our_comments(linkedin, post):
    page = f"urn:li:organization:{linkedin.organization_id}"
    return [c for c in linkedin.comments_on(post.id) if c.actor == page]


def test_comments_and_replies_to_them_come_in_threaded_under_our_post(linkedin, page, our_post):
    first = linkedin.add_comment(our_post.id, "Koskeeko katko myös Myllytietä?", author="asukas")
    below = linkedin.add_comment(our_post.id, "Meilläkin kysytään samaa", author="naapuri", parent=first.urn)
    other = next(p for p in linkedin.posts if p.id != our_post.id)
    linkedin.add_comment(other.id, "Tack för informationen!", author="granne")

    items = by_text(fetch(page).items)

    assert set(items) == {"Koskeeko katko myös Myllytietä?", "Meilläkin kysytään samaa", "Tack för informationen!"}
    top, reply = items["Koskeeko katko myös Myllytietä?"], items["Meilläkin kysytään samaa"]
    assert (top.external_id, top.thread_id, top.parent_id, top.kind) == (first.urn, our_post.id, our_post.id,
                                                                         "comment")
    assert (reply.external_id, reply.thread_id, reply.parent_id) == (below.urn, our_post.id, first.urn)
    assert first.urn.startswith(f"urn:li:comment:({our_post.activity},")
    assert top.author_id == linkedin.person_urn("asukas")
    assert top.created_at is not None and top.created_at.tzinfo is not None
    assert top.url.startswith(f"{linkedin.url}/feed/update/{our_post.id}/?commentUrn=urn%3Ali%3Acomment%3A")
    assert reply.extra == {"post": our_post.id, "object": our_post.activity, "top_comment": first.urn}
    for request in linkedin.requests_to("GET", r"/comments$"):
        assert request.headers["linkedin-version"] == API_VERSION
        assert request.headers["x-restli-protocol-version"] == "2.0.0"


def test_the_next_poll_starts_from_the_cursor_and_pages_through_many_comments(linkedin, page, our_post):
    for number in range(130):
        linkedin.add_comment(our_post.id, f"Kommentti {number}", author=f"asukas{number % 5}")

    first = fetch(page)
    later = linkedin.add_comment(our_post.id, "Vielä yksi", author="asukas")
    after = fetch(page, first.cursor)

    assert {item.text for item in first.items} == {f"Kommentti {n}" for n in range(130)}
    assert first.cursor["since_ms"] > 0 and after.cursor["since_ms"] >= first.cursor["since_ms"]
    assert later.urn in {item.external_id for item in after.items}  # repeats are fine, misses are not


def test_an_old_comment_behind_the_cursor_is_not_read_again(linkedin, page, our_post):
    linkedin.add_comment(our_post.id, "Vanha kommentti", author="asukas")
    first = fetch(page)
    moved = {"since_ms": first.cursor["since_ms"] + 60 * 60 * 1000}  # an hour later, nothing new

    assert fetch(page, moved).items == []


def reply_to(item: Incoming, text=ANSWER) -> Reply:
    return Reply(text=text, key="reply-1", to=item, language="fi")


def test_an_answer_goes_under_the_residents_comment_as_the_page(linkedin, page, our_post):
    first = linkedin.add_comment(our_post.id, "Koskeeko katko myös Myllytietä?", author="asukas")
    item = fetch(page).items[0]

    ref = adapter_for(page).send_reply(reply_to(item))

    [answer] = our_comments(linkedin, our_post)
    assert (answer.text, answer.parent, answer.agent) == (ANSWER, first.urn, linkedin.person_urn("kanavala"))
    assert ref.id == answer.urn and "commentUrn=" in ref.url
    assert fetch(page).items == [item]  # our own answer does not come back as intake


def test_an_answer_to_a_reply_goes_under_the_first_level_comment_as_linkedin_nests_one_level(
        linkedin, page, our_post):
    first = linkedin.add_comment(our_post.id, "Koskeeko katko myös Myllytietä?", author="asukas")
    linkedin.add_comment(our_post.id, "Ja Kirkkotietä?", author="naapuri", parent=first.urn)
    item = by_text(fetch(page).items)["Ja Kirkkotietä?"]

    adapter_for(page).send_reply(reply_to(item))

    [answer] = our_comments(linkedin, our_post)
    assert answer.parent == first.urn


def test_an_item_known_only_by_its_urns_is_answered_too(linkedin, page, our_post):
    first = linkedin.add_comment(our_post.id, "Onko vesi juomakelpoista?", author="asukas")

    adapter_for(page).send_reply(reply_to(Incoming(external_id=first.urn, text="", thread_id=our_post.id,
                                                   parent_id=our_post.id)))

    assert [c.parent for c in our_comments(linkedin, our_post)] == [first.urn]


def test_a_lost_response_is_found_and_the_answer_is_not_posted_twice(linkedin, page, our_post):
    linkedin.add_comment(our_post.id, "Milloin vesi palaa?", author="asukas")
    item = fetch(page).items[0]
    adapter = adapter_for(page)
    assert adapter.find_reply(reply_to(item)) is None
    linkedin.fail_next(path=r"/comments$", method="POST", drop=True)  # made, but the answer never reaches us

    with pytest.raises(ChannelError) as lost:
        adapter.send_reply(reply_to(item))
    found = adapter.find_reply(reply_to(item))
    again = adapter.send_reply(reply_to(item))

    assert not lost.value.permanent
    assert found is not None and again.id == found.id
    assert len(our_comments(linkedin, our_post)) == 1


def test_an_answer_over_1250_characters_is_refused_before_anything_is_sent(linkedin, page, our_post):
    linkedin.add_comment(our_post.id, "Kerro kaikki", author="asukas")
    item = fetch(page).items[0]

    with pytest.raises(ChannelError) as refused:
        adapter_for(page).send_reply(reply_to(item, text="Pitkä vastaus. " * 100))

    assert refused.value.permanent and "1250" in str(refused.value)
    assert not linkedin.requests_to("POST", r"/comments$")


def test_a_voice_answers_comments_on_their_own_profile_as_themself(linkedin, profile):
    adapter = adapter_for(profile)
    ref = adapter.post(Outgoing(text="Ajatuksia kuntastrategiasta", index=0, total=1, key="voice-1"))
    post = linkedin.posts[0]
    linkedin.add_comment(post.id, "Hyvä kirjoitus!", author="asukas")
    item = adapter.fetch_replies({}, [ref]).items[0]

    adapter.send_reply(reply_to(item, text="Kiitos! – Ville"))

    answer = next(c for c in linkedin.comments_on(post.id) if c.text == "Kiitos! – Ville")
    assert answer.actor == linkedin.person_urn("director")


def test_comments_on_a_deleted_post_are_skipped(linkedin, page, our_post):
    gone = PostRef(id="urn:li:share:1", url="")

    assert adapter_for(page).fetch_replies({}, [gone, *refs_of(page)]).items == []


def test_linkedin_offers_a_page_no_moderation(linkedin, page, our_post):
    linkedin.add_comment(our_post.id, "Solvaus", author="peikko")
    item = fetch(page).items[0]
    adapter = adapter_for(page)

    for action in ("hide", "restore", "ban", "block", "report"):
        with pytest.raises(ModerationUnsupported):
            adapter.moderate(action, item)
    assert adapter.can_reply and adapter.moderation_actions == ()


def test_a_resident_comments_through_the_api_with_their_own_token(linkedin, our_post):
    """The stand-in takes comments as LinkedIn does: as a member, on the post's activity, 1,250 characters."""
    token = linkedin.channel_secrets("asukas", scopes=["openid", "w_member_social"])["access_token"]
    headers = {"Authorization": f"Bearer {token}", "LinkedIn-Version": API_VERSION,
               "X-Restli-Protocol-Version": "2.0.0"}
    url = f"{linkedin.url}/rest/socialActions/{requests.utils.quote(our_post.id, safe='')}/comments"
    body = {"actor": linkedin.person_urn("asukas"), "object": our_post.activity, "message": {"text": "Kiitos!"}}

    made = requests.post(url, json=body, headers=headers, timeout=10)
    as_page = requests.post(url, json={**body, "actor": f"urn:li:organization:{linkedin.organization_id}"},
                            headers=headers, timeout=10)
    too_long = requests.post(url, json={**body, "message": {"text": "x" * 1251}}, headers=headers, timeout=10)

    assert made.status_code == 201 and made.json()["object"] == our_post.activity
    assert made.headers["x-restli-id"] == made.json()["id"]
    assert as_page.status_code == 403 and too_long.status_code == 422
    assert [c.text for c in linkedin.comments_on(our_post.id)] == ["Kiitos!"]


def test_what_a_resident_wrote_comes_in_exactly_as_written(linkedin, page, our_post):
    texts = ["<script>alert('x')</script> & <b>", "🙂🙂🙂", "Kiitos спасибо شكرا", "@[Ei maininta](urn:li:x) #tag"]
    for text in texts:
        linkedin.add_comment(our_post.id, text, author="asukas")

    assert sorted(item.text for item in fetch(page).items) == sorted(texts)
