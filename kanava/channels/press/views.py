"""The press list page: who receives press releases, in which language.

Thin: the form parses, actions change things.  Members without
MANAGE_CHANNELS get 403; people of other organisations 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kanava.channels.press import actions
from kanava.channels.press.forms import PressContactForm
from kanava.channels.press.models import PressContact
from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.navigation import staff_context
from kanava.core.roles import Cap

PAGE_SIZE = 50


@staff_view(Cap.MANAGE_CHANNELS)
def contacts(request):
    organisation = request.organisation
    form = PressContactForm(request.POST or None, initial={"language": organisation.majority_language})
    if request.method == "POST" and form.is_valid():
        try:
            contact = actions.do_add_contact(Actor.from_request(request), organisation, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(newsroom)s now receives press releases.")
                             % {"newsroom": contact.newsroom})
            return redirect("channel_press_urls:contacts", org=organisation.slug)
    contacts = PressContact.objects.filter(organisation=organisation)
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "press/contacts.html", {
        **staff_context(request, "channel_press_urls:contacts"),
        "form": form, "page_obj": page, "contacts": page.object_list,
    })


@require_POST
@staff_view(Cap.MANAGE_CHANNELS)
def deactivate(request, pk: int):
    contact = get_object_or_404(PressContact, pk=pk, organisation=request.organisation)
    actions.do_deactivate_contact(Actor.from_request(request), contact)
    messages.success(request, _("%(contact)s no longer receives press releases.") % {"contact": contact})
    return redirect("channel_press_urls:contacts", org=request.organisation.slug)


@require_POST
@staff_view(Cap.MANAGE_CHANNELS)
def reactivate(request, pk: int):
    contact = get_object_or_404(PressContact, pk=pk, organisation=request.organisation)
    actions.do_reactivate_contact(Actor.from_request(request), contact)
    messages.success(request, _("%(contact)s receives press releases again.") % {"contact": contact})
    return redirect("channel_press_urls:contacts", org=request.organisation.slug)

