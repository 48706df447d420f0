"""Resident pages: the process list and page, follow, results, "you said, we did".

Pages for readers without a session are cached whole (as the news pages are, see
:mod:`kanava.site.cache`), keyed on the organisation's ``site_version`` and the
participation list version (the list) or the process's ``version`` (a process's pages),
bumped by every action residents can see.  Entries live a minute at most, so stored
counters and phases that start by the clock show within a minute.  A page whose
rendering asked for a CSRF token (a kind's form) is never cached.
"""

from __future__ import annotations

from functools import wraps

from django.apps import apps
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, Value, When
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kanava.core.sites import organisation_for_request
from kanava.participation import actions, identity
from kanava.participation.forms import FollowForm, ListFilterForm
from kanava.participation.lookups import public_process
from kanava.participation.manifest import Level, PhaseKind, kinds
from kanava.participation.models import Contribution, Follow, Outcome, OutcomeLink, Phase, Process
from kanava.participation.pages import labelled_counts, render_page, shell_context
from kanava.publishing.render import markdown_to_html
from kanava.site import cache as site_cache
from kanava.site.links import site_languages, url_in
from kanava.site.views import page_context

PAGE_SIZE = 20
CACHE_TTL = 60


def _language() -> str:
    return (get_language() or "fi")[:2]


# -- caching -------------------------------------------------------------------------

def _list_key(request, organisation_id: int, kwargs) -> str:
    return f"list{actions.list_version(organisation_id)}"


def _process_key(request, organisation_id: int, kwargs) -> str:
    version = (Process.objects.filter(organisation_id=organisation_id, slug=kwargs.get("process", ""))
               .values_list("version", flat=True).first())
    return f"process{version}"


def cached_page(key_of, params: tuple[str, ...] = ()):
    """Cache the page for readers without a session (see the module docstring)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return HttpResponseNotAllowed(["GET", "HEAD"])
            if site_cache.has_personal_state(request):
                return site_cache.private(view(request, *args, **kwargs))
            organisation_id, site_version = site_cache.site_state(request)
            version = f"{site_version}.{key_of(request, organisation_id, kwargs)}"
            key = site_cache.response_key(request, organisation_id, version, params)

            def cacheable(response):  # a page that asked for a CSRF token carries a form: one reader's
                return response.status_code == 200 and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")

            return site_cache.serve(request, key, lambda: view(request, *args, **kwargs), ttl=CACHE_TTL,
                                    cacheable=cacheable, private_when_not_cached=True)

        return wrapper

    return decorate


# -- the list --------------------------------------------------------------------------

def _open_now(now):
    """A published process with an input, vetting or voting phase running now or still to come."""
    running = Phase.objects.filter(process=OuterRef("pk")).exclude(kind=PhaseKind.RESULTS).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    return Exists(running)


def _page(query, number: str | None):
    paginator = Paginator(query, PAGE_SIZE)
    try:
        return paginator.page(number or 1)
    except (EmptyPage, PageNotAnInteger):
        if not number or number == "1":
            return paginator.page(1)
        raise Http404("No such page")


def _list_query(organisation, kind: str, topic: str, now):
    published_outcome = Outcome.objects.filter(process=OuterRef("pk"), published_at__isnull=False)
    registered = [k.kind for k in kinds()]
    query = (Process.objects.filter(organisation=organisation, kind__in=registered,
                                    state__in=[Process.State.PUBLISHED, Process.State.ARCHIVED])
             .annotate(is_open=Case(When(Q(state=Process.State.PUBLISHED) & _open_now(now), then=Value(True)),
                                 default=Value(False), output_field=BooleanField()),
                       has_outcome=Exists(published_outcome))
             .select_related("topic").prefetch_related("phases")
             .order_by("-is_open", "-published_at", "-id"))
    if kind:
        query = query.filter(kind=kind)
    if topic:
        query = query.filter(topic__slug=topic)
    return query


def _list_item(process, now) -> dict:
    phases = list(process.phases.all())
    current = next((p for p in phases if p.starts_at <= now and (p.ends_at is None or now < p.ends_at)), None)
    return {"process": process, "title": process.display_title(), "summary": process.text("summary"),
            "phase": current, "counts": labelled_counts(process), "is_open": process.is_open,
            "has_outcome": process.has_outcome, "manifest": process.manifest,
            "has_results": process.manifest.results is not None,
            "topic_name": process.topic.display_name() if process.topic else ""}


@cached_page(_list_key, params=("kind", "topic", "page"))
def process_list(request):
    organisation = organisation_for_request(request)
    language = _language()
    form = ListFilterForm(request.GET or None, organisation=organisation, language=language)
    now = timezone.now()
    query = _list_query(organisation, form.value("kind"), form.value("topic"), now)
    page = _page(query, request.GET.get("page"))
    items = []
    for process in page.object_list:
        process.organisation = organisation  # no query per process for texts in the organisation's languages
        items.append(_list_item(process, now))
    context = page_context(
        request, organisation, form=form, page_obj=page,
        open_items=[item for item in items if item["is_open"]],
        closed_items=[item for item in items if not item["is_open"]],
        filtered=bool(form.value("kind") or form.value("topic")),
        urls={code: url_in(code, "participation:list") for code in site_languages(organisation)},
    )
    with timezone.override(organisation.tz):
        return render(request, "participation/list.html", context)


# -- a process ---------------------------------------------------------------------------

@cached_page(_process_key)
def process_page(request, process: str):
    process = public_process(request, process)
    template, kind_context = process.manifest.main(request, process)
    context = {**shell_context(process), **kind_context, "kind_template": template,
               "has_outcome": _published_outcome(process) is not None}
    return render_page(request, process, "participation/process.html", context)


def _published_outcome(process):
    return Outcome.objects.filter(process=process, published_at__isnull=False).first()


@cached_page(_process_key)
def results(request, process: str):
    process = public_process(request, process)
    if process.manifest.results is None:
        raise Http404("No results for this kind")
    template, kind_context = process.manifest.results(process)
    context = {**kind_context, "kind_template": template, "has_outcome": _published_outcome(process) is not None,
               "page_title": _("Results: %(title)s") % {"title": process.display_title()}}
    return render_page(request, process, "participation/results.html", context)


def results_pdf(request, process: str):
    from kanava.participation.exports import results_pdf_bytes

    process = public_process(request, process)
    if process.manifest.results is None:
        raise Http404("No results for this kind")
    cache_key = f"kanava:participation:pdf:{process.pk}:{process.version}:{_language()}"
    pdf = cache.get(cache_key)
    if pdf is None:
        pdf = results_pdf_bytes(request, process, _language())
        cache.set(cache_key, pdf, 600)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{process.slug}-results.pdf"'
    return response


def source_counts(process) -> list[dict]:
    """Input by source (online, paper, phone, event, email) over every kind model of input."""
    totals: dict[str, int] = {}
    for model in apps.get_models():
        if issubclass(model, Contribution) and not model._meta.abstract:
            for row in model.objects.filter(process=process).values("source").annotate(n=Count("pk")).order_by():
                totals[row["source"]] = totals.get(row["source"], 0) + row["n"]
    labels = dict(Contribution.Source.choices)
    return [{"source": source, "label": labels[source], "count": totals[source]}
            for source in labels if totals.get(source)]


def linked_input(outcome) -> list[dict]:
    """The input staff tied to the decision, each with its note and a link when the item has one."""
    found = []
    for link in OutcomeLink.objects.filter(outcome=outcome).order_by("pk"):
        try:
            model = apps.get_model(link.item_type)
        except (LookupError, ValueError):
            continue
        item = model._default_manager.filter(pk=link.item_id, process=outcome.process_id).first() \
            if any(f.name == "process" for f in model._meta.fields) else None
        if item is None:
            continue
        url = item.get_absolute_url() if hasattr(item, "get_absolute_url") else ""
        from kanava.core.models import in_language

        label = item.outcome_label() if hasattr(item, "outcome_label") else str(item)
        found.append({"label": label, "url": url, "note": in_language(link.note, None, outcome.process.organisation)})
    return found


@cached_page(_process_key)
def outcome(request, process: str):
    from kanava.core.models import in_language

    process = public_process(request, process)
    found = _published_outcome(process)
    if found is None:
        raise Http404("No outcome published")
    organisation = process.organisation
    hook = process.manifest.outcome_items
    context = {
        "outcome": found,
        "outcome_html": markdown_to_html(in_language(found.text, None, organisation)),
        "decision_title": in_language(found.decision_title, None, organisation),
        "items": hook(process) if hook else [],
        "links": linked_input(found),
        "sources": source_counts(process),
        "counts": labelled_counts(process),
        "page_title": _("You said, we did: %(title)s") % {"title": process.display_title()},
    }
    return render_page(request, process, "participation/outcome.html", context)


# -- following ---------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def follow(request, process: str):
    process = public_process(request, process)
    participant, level = identity.current(request, process.organisation)
    if participant is None or level < Level.EMAIL:
        return redirect(identity.identify_url(request, process, "follow", Level.EMAIL))
    topic = process.topic
    topic_name = topic.display_name() if topic else ""
    form = FollowForm(request.POST or None, participant=participant, topic_name=topic_name)
    if not form.fields["channel"].choices:
        return redirect(identity.identify_url(request, process, "follow", Level.EMAIL))
    existing = Follow.objects.filter(participant=participant, process=process).first()
    if request.method == "GET" and existing:
        form.initial.update({"channel": existing.channel, "wants_digest": existing.wants_digest,
                             "wants_outcome": existing.wants_outcome})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.do_follow(identity.resident_actor(request, participant), participant, process,
                          channel=data["channel"], language=_language(), wants_digest=data["wants_digest"],
                          wants_outcome=data["wants_outcome"],
                          topic=topic if data.get("follow_topic") else None)
        messages.success(request, _("You now follow this process. You can stop at any time from the link in "
                                    "every message we send."))
        return redirect("participation:process", process.slug)
    status = 400 if request.method == "POST" else 200
    return render_page(request, process, "participation/follow.html",
                       {"form": form, "following": existing,
                        "page_title": _("Follow: %(title)s") % {"title": process.display_title()}}, status=status)


@require_http_methods(["GET", "POST"])
def stop_following(request, token: str):
    organisation = organisation_for_request(request)
    found = get_object_or_404(Follow.objects.select_related("process", "topic"), organisation=organisation,
                              token=token)
    subject = found.process.display_title() if found.process else found.topic.display_name()
    if request.method == "POST":
        actions.do_stop_following(identity.resident_actor(request, found.participant), found)
        context = page_context(request, organisation, subject=subject, stopped=True)
    else:
        context = page_context(request, organisation, subject=subject, stopped=False)
    context["page_title"] = _("Stop following")
    with timezone.override(organisation.tz):
        return render(request, "participation/stop_following.html", context)
