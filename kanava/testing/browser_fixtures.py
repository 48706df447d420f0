"""Pytest fixtures for browser tests (register with ``pytest_plugins`` or import into a conftest).

- ``browser``: one headless Chromium per test module (skips the test when
  Chromium is missing).
- ``new_page``: a factory, ``new_page(width=1280, javascript=True)``, giving a
  fresh page (its own context) that serves uploaded media; closed after the test.
- ``browser_page``: ``new_page()`` at 1280 px wide with JavaScript on.

Use them with pytest-django's ``live_server`` (which makes the test
transactional: the server thread sees the test's data) and mark the tests
``@pytest.mark.browser``.
"""

from __future__ import annotations

import os

import pytest

from kanava.testing import browser as browser_tools

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@pytest.fixture(scope="module")
def browser():
    if browser_tools.chromium_path() is None:
        pytest.skip("Chromium is not installed (make test installs it).")
    # Playwright's sync API leaves an event loop running in this thread; the
    # test's own ORM calls are still synchronous, so Django's guard must not fire.
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with browser_tools.chromium() as chromium:
            yield chromium
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def new_page(browser, settings):
    contexts = []

    def make(width: int = 1280, height: int = 900, javascript: bool = True, locale: str = "fi-FI"):
        context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=javascript,
                                      locale=locale)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        browser_tools.serve_media(page, settings.MEDIA_URL, lambda: settings.MEDIA_ROOT)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def browser_page(new_page):
    return new_page()
