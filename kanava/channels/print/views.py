"""Staff pages of the print channel: download a bulletin, preview an unpublished one.

Only members of the organisation get anything; everyone else gets 404
(``staff_view`` resolves the organisation with ``organisation_for``).
"""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from kanava.channels.print.models import Bulletin
from kanava.channels.print.render import Text, render_bulletin
from kanava.core.decorators import staff_view
from kanava.core.roles import Cap
from kanava.publishing.models import Message


@require_GET
@staff_view(Cap.VIEW)
def download(request, pk: int, large: bool = False):
    bulletin = get_object_or_404(Bulletin.objects.select_related("message"), pk=pk,
                                 organisation=request.organisation)
    field = bulletin.large_print_file if large else bulletin.file
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="application/pdf", as_attachment=False,
                            filename=_filename(bulletin.message, large))
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@staff_view(Cap.VIEW)
def preview(request, message_id: int):
    """The bulletin as it would be printed now, from the print variants when there are some."""
    message = get_object_or_404(Message.objects.select_related("organisation"), pk=message_id,
                                organisation=request.organisation)
    large = request.GET.get("large") in {"1", "true", "yes"}
    pdf = render_bulletin(message, large_print=large, texts=_print_texts(message) or None)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(message, large)}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _print_texts(message) -> dict[str, Text]:
    versions = {v.language: v for v in message.versions.all()}
    texts = {}
    for variant in message.variants.filter(channel__kind="print").order_by("channel_id"):
        if variant.language in texts or variant.language not in versions:
            continue
        texts[variant.language] = Text(title=variant.title, body=variant.text,
                                       summary=versions[variant.language].summary)
    return texts


def _filename(message, large: bool) -> str:
    version = message.primary_version()
    stem = slugify(version.title if version else "")[:60] or f"message-{message.pk}"
    return f"{stem}-large-print.pdf" if large else f"{stem}.pdf"
