"""What every resident page of a process shows around the kind's content.

Kind views render templates that extend ``participation/process_base.html`` with
``process_context(request, process)`` plus their own context, through :func:`render_page`.
The header (title, kind, current phase and its end, links to the process's pages)
is the same on every page of a process; the process page itself adds the body,
timeline and who may take part (:func:`shell_context`).
"""

from django.shortcuts import render
from django.urls import reverse, translate_url
from django.utils import timezone

from kanava.participation import identity
from kanava.participation.manifest import Level
from kanava.site.views import page_context


def same_page_in_languages(request, languages) -> dict[str, str]:
    """This page's address in each language (the language switcher keeps the reader on the page)."""
    path = request.get_full_path()
    return {language: translate_url(path, language) for language in languages}


def _phases(process, now) -> tuple[list, object]:
    """The phases (one query, or none when prefetched) and the one running now."""
    phases = list(process.phases.all())
    current = next((p for p in phases if p.starts_at <= now and (p.ends_at is None or now < p.ends_at)), None)
    for phase in phases:
        phase.is_current = phase is current
        phase.is_past = phase.ends_at is not None and phase.ends_at <= now
    return phases, current


def has_outcome(process) -> bool:
    """Whether "you said, we did" is public; remembered per process version (publishing bumps it)."""
    from django.core.cache import cache

    from kanava.participation.models import Outcome

    key = f"kanava:participation:has_outcome:{process.pk}:{process.version}"
    found = cache.get(key)
    if found is None:
        found = Outcome.objects.filter(process=process, published_at__isnull=False).exists()
        cache.set(key, found, 3600)
    return found


def process_context(request, process, **extra) -> dict:
    participant, level = identity.current(request, process.organisation)
    languages = process.languages or process.organisation.required_languages
    context = page_context(request, process.organisation, urls=same_page_in_languages(request, languages))
    now = timezone.now()
    phases, current = _phases(process, now)
    context.update({
        "process": process,
        "manifest": process.manifest,
        "phase": current,
        "phases": phases,
        "participant": participant,
        "identity_level": level,
        "page_title": process.display_title(),
        "process_title": process.display_title(),
        "process_summary": process.text("summary"),
        "results_url": reverse("participation:results", args=[process.slug]) if process.manifest.results else "",
        "follow_url": reverse("participation:follow", args=[process.slug]),
    })
    context.update(extra)
    return context


def shell_context(process) -> dict:
    """The process page's own parts: body, image, matter, who may take part with which identification."""
    from kanava.publishing.render import markdown_to_html

    manifest = process.manifest
    actions = []
    for action in manifest.actions:
        level = process.level_for(action.name)
        actions.append({"label": action.label, "level": level, "level_label": level.label,
                        "anonymous": level == Level.NONE})
    return {
        "body_html": markdown_to_html(process.text("body")),
        "image_alt": process.text("image_alt"),
        "contact": process.text("contact"),
        "topic_name": process.topic.display_name() if process.topic else "",
        "actions": actions,
        "counts": labelled_counts(process),
    }


def labelled_counts(process) -> list[dict]:
    """The kind's headline figures with labels (``extra["count_labels"]`` or the figure's name)."""
    hook = process.manifest.counts
    if hook is None:
        return []
    labels = process.manifest.extra.get("count_labels", {})
    return [{"name": name, "label": labels.get(name, name.replace("_", " ").capitalize()), "value": value}
            for name, value in hook(process).items()]


def render_page(request, process, template: str, context: dict, status: int = 200):
    """Render a resident page of ``process`` in the organisation's time zone."""
    with timezone.override(process.organisation.tz):
        extra = {name: value for name, value in context.items() if name != "process"}  # a kind's may carry it
        return render(request, template, process_context(request, process, **extra), status=status)
