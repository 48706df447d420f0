"""The confirm button of the check panel: one finding of the privacy guard may be published."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kanava.core.roles import Cap
from kanava.privacy import actions
from kanava.publishing.views_common import ACTION_ERRORS, actor, error_text, get_message, message_url, org_view


@org_view(Cap.DRAFT)
@require_POST
def confirm(request, pk: int):
    message = get_message(request, pk)
    try:
        actions.do_confirm(actor(request), message, request.POST.get("language", ""),
                           request.POST.get("kind", ""), request.POST.get("digest", ""))
    except ACTION_ERRORS as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Confirmed: this may be published in this message."))
    return redirect(message_url(message, "checks"))
