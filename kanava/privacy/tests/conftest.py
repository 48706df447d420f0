"""The publishing tests' fixtures (a website channel, drafts, logged-in clients), reused here."""

from kanava.publishing.tests.conftest import _media_in_tmp, as_person, draft, website  # noqa: F401
