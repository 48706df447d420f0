"""Residents' messages from Kanava's own pages: the feedback form and comments under news items."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kanava.core.models import AuditEvent
from kanava.inbox.models import Conversation, Item, Source
from kanava.site.tests.conftest import ROADWORK, _fresh_site_cache, posts_of, publish, website  # noqa: F401
from kanava.testing.personas import login, make_channel

pytestmark = pytest.mark.usefixtures("cast")  # every page needs an organisation

OTHER_HOST = "uutiset.toinen.example"
HTML = "<script>alert('x')</script><b>Uimahalli</b> & <a href=\"javascript:x\">linkki</a>"


def feedback(client, language="fi", *, ip="198.51.100.7", host="testserver", **data):
    values = {"message": "Uimahallin suihkut ovat rikki.", "name": "Aino Asukas", "email": "", "website": ""}
    return client.post(f"/{language}/feedback/", {**values, **data}, REMOTE_ADDR=ip, HTTP_HOST=host)


def comment(client, post, *, origin="own", host="testserver", **data):
    values = {"message": "Milloin tietyöt loppuvat?", "name": "Eero", "email": "", "website": ""}
    headers = {"HTTP_HOST": host}
    if origin:
        headers["HTTP_ORIGIN"] = f"http://{host}" if origin == "own" else origin
    return client.post(f"/{post.language}/news/{post.pk}/comment/", {**values, **data}, **headers)


@pytest.fixture
def news(publish):  # noqa: F811
    return posts_of(publish(ROADWORK))


@pytest.fixture
def their_site(cast, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, OTHER_HOST]
    cast.other_org.site_domain = OTHER_HOST
    cast.other_org.save()


# -- the feedback form ------------------------------------------------------------------------

def test_feedback_lands_in_the_inbox_of_the_sites_organisation_only(client, cast, their_site):
    response = feedback(client, email="Aino@Example.FI")
    assert response.status_code == 302 and response["Location"] == "/fi/feedback/thanks/"
    [item] = Item.objects.all()
    assert item.organisation == cast.org and item.source == Source.WEB
    assert item.text == "Uimahallin suihkut ovat rikki."
    assert (item.author_name, item.author_handle) == ("Aino Asukas", "aino@example.fi")
    assert item.external_id.startswith("web-") and item.extra["form"] == "feedback"
    assert item.conversation.status == "new" and item.conversation.due_at is not None
    assert not Item.objects.filter(organisation=cast.other_org).exists()
    event = AuditEvent.objects.get(action="inbox.item_received")
    assert event.actor_label == "resident (web form)" and event.ip_address == "198.51.100.7"

    feedback(client, message="Toisen kunnan palaute.", host=OTHER_HOST)
    assert Item.objects.get(text="Toisen kunnan palaute.").organisation == cast.other_org


def test_each_feedback_message_is_its_own_conversation(client, cast):
    feedback(client, email="aino@example.fi")
    feedback(client, email="aino@example.fi", message="Ja saunan lauteet.")
    assert Conversation.objects.filter(organisation=cast.org).count() == 2


def test_an_empty_message_is_refused_with_a_translated_error_and_the_rest_is_kept(client):
    with translation.override("en"):
        response = feedback(client, language="en", message="   ", email="aino@example.fi")
    assert response.status_code == 400
    assert "Write your message." in response.text
    assert 'value="Aino Asukas"' in response.text and 'value="aino@example.fi"' in response.text
    assert not Item.objects.exists()


def test_a_one_megabyte_message_is_refused_and_what_was_typed_is_kept(client):
    huge = "Liian pitkä palaute. " * 50_000  # just over 1 MB
    with translation.override("en"):
        response = feedback(client, language="en", message=huge)
    assert response.status_code == 400
    assert "Your message is too long: at most 5000 characters" in response.text
    assert huge.strip() in response.text
    assert not Item.objects.exists()


def test_a_bad_email_address_is_refused_and_the_message_kept(client):
    with translation.override("en"):
        response = feedback(client, language="en", email="aino at example")
    assert response.status_code == 400
    assert "Check the email address" in response.text and "Uimahallin suihkut ovat rikki." in response.text


def test_html_is_stored_as_written_and_shown_escaped_to_staff(client, cast):
    feedback(client, message=HTML, name="<i>Aino</i>")
    item = Item.objects.get()
    assert item.text == HTML
    staff = Client()
    login(staff, cast.moderator)
    page = staff.get(reverse("inbox:conversation", kwargs={"org": cast.org.slug, "pk": item.conversation_id}))
    assert page.status_code == 200
    assert "<script>alert(" not in page.text and "<b>Uimahalli</b>" not in page.text and "<i>Aino</i>" not in page.text
    assert "&lt;script&gt;alert(" in page.text and "&lt;b&gt;Uimahalli&lt;/b&gt;" in page.text


def test_a_bot_filling_the_hidden_field_is_thanked_and_nothing_is_stored(client):
    response = feedback(client, website="https://spam.example")
    assert response.status_code == 302
    assert not Item.objects.exists()


def test_too_many_messages_from_one_address_are_refused_for_a_while(client, settings):
    from kanava.inbox import views_facts

    for number in range(views_facts.RATE_LIMIT):
        assert feedback(client, message=f"Viesti {number}").status_code == 302
    with translation.override("en"):
        refused = feedback(client, language="en", message="Vielä yksi viesti.")
    assert refused.status_code == 429
    assert "Too many messages" in refused.text and "Vielä yksi viesti." in refused.text
    assert Item.objects.count() == views_facts.RATE_LIMIT
    assert feedback(client, message="Toisesta osoitteesta.", ip="198.51.100.8").status_code == 302


def test_the_feedback_form_needs_its_csrf_token(cast):
    browser = Client(enforce_csrf_checks=True)
    assert feedback(browser).status_code == 403
    page = browser.get("/fi/feedback/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    token = page.context["csrf_token"]
    response = browser.post("/fi/feedback/", {"message": "Kiitos!", "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    assert Item.objects.get().text == "Kiitos!"


def test_accessibility_feedback_is_marked_and_due_within_fourteen_days(client, cast):
    feedback(client, message="Lomake ei toimi ruudunlukijalla.", accessibility="on")
    item = Item.objects.get()
    conversation = item.conversation
    assert conversation.accessibility
    assert conversation.due_at <= item.received_at + timedelta(days=14, hours=23)
    assert AuditEvent.objects.filter(action="inbox.accessibility_marked", object_id=str(conversation.pk)).exists()


def test_with_an_email_address_the_conversation_can_be_answered_by_email(client, cast):
    email = make_channel(cast.org, "email", "Uutiskirje")
    make_channel(cast.other_org, "email", "Toisen uutiskirje")
    feedback(client, email="aino@example.fi")
    feedback(client, message="Ilman osoitetta.")
    with_address, without = Item.objects.order_by("pk")
    assert with_address.conversation.channel == email and with_address.channel == email
    assert without.conversation.channel is None


def test_a_disabled_email_channel_is_not_used(client, cast):
    make_channel(cast.org, "email", "Uutiskirje", enabled=False)
    feedback(client, email="aino@example.fi")
    assert Item.objects.get().conversation.channel is None


# -- comments under news ------------------------------------------------------------------------

def test_the_news_page_carries_the_comment_form_and_stays_cached(client, news, django_assert_max_num_queries):
    post = news["fi"]
    first = client.get(post.get_absolute_url())
    assert f'action="/fi/news/{post.pk}/comment/"' in first.text
    assert "csrfmiddlewaretoken" not in first.text  # a shared page carries no one's token
    with django_assert_max_num_queries(1):
        again = client.get(post.get_absolute_url())
    assert again.content == first.content


def test_a_comment_from_the_cached_page_lands_in_the_inbox_under_its_news(client, cast, news):
    post = news["fi"]
    response = comment(client, post, email="eero@example.fi")
    assert response.status_code == 302 and response["Location"] == f"/fi/feedback/thanks/?post={post.pk}"
    item = Item.objects.get()
    conversation = item.conversation
    assert item.organisation == cast.org and item.source == Source.WEB and item.platform_kind == "comment"
    assert conversation.thread_key == f"post-{post.message_id}"
    assert conversation.subject == ROADWORK["fi"]["title"]
    assert item.url == post.absolute_url
    thanks = client.get(response["Location"])
    assert post.get_absolute_url() in thanks.text


def test_comments_under_one_news_item_by_one_resident_form_one_conversation(client, cast, news):
    comment(client, news["fi"], email="eero@example.fi")
    comment(client, news["sv"], email="eero@example.fi", message="Och på svenska: när slutar arbetet?")
    comment(client, news["fi"], email="liisa@example.fi")
    comment(client, news["fi"], message="Nimetön kommentti.")
    comment(client, news["fi"], message="Toinen nimetön kommentti.")
    eero = Conversation.objects.get(resident_address="eero@example.fi")
    assert eero.items.count() == 2
    assert Conversation.objects.filter(organisation=cast.org).count() == 4


def test_a_comment_sent_from_another_site_is_refused(client, news):
    post = news["fi"]
    assert comment(client, post, origin="https://evil.example").status_code == 403
    assert client.post(f"/fi/news/{post.pk}/comment/", {"message": "Hei"},
                       HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
    assert client.post(f"/fi/news/{post.pk}/comment/", {"message": "Hei"},
                       HTTP_REFERER="https://evil.example/form.html").status_code == 403
    assert not Item.objects.exists()
    assert client.post(f"/fi/news/{post.pk}/comment/", {"message": "Hei"},
                       HTTP_SEC_FETCH_SITE="same-origin").status_code == 302


def test_a_refused_comment_is_shown_again_with_what_was_typed(client, news):
    post = news["fi"]
    with translation.override("en"):
        response = client.post(f"/en/news/{post.pk}/comment/", {"message": "", "name": "Eero"})
    assert response.status_code == 404  # the English page has no such news: the post is Finnish
    with translation.override("en"):
        response = comment(client, post, message="x" * 6000, name="Eero Esimerkki")
    assert response.status_code == 400
    assert "x" * 6000 in response.text and 'value="Eero Esimerkki"' in response.text
    assert "no-store" in response["Cache-Control"]
    assert not Item.objects.exists()
    page = client.get(f"/fi/news/{post.pk}/comment/")
    assert page.status_code == 200 and f'action="/fi/news/{post.pk}/comment/"' in page.text


def test_a_comment_on_another_organisations_news_is_not_found(client, cast, publish, their_site):  # noqa: F811
    make_channel(cast.other_org, "website", "Toisen sivut")
    theirs = posts_of(publish({"fi": {"title": "Toisen uutinen", "body": "Teksti."}},
                              organisation=cast.other_org))["fi"]
    assert comment(client, theirs).status_code == 404
    assert comment(client, theirs, host=OTHER_HOST).status_code == 302
    assert Item.objects.get().organisation == cast.other_org


def test_the_inbox_answers_a_resident_who_left_an_address_by_email(client, cast, actor_of):
    from kanava.inbox.replies import do_reply, send_due
    from kanava.testing.smtp import SMTPServer

    with SMTPServer() as smtp:
        make_channel(cast.org, "email", "Palaute", config={
            "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_tls": False,
            "from_address": "uutiset@pikkula.fi", "reply_to": "palaute@pikkula.fi"})
        with translation.override("en"):
            feedback(client, language="en", email="aino@example.fi", message="Milloin uimahalli aukeaa?")
            conversation = Item.objects.get().conversation
            do_reply(actor_of(cast.moderator), conversation, "Hei Aino, uimahalli aukeaa syyskuussa.")
            assert send_due() == 1
    [sent] = smtp.messages
    assert sent.rcpt_tos == ["aino@example.fi"]
    assert str(sent.message["Subject"]) == "Re: Your feedback to Municipality of Pikkula"
    assert sent.message.get_content().startswith("Hei Aino, uimahalli aukeaa syyskuussa.")
