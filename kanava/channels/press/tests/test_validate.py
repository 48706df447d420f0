"""Before publishing: the editor learns when a language version would reach no newsroom."""

from django.utils import translation

from kanava.publishing.checks import check_message


def problems(release, channel):
    return [p for p in check_message(release).per_channel.get(channel.pk, []) if p.code == "no_press_contacts"]


def test_the_editor_is_warned_when_no_newsroom_takes_a_language(cast, newsrooms, release, press_channel):
    newsrooms["hbl"].delete()

    with translation.override("en"):
        found = problems(release, press_channel)

    assert [(p.language, p.severity) for p in found] == [("sv", "warning")]
    assert "Swedish" in found[0].message and "Tiedotteet" in found[0].message
    assert check_message(release).ok


def test_no_warning_when_every_language_has_newsrooms(cast, newsrooms, release, press_channel):
    assert problems(release, press_channel) == []
