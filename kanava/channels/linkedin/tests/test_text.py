"""LinkedIn's little text format: what Kanava sends is what readers see."""

import pytest

from kanava.channels.linkedin.adapter import LinkedInConfig, escape_little, unescape_little
from kanava.testing.platforms.linkedin import read_little

TRICKY = [
    "Kunnanvaltuusto (kokous) päättää [liite] {asia} <tärkeä> @kunta | a~b *huom* _alleviivaus_ C:\\polku",
    "Sähköposti: kirjaamo@pikkula.fi – ks. https://pikkula.fi/uutiset/vesi_katko_(2026)",
    "#Pikkula ja #vesihuolto tänään, # yksin, #1 ja ## ja loppuun #",
    "Emojit 👨‍👩‍👧 ja rivit\n\nToinen kappale\\n ei ole rivinvaihto",
    "",
]


@pytest.mark.parametrize("text", TRICKY)
def test_escaped_text_reads_on_linkedin_exactly_as_written(text):
    commentary = escape_little(text)

    assert read_little(commentary) == text
    assert unescape_little(commentary) == text


def test_every_reserved_character_gets_a_backslash_and_hashtags_stay_hashtags():
    assert escape_little("(a) [b] {c} <d> @e |f ~g *h _i \\j") == (
        "\\(a\\) \\[b\\] \\{c\\} \\<d\\> \\@e \\|f \\~g \\*h \\_i \\\\j")
    assert escape_little("#Pikkula #kunta2026 # #") == "#Pikkula #kunta2026 \\# \\#"


def test_without_escaping_linkedin_would_cut_the_post_at_the_first_reserved_character():
    # What the stand-in does with raw text is what LinkedIn does: it answers 201 and cuts.
    assert read_little("Kokous (avoin) tänään") == "Kokous "
    assert read_little("Tervetuloa @[Pikkula](urn:li:organization:1) tänään") == "Tervetuloa Pikkula tänään"


@pytest.mark.parametrize("config, problem", [
    ({"api_version": "2026-09"}, "six digits"),
    ({"api_base_url": "api.linkedin.com"}, "API address"),
    ({"auth_base_url": ""}, "sign-in address"),
    ({"organization_id": "urn:li:organization:1"}, "page id is a number"),
])
def test_settings_that_cannot_work_are_explained(config, problem):
    problems = LinkedInConfig.load(config).problems()

    assert len(problems) == 1 and problem in problems[0]


def test_default_settings_point_at_linkedin_and_have_no_problems():
    config = LinkedInConfig.load({})

    assert config.api_base_url == "https://api.linkedin.com"
    assert config.auth_base_url == "https://www.linkedin.com"
    assert config.problems() == []
