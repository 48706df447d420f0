"""Resident pages of an opinion map's results: the map page, the report and its PDF, the map alone as SVG.

Thin views: the context comes from ``results.results_context`` (the stored result only; the
math never runs in a request).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import get_language

from kanava.participation.kinds.opinions import mapsvg, results
from kanava.participation.kinds.opinions.models import MathState
from kanava.participation.lookups import public_process
from kanava.participation.pages import render_page


def _language() -> str:
    return (get_language() or "fi")[:2]


def current_voter_number(request, process) -> int | None:
    """The viewer's voter number, to mark "You" on the map; None when they have not voted here."""
    from kanava.participation.kinds.opinions import views

    current = getattr(views, "current_voter", None)  # the voting side's lookup of the request's voter
    voter = current(request, process) if current is not None else None
    return voter.number if voter is not None else None


your_number = current_voter_number


def results_page(request, process):
    process = public_process(request, process, kind="opinions")
    context = results.results_context(process, _language(), you=current_voter_number(request, process))
    return render_page(request, process, "opinions/results/results.html", context)


def report(request, process):
    process = public_process(request, process, kind="opinions")
    return render_page(request, process, "opinions/results/report.html", results.results_context(process, _language()))


def report_pdf(request, process):
    from django.core.cache import cache

    from kanava.participation.exports import filename, results_pdf_bytes

    process = public_process(request, process, kind="opinions")
    language = _language()
    # One rendering per map, language and version of the process (WeasyPrint takes a while).
    computed = MathState.objects.filter(pk=process.pk).values_list("computed_at", flat=True).first()
    key = f"opinions:report-pdf:{process.pk}:{process.version}:{language}:{computed.timestamp() if computed else 0}"
    body = cache.get(key)
    if body is None:
        body = results_pdf_bytes(request, process, language)
        cache.set(key, body, 3600)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename(process, "pdf")}"'
    return response


def map_svg(request, process):
    process = public_process(request, process, kind="opinions")
    _state, result = results.stored_result(process)
    result = result or {}
    group_ids = [group["id"] for group in result.get("groups", [])]
    svg = mapsvg.render(result.get("coordinates", {}), result.get("participants", {}), group_ids,
                        you=current_voter_number(request, process))
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
