from django.utils import translation

from kanava.channels.email.tests.conftest import BILINGUAL
from kanava.publishing import actions
from kanava.publishing.checks import check_message


def draft(cast, actor_of, newsletter, versions=BILINGUAL):
    return actions.do_create_message(actor_of(cast.editor), cast.org, versions=versions, channels=[newsletter])


def codes(message, newsletter):
    with translation.override("en"):
        return sorted((p.code, p.language) for p in check_message(message).per_channel[newsletter.pk])


def test_the_email_variant_is_the_title_as_subject_and_the_markdown_body(cast, actor_of, newsletter):
    message = draft(cast, actor_of, newsletter)
    variant = message.variants.get(channel=newsletter, language="fi")
    assert variant.title == "Vesikatko Kirkkotiellä"
    assert variant.text == BILINGUAL["fi"]["body"]
    assert codes(message, newsletter) == []


def test_a_subject_over_150_characters_is_too_long(cast, actor_of, newsletter):
    message = draft(cast, actor_of, newsletter)
    variant = message.variants.get(channel=newsletter, language="sv")
    actions.do_edit_variant(actor_of(cast.editor), variant, title="Å" * 151, text=variant.text)

    assert codes(message, newsletter) == [("too_long", "sv")]
    with translation.override("en"):
        problem = check_message(message).per_channel[newsletter.pk][0]
    assert "151 of 150" in problem.message


def test_an_empty_email_text_blocks_publishing(cast, actor_of, newsletter):
    message = draft(cast, actor_of, newsletter)
    variant = message.variants.get(channel=newsletter, language="fi")
    actions.do_edit_variant(actor_of(cast.editor), variant, title=variant.title, text="   ")

    assert codes(message, newsletter) == [("body_missing", "fi")]
    assert not check_message(message).ok
