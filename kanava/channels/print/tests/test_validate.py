"""Before publishing: the editor is warned when the bulletin would run past its page limit."""

import pytest

from kanava.channels.print.adapter import estimate_pages
from kanava.channels.print.render import render
from kanava.channels.print.tests.conftest import add_image
from kanava.publishing.checks import check_message
from kanava.testing.personas import make_channel, make_person

PARAGRAPH = ("Kunnanhallitus käsittelee ensi viikolla esitystä, jonka mukaan Kirkkotien vesijohto uusitaan "
             "kesän aikana. Työt aiheuttavat lyhyitä katkoja veden jakeluun, ja niistä tiedotetaan erikseen. ") * 2


def bilingual(paragraphs: int) -> dict:
    body = "\n\n".join([PARAGRAPH] * paragraphs)
    return {"fi": {"title": "Vesijohdon uusiminen", "body": body},
            "sv": {"title": "Förnyelse av vattenledningen", "body": body}}


def page_problems(message, channel):
    return [p for p in check_message(message).per_channel.get(channel.pk, []) if p.code == "too_many_pages"]


def test_a_short_message_fits_and_gets_no_warning(cast, make_message, print_channel):
    message = make_message(channels=[print_channel])
    assert page_problems(message, print_channel) == []


def test_a_long_message_gets_a_warning_that_does_not_block_publishing(cast, make_message, print_channel):
    message = make_message(versions=bilingual(12), channels=[print_channel])

    problems = page_problems(message, print_channel)

    assert {p.language for p in problems} == {"fi", "sv"}
    assert all(p.severity == "warning" and not p.blocks for p in problems)
    assert "Ilmoitustaulu" in problems[0].message and "2" in problems[0].message
    assert check_message(message).ok


def test_the_page_limit_comes_from_the_channel_configuration(cast, make_message):
    strict = make_channel(cast.org, "print", "Tiukka", config={"max_pages": 1})
    relaxed = make_channel(cast.org, "print", "Väljä", config={"max_pages": 10})
    message = make_message(versions=bilingual(5), channels=[strict, relaxed])

    assert page_problems(message, strict) and not page_problems(message, relaxed)


def test_images_count_towards_the_pages(cast, make_message, print_channel):
    message = make_message(versions=bilingual(2), channels=[print_channel])
    variant = message.variants.get(channel=print_channel, language="fi")
    before = estimate_pages(variant)
    for _ in range(3):
        add_image(message)
    assert estimate_pages(variant) > before


@pytest.mark.parametrize("paragraphs", [1, 6, 20])
@pytest.mark.parametrize("bilingual_org", [True, False])
def test_the_estimate_is_within_a_page_of_the_real_bulletin(cast, make_message, paragraphs, bilingual_org):
    if bilingual_org:
        organisation, author, versions = cast.org, cast.editor, bilingual(paragraphs)
    else:
        organisation = cast.other_org
        author = make_person(organisation, "editor", "editor@toinen.fi")
        versions = {"fi": bilingual(paragraphs)["fi"]}
    channel = make_channel(organisation, "print")
    message = make_message(versions=versions, organisation=organisation, author=author, channels=[channel])

    estimate = estimate_pages(message.variants.get(channel=channel, language="fi"))

    assert abs(estimate - render(message).pages) <= 1
