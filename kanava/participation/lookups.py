"""Finding a process for a view, with the organisation boundary and the kind checked."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from kanava.core.sites import organisation_for_request
from kanava.participation.models import Process


def public_process(request, slug: str, kind: str | None = None) -> Process:
    """A published (or archived) process of the site's organisation, or 404; of ``kind`` when given."""
    organisation = organisation_for_request(request)
    process = get_object_or_404(
        Process.objects.select_related("organisation", "topic"),
        organisation=organisation, slug=slug, state__in=[Process.State.PUBLISHED, Process.State.ARCHIVED],
    )
    if kind and process.kind != kind:
        raise Http404
    return process


def staff_process(request, pk: int, kind: str | None = None) -> Process:
    """A process of ``request.organisation`` (set by ``@staff_view``), any state, or 404."""
    process = get_object_or_404(Process.objects.select_related("organisation", "topic"),
                                organisation=request.organisation, pk=pk)
    if kind and process.kind != kind:
        raise Http404
    return process
