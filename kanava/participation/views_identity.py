"""Identification flows and "my data" (resident pages).

``identify``: ``/<lang>/participate/identify/?level=email|sms|strong&next=&process=&action=``
explains what the action needs and why, and offers the ways that reach the level; each
step is a POST to the same address (``step`` = email, sms, code, link, again, strong).
``my_data``: what we hold about the identified resident, as a page and as JSON
(``?format=json``), deletion with a confirmation step, and signing out.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django import forms
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanava.core.sites import organisation_for_request, site_base_url
from kanava.participation import identify as flows
from kanava.participation import identity, saml
from kanava.participation.manifest import Level
from kanava.participation.models import Process
from kanava.site.views import page_context

PENDING_KEY = "participation_identify"  # the code being waited for: channel, verification id, target


# -- forms -------------------------------------------------------------------------------------

class _Honeypot(forms.Form):
    # Left empty by people (it is hidden); bots fill in every field they see.
    website = forms.CharField(required=False, label=gettext_lazy("Leave this field empty"),
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class EmailForm(_Honeypot):
    email = forms.CharField(
        label=gettext_lazy("Your email address"), max_length=254,
        error_messages={"required": gettext_lazy("Enter your email address."),
                        "max_length": gettext_lazy("Enter a valid email address, for example name@example.fi.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"}))

    def clean_email(self):
        return flows.normalise_email(self.cleaned_data["email"])


class PhoneForm(_Honeypot):
    phone = forms.CharField(
        label=gettext_lazy("Your mobile phone number"), max_length=40,
        help_text=gettext_lazy("For example 040 123 4567 or +358 40 123 4567."),
        error_messages={"required": gettext_lazy("Enter your mobile phone number.")},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))

    def clean_phone(self):
        return flows.normalise_phone(self.cleaned_data["phone"])


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"), max_length=12, help_text=gettext_lazy("Six digits."),
        error_messages={"required": gettext_lazy("Enter the code you received.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


# -- helpers -----------------------------------------------------------------------------------

def _language() -> str:
    return (translation.get_language() or "fi")[:2]


def safe_next(request, value: str | None) -> str:
    """``value`` when it is a path on this site, else the participation front page."""
    value = (value or "").strip()
    if value.startswith("/") and not value.startswith("//") and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return value
    return reverse("participation:list")


def _needed(request) -> Level:
    try:
        level = Level.parse(request.GET.get("level") or "email")
    except (KeyError, ValueError):
        level = Level.EMAIL
    return max(level, Level.EMAIL)


def _process_and_action(request, organisation):
    """The process and action label the page explains (only the organisation's published processes)."""
    try:
        pk = int(request.GET.get("process") or 0)
    except ValueError:
        return None, ""
    process = Process.objects.filter(organisation=organisation, pk=pk, state=Process.State.PUBLISHED).first()
    if process is None:
        return None, ""
    try:
        return process, process.manifest.action(request.GET.get("action", "")).label
    except KeyError:
        return process, ""


def _query(request, **extra) -> str:
    values = {k: request.GET.get(k, "") for k in ("level", "next", "process", "action") if request.GET.get(k)}
    values.update(extra)
    return urlencode(values)


def _this_page(request) -> str:
    return f"{reverse('participation:identify')}?{_query(request)}"


def _pending(request, organisation) -> dict | None:
    pending = request.session.get(PENDING_KEY)
    if pending and pending.get("organisation") == organisation.pk:
        return pending
    return None


def _render(request, organisation, template: str, context: dict, status: int = 200):
    full = page_context(request, organisation)
    full.update(context)
    with timezone.override(organisation.tz):
        return render(request, template, full, status=status)


# -- identify ------------------------------------------------------------------------------------

def identify(request):
    organisation = organisation_for_request(request)
    needed = _needed(request)
    next_url = safe_next(request, request.GET.get("next"))
    participant, level = identity.current(request, organisation)
    token = request.POST.get("token") or request.GET.get("token") or ""
    if request.method == "GET" and level >= needed and not token:
        return redirect(next_url)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    methods = flows.methods_for(organisation, needed)
    state = {"organisation": organisation, "needed": needed, "next_url": next_url, "participant": participant,
             "methods": methods, "forms": {}, "error": ""}
    if request.method == "POST":
        response = _step(request, state, request.POST.get("step", ""))
        if response is not None:
            return response
    return _identify_page(request, state, token)


def _step(request, state: dict, step: str):
    organisation, methods = state["organisation"], state["methods"]
    actor = identity.resident_actor(request, state["participant"])
    language = _language()
    try:
        if step == flows.EMAIL and flows.EMAIL in methods:
            return _send_email(request, state, actor, language)
        if step == flows.SMS and flows.SMS in methods:
            return _send_sms(request, state, actor, language)
        if step == "code":
            return _check_code(request, state, actor, language)
        if step == "link":
            return _follow_link(request, state, actor, language)
        if step == "again":
            request.session.pop(PENDING_KEY, None)
            return redirect(_this_page(request))
        if step == flows.STRONG and flows.STRONG in methods:
            return saml.start(request, next_url=state["next_url"], organisation=organisation, language=language)
    except flows.IdentifyError as error:
        form = state["forms"].get(step)
        if form is not None:  # shown at the form (and its field), where the resident types again
            form.add_error("code" if step == "code" else None, str(error))
        else:
            state["error"] = str(error)
        return None
    state["error"] = _("Choose one of the ways of identifying below.")
    return None


def _send_email(request, state, actor, language):
    form = EmailForm(request.POST, prefix="email")
    state["forms"]["email"] = form
    if not form.is_valid():
        return None
    if form.is_bot:
        return redirect(_this_page(request))
    address = form.cleaned_data["email"]
    base = site_base_url(state["organisation"])

    def link_for(token: str) -> str:
        return f"{base}{reverse('participation:identify')}?{_query(request, token=token)}"

    verification = flows.do_send_email_code(actor, state["organisation"], address=address, language=language,
                                            link_for=link_for)
    _remember(request, state["organisation"], verification, address)
    return redirect(_this_page(request))


def _send_sms(request, state, actor, language):
    form = PhoneForm(request.POST, prefix="sms")
    state["forms"]["sms"] = form
    if not form.is_valid():
        return None
    if form.is_bot:
        return redirect(_this_page(request))
    phone = form.cleaned_data["phone"]
    verification = flows.do_send_sms_code(actor, state["organisation"], phone=phone, language=language)
    _remember(request, state["organisation"], verification, phone)
    return redirect(_this_page(request))


def _remember(request, organisation, verification, target: str) -> None:
    request.session[PENDING_KEY] = {"organisation": organisation.pk, "verification": verification.pk,
                                    "channel": verification.channel, "target": target,
                                    "shown": flows.mask(verification.channel, target)}


def _check_code(request, state, actor, language):
    pending = _pending(request, state["organisation"])
    form = CodeForm(request.POST, prefix="code")
    state["forms"]["code"] = form
    if pending is None:
        raise flows.CodeRejected(_("This code is no longer valid. Ask for a new code."))
    if not form.is_valid():
        return None
    verification = flows.do_check_code(actor, state["organisation"], pending["verification"],
                                       form.cleaned_data["code"])
    return _signed_in(request, state, verification, pending["target"], language)


def _follow_link(request, state, actor, language):
    found = flows.read_link_token(request.POST.get("token", ""))
    if found is None:
        raise flows.CodeRejected(_("This link is no longer valid. Ask for a new code."))
    verification_id, code, target = found
    verification = flows.do_check_code(actor, state["organisation"], verification_id, code)
    return _signed_in(request, state, verification, target, language)


def _signed_in(request, state, verification, target, language):
    participant = flows.do_identify_by_code(identity.resident_actor(request, state["participant"]),
                                            state["organisation"], verification, target, state["participant"],
                                            language)
    request.session.pop(PENDING_KEY, None)
    identity.sign_in(request, participant, flows.METHOD_LEVEL[verification.channel])
    return redirect(state["next_url"])


def _identify_page(request, state: dict, token: str):
    organisation = state["organisation"]
    process, action_label = _process_and_action(request, organisation)
    pending = _pending(request, organisation)
    forms_ = state["forms"]
    context = {
        "needed": state["needed"], "methods": state["methods"], "process": process, "action_label": action_label,
        "next_url": state["next_url"], "this_page": _this_page(request), "error": state["error"],
        "pending": pending, "token": token if flows.read_link_token(token) else "",
        "bad_token": bool(token) and not flows.read_link_token(token),
        "email_form": forms_.get("email") or EmailForm(prefix="email"),
        "sms_form": forms_.get("sms") or PhoneForm(prefix="sms"),
        "code_form": forms_.get("code") or CodeForm(prefix="code"),
        "page_title": _("Identify yourself"), "minutes": int(flows.CODE_VALID.total_seconds() // 60),
        "participant": state["participant"],
    }
    status = 400 if state["error"] or any(f.errors for f in forms_.values()) else 200
    return _render(request, organisation, "participation/identity/identify.html", context, status)


# -- my data ---------------------------------------------------------------------------------------

def my_data(request):
    organisation = organisation_for_request(request)
    participant, level = identity.current(request, organisation)
    if participant is None or level == Level.NONE:
        if request.method == "POST":
            return redirect("participation:my_data")
        query = urlencode({"level": "email", "next": reverse("participation:my_data")})
        return _render(request, organisation, "participation/identity/my_data_anonymous.html",
                       {"identify_url": f"{reverse('participation:identify')}?{query}",
                        "page_title": _("My data")})
    actor = identity.resident_actor(request, participant)
    if request.method == "POST":
        what = request.POST.get("do", "")
        if what == "sign_out":
            identity.sign_out(request, organisation)
            request.session.pop(PENDING_KEY, None)
            return redirect("participation:list")
        if what == "delete" and request.POST.get("confirm") == "yes":
            flows.do_forget(actor, participant)
            identity.sign_out(request, organisation)
            return _render(request, organisation, "participation/identity/deleted.html",
                           {"page_title": _("Your data was deleted")})
        if what in ("delete", "ask_delete"):
            return _render(request, organisation, "participation/identity/confirm_delete.html",
                           {"page_title": _("Delete my data")})
        return redirect("participation:my_data")
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    data = flows.personal_data(participant)
    if request.GET.get("format") == "json":
        response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2, default=str),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        response["Cache-Control"] = "no-store"
        return response
    response = _render(request, organisation, "participation/identity/my_data.html", {
        "data": data, "record": data["participant"], "participant": participant, "level": level, "page_title": _("My data"),
        "kinds": _kind_sections(data["contributions"]),
    })
    response["Cache-Control"] = "no-store"
    return response


# Names of what kinds give for "my data", shown as column and table headings (others are shown tidied up).
DATA_LABELS = {
    "title": gettext_lazy("Title"), "text": gettext_lazy("Text"), "created_at": gettext_lazy("Given"),
    "updated_at": gettext_lazy("Changed"), "source": gettext_lazy("How it was given"),
    "state": gettext_lazy("Status"), "process": gettext_lazy("Process"), "section": gettext_lazy("Section"),
    "language": gettext_lazy("Language"), "answer": gettext_lazy("Answer"), "answered_at": gettext_lazy("Answered"),
    "display_name": gettext_lazy("Name shown"), "author_name": gettext_lazy("Name shown"),
    "address": gettext_lazy("Address"), "geometry": gettext_lazy("Place on the map"),
    "place": gettext_lazy("Place"), "support_count": gettext_lazy("Supports"), "parent_id": gettext_lazy("Reply to"),
    "cost_estimate": gettext_lazy("Cost estimate"), "question": gettext_lazy("Question"),
    "choice": gettext_lazy("Answer"), "value": gettext_lazy("Value"), "answers": gettext_lazy("Answers"),
    "proposals": gettext_lazy("Proposals"), "area": gettext_lazy("Area"), "hidden": gettext_lazy("Hidden"),
    "comments": gettext_lazy("Comments"), "supports": gettext_lazy("Supports"), "ideas": gettext_lazy("Ideas"),
    "ballots": gettext_lazy("Ballots"), "responses": gettext_lazy("Survey answers"),
    "signatures": gettext_lazy("Signatures"), "initiative_signatures": gettext_lazy("Initiative signatures"),
}


def _label(key: str) -> str:
    return str(DATA_LABELS[key]) if key in DATA_LABELS else key.replace("_", " ").capitalize()


def _cell(value):
    """A value as a person reads it: dates in the local format, lists joined, yes and no."""
    from django.utils.dateparse import parse_datetime
    from django.utils.formats import date_format

    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(_cell(item)) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{_label(str(k))}: {_cell(v)}" for k, v in value.items())
    if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and value[10:11] == "T":
        moment = parse_datetime(value)
        if moment is not None:
            return date_format(timezone.localtime(moment) if timezone.is_aware(moment) else moment,
                               "SHORT_DATETIME_FORMAT")
    return value


def _kind_sections(contributions: dict) -> list[dict]:
    from kanava.participation.manifest import get

    sections = []
    for kind, groups in contributions.items():
        section = {"label": get(kind).label, "groups": []}
        for name, rows in groups.items():
            keys = sorted({key for row in rows for key in row}, key=lambda k: (k not in ("title", "text"), k))
            if rows:
                section["groups"].append({"name": _label(name), "columns": [_label(key) for key in keys],
                                          "cells": [[_cell(row.get(key)) for key in keys] for row in rows]})
        sections.append(section)
    return sections
