"""Headless Chromium for tests: accessibility checks with axe-core and screenshots.

Debian's Chromium (``/usr/bin/chromium``; ``make test`` installs it) is driven
through Playwright's sync API.  ``axe_violations`` injects the axe-core build
that the ``axe-playwright-python`` package ships and runs it with the WCAG 2.1
A and AA rules.  Screenshots go to ``test-artifacts/screenshots/``
(gitignored) for a person to look at.

Playwright's sync API keeps an asyncio event loop running in the calling
thread, which Django's async-safety guard mistakes for async code; callers
that use the ORM while a browser is open set ``DJANGO_ALLOW_ASYNC_UNSAFE``
(see :func:`kanava.testing.browser_fixtures.browser`).
"""

from __future__ import annotations

import json
import mimetypes
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = os.environ.get("KANAVA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARTIFACTS = Path(os.environ.get("KANAVA_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))
SCREENSHOTS = ARTIFACTS / "screenshots"


def chromium_path() -> str | None:
    """The Chromium executable, or None when it is not installed."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    return shutil.which("chromium")


@contextmanager
def chromium():
    """``with chromium() as browser:`` a headless Chromium Browser (Playwright)."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("Chromium is not installed: run `apt-get install -y chromium` (make test does).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def _axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now; every WCAG 2.1 A/AA violation found.

    Each violation is axe's own dict (``id``, ``impact``, ``help``, ``nodes``...).
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=_axe_source())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return result["violations"]


def describe(violations: list[dict]) -> str:
    """A readable summary for an assertion message."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation.get('impact')}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {json.dumps(node['target'])}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG as ``test-artifacts/screenshots/<name>.png`` and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path


def serve_media(page, media_url: str, media_root) -> None:
    """Answer requests for uploaded files from ``media_root`` (a path, or a callable giving one).

    Django's live server serves static files but not uploads; this lets a
    page show the images a test uploaded.
    """

    def handle(route):
        from urllib.parse import unquote, urlsplit

        root = Path(media_root() if callable(media_root) else media_root).resolve()
        relative = unquote(urlsplit(route.request.url).path)[len(media_url):]
        target = (root / relative).resolve()
        if root not in target.parents or not target.is_file():
            route.fulfill(status=404, body="")
            return
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        route.fulfill(status=200, body=target.read_bytes(), headers={"Content-Type": content_type})

    page.route(f"**{media_url}**", handle)


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")
