"""An unsure abusive guess must not take a resident's message out of the answer queue."""

import pytest

from kanava.channels.base import Incoming
from kanava.inbox.analysis import Analysis
from kanava.inbox.intake import take_in

pytestmark = pytest.mark.django_db


def test_an_unsure_threat_guess_keeps_the_conversation_due_and_a_sure_one_goes_to_moderation(cast):
    unsure = take_in(cast.org, "web", Incoming(external_id="w-1", text="Ei ole vieläkään aurattu!"),
                     analysis=Analysis(language="fi", kind="threat", confidence=0.31))
    sure = take_in(cast.org, "web", Incoming(external_id="w-2", text="Tiedän missä asut."),
                   analysis=Analysis(language="fi", kind="threat", confidence=0.93))

    assert unsure.kind == "threat" and unsure.abusive, "the item itself is still blurred for safety"
    assert unsure.conversation.kind == "" and unsure.conversation.due_at is not None
    assert sure.conversation.kind == "threat" and sure.conversation.due_at is None
