"""Staff pages: list, add, import and unsubscribe subscribers of one organisation."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kanava.audience import actions
from kanava.audience.forms import AddSubscriberForm, FilterForm, ImportForm
from kanava.audience.models import Subscriber
from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.roles import Cap

PAGE_SIZE = 50


def _list_url(request) -> str:
    from django.urls import reverse

    return reverse("audience_staff:list", kwargs={"org": request.organisation.slug})


@staff_view(Cap.MANAGE_SUBSCRIBERS)
def subscriber_list(request):
    filters = FilterForm(request.GET or None)
    query = filters.apply(Subscriber.objects.filter(organisation=request.organisation)).order_by("-id")
    page = Paginator(query.only("id", "kind", "address", "language", "state", "source", "created_at",
                                "all_topics"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audience/staff/list.html", {
        "filters": filters, "page_obj": page, "subscribers": page.object_list,
        "organisation": request.organisation,
    })


@staff_view(Cap.MANAGE_SUBSCRIBERS)
@require_http_methods(["GET", "POST"])
def add(request):
    form = AddSubscriberForm(request.POST if request.method == "POST" else None,
                             organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subscriber = actions.do_add_subscriber(
                Actor.from_request(request), request.organisation, address=data["email"],
                language=data["language"], topics=form.chosen_topics(), consent_given=data["consent_given"])
        except (actions.SubscriptionError, ValidationError) as error:
            form.add_error("email", error.messages[0] if isinstance(error, ValidationError) else str(error))
        else:
            if subscriber.state == Subscriber.State.CONFIRMED:
                messages.success(request, _("%(address)s now receives the newsletter.") % {"address": subscriber})
            else:
                messages.success(request, _("%(address)s was sent a confirmation email.") % {"address": subscriber})
            return redirect(_list_url(request))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "audience/staff/add.html", {"form": form, "organisation": request.organisation},
                  status=status)


@staff_view(Cap.MANAGE_SUBSCRIBERS)
@require_http_methods(["GET", "POST"])
def import_csv(request):
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None,
                      organisation=request.organisation)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = actions.do_import_subscribers(
                Actor.from_request(request), request.organisation, upload.file,
                default_language=form.cleaned_data["default_language"],
                consent_given=form.cleaned_data["consent_given"], filename=upload.name)
        except actions.SubscriptionError as error:
            form.add_error(None, str(error))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "audience/staff/import.html",
                  {"form": form, "report": report, "organisation": request.organisation}, status=status)


@staff_view(Cap.MANAGE_SUBSCRIBERS)
@require_POST
def unsubscribe(request, pk: int):
    subscriber = get_object_or_404(Subscriber, pk=pk, organisation=request.organisation)
    actions.do_unsubscribe_subscriber(Actor.from_request(request), subscriber)
    messages.success(request, _("%(address)s no longer receives messages.") % {"address": subscriber})
    return redirect(request.POST.get("next") if _safe_next(request) else _list_url(request))


def _safe_next(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                            require_https=request.is_secure())
