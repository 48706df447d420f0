"""Shared setup for the duty-to-inform tests: matters, and messages published through the real actions."""

import datetime as dt

import pytest
from freezegun import freeze_time

from kanava.matters import actions
from kanava.participation import actions as participation
from kanava.publishing import actions as publishing

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def _english(settings):
    """The tests read the English texts, whatever language a page is in (translations are tested elsewhere)."""
    settings.LOCALE_PATHS = []


def at(days: float) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


class Desk:
    """The lead at work: enters matters, publishes messages and processes at given moments."""

    def __init__(self, cast, actor):
        self.cast, self.actor = cast, actor

    def matter(self, number, when=0, **values):
        values.setdefault("title", {"fi": f"Asia {number}", "sv": f"Ärende {number}"})
        values.setdefault("summary", {"fi": "Tiivistelmä.", "sv": "Sammandrag."})
        with freeze_time(at(when)):
            return actions.create_matter(self.actor, self.cast.org, case_number=number, **values)

    def stage(self, matter, stage, when):
        with freeze_time(at(when)):
            return actions.set_stage(self.actor, matter, stage)

    def publish(self, matter, when, languages=("fi", "sv"), versions=None, organisation=None):
        """A message about ``matter`` with ``versions`` (default: title and body in ``languages``), published."""
        versions = versions or {code: {"title": f"Otsikko {code} {matter.case_number}", "body": f"Teksti {code}."}
                                for code in languages}
        with freeze_time(at(when)):
            message = publishing.do_create_message(self.actor, organisation or self.cast.org, versions=versions)
            actions.link_message(self.actor, matter, message)
            publishing.do_submit_for_review(self.actor, message)
            publishing.do_approve(self.actor, message)
            publishing.do_publish(self.actor, message)
        return message

    def process(self, matter, when, languages=("fi", "sv"), publish=True, slug=None):
        with freeze_time(at(when)):
            process = participation.do_create_process(
                self.actor, self.cast.org, kind="hearing", slug=slug or f"p{matter.pk}",
                title={code: f"Kuuleminen {code}" for code in languages}, languages=list(languages),
                phases=[participation.PhaseData(kind="input", starts_at=at(when),
                                                ends_at=at(when + 30))])
            if publish:
                participation.do_publish_process(self.actor, process)
            actions.link_process(self.actor, matter, process)
        return process


@pytest.fixture
def desk(cast, actor_of):
    return Desk(cast, actor_of(cast.lead))


def finnish_only_window(organisation):
    """The organisation as it was before Swedish became required (a message then needed Finnish only)."""
    class Window:
        def __enter__(self):
            organisation.required_languages = ["fi"]
            organisation.save(update_fields=["required_languages"])

        def __exit__(self, *exc):
            organisation.required_languages = ["fi", "sv"]
            organisation.save(update_fields=["required_languages"])

    return Window()
