"""What every resident page of a process shows around the kind's content.

Kind views render templates that extend ``participation/process_base.html`` with
``process_context(request, process)`` plus their own context, through :func:`render_page`.
"""

from django.shortcuts import render
from django.urls import translate_url
from django.utils import timezone

from kanava.participation import identity
from kanava.site.views import page_context


def same_page_in_languages(request, languages) -> dict[str, str]:
    """This page's address in each language (the language switcher keeps the reader on the page)."""
    path = request.get_full_path()
    return {language: translate_url(path, language) for language in languages}


def process_context(request, process, **extra) -> dict:
    participant, level = identity.current(request, process.organisation)
    languages = process.languages or process.organisation.required_languages
    context = page_context(request, process.organisation, urls=same_page_in_languages(request, languages))
    context.update({
        "process": process,
        "manifest": process.manifest,
        "phase": process.current_phase(timezone.now()),
        "participant": participant,
        "identity_level": level,
        "page_title": process.display_title(),
    })
    context.update(extra)
    return context


def render_page(request, process, template: str, context: dict, status: int = 200):
    """Render a resident page of ``process`` in the organisation's time zone."""
    with timezone.override(process.organisation.tz):
        return render(request, template, process_context(request, process, **context), status=status)
