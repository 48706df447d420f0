"""Message text: Markdown in, sanitised HTML or plain text out."""

import re

import nh3
from markdown_it import MarkdownIt

# Raw HTML in the source is escaped, never passed through; the result is
# sanitised again so nothing a user typed can run in a resident's browser.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote", "table",
                "thead", "tbody", "tr", "th", "td", "code", "pre", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
LINK_RE = re.compile(r"\[([^\]]*)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|(?<![(\[])\b(https?://[^\s<>)\]]+)")


def sanitise_html(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer")


def markdown_to_html(text: str) -> str:
    # Headings in a message start at level 2: the page has the title as h1.
    html = _md.render(text or "")
    html = re.sub(r"<(/?)h1>", r"<\1h2>", html)
    return sanitise_html(html)


def markdown_to_text(text: str) -> str:
    """Plain text for SMS, social posts and email text parts: links as 'text (url)'."""

    def link(match):
        if match.group(3):
            return match.group(3)
        label, url = match.group(1), match.group(2)
        return f"{label} ({url})" if label and label != url else url

    text = LINK_RE.sub(link, text or "")
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])", r"\2", text)
    text = re.sub(r"^\s*[-*+]\s+", "• ", text, flags=re.M)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def links_in(text: str) -> list[str]:
    """Every http(s) link in a Markdown text, in order, without repeats."""
    seen: list[str] = []
    for match in LINK_RE.finditer(text or ""):
        url = match.group(2) or match.group(3)
        if url and url.startswith(("http://", "https://")) and url not in seen:
            seen.append(url)
    return seen
