"""Resident pages of an opinion map: vote on one statement at a time, write a statement.

Both work without JavaScript (POST, then a redirect to GET); with htmx a vote swaps just the card.
"""

from __future__ import annotations


from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kanava.participation import identity
from kanava.participation.kinds.opinions import actions
from kanava.participation.kinds.opinions.conf import ConversationSettings
from kanava.participation.kinds.opinions.forms import StatementForm
from kanava.participation.kinds.opinions.models import AGREE, DISAGREE, PASS, Statement, Vote
from kanava.participation.lookups import public_process
from kanava.participation.manifest import Level
from kanava.participation.pages import render_page
from kanava.privacy import residents

KIND = "opinions"
VALUES = {"agree": AGREE, "disagree": DISAGREE, "pass": PASS}


def _language() -> str:
    return (get_language() or "fi")[:2]


def voter_key(request, process, create: bool = False) -> str:
    """The voter's key: the digest of the identified participant, else of this browser's token ("" if none yet)."""
    participant, level = identity.current(request, process.organisation)
    if participant is not None and level > Level.NONE:
        return identity.digest("opinions-participant", f"{process.pk}:{participant.pk}")
    return identity.browser_digest(request, process, "opinions", create)


def current_voter(request, process, create: bool = False):
    key = voter_key(request, process, create)
    if not create:
        return actions.find_voter(process, key)
    participant, _level = identity.current(request, process.organisation)
    return actions.get_or_create_voter(process, key, participant)


def _results_url(process) -> str:
    try:
        return reverse("opinions:results", args=[process.slug])
    except NoReverseMatch:
        return ""


def _card_context(request, process, conf, voter, statement=None) -> dict:
    if statement is None:
        statement = actions.next_statement(process, voter)
    done, total = actions.progress(process, voter)
    group = None
    if conf.show_map_while_voting and voter is not None and voter.vote_count >= actions.MAP_AFTER_VOTES:
        group = actions.my_group(process, voter)
    needed = process.level_for("vote")
    _participant, level = identity.current(request, process.organisation)
    return {
        "conf": conf, "question": conf.question, "statement": statement,
        "statement_text": statement.display_text(_language()) if statement else "",
        "done": done, "total": total, "is_open": process.is_open_for("vote"),
        "can_write": conf.statements_open and process.is_open_for("write"),
        "group": group, "group_letter": chr(ord("A") + group) if group is not None and 0 <= group < 26 else "",
        "results_url": _results_url(process), "needed": needed, "level_ok": level >= needed,
        "identify_url": identity.identify_url(request, process, "vote", needed),
        "pending": list(Statement.objects.filter(process=process, author=voter, status=Statement.Status.PENDING))
        if voter is not None else [],
    }


def _question(process, conf) -> str:
    from kanava.core.models import in_language

    return in_language(conf.question, _language(), process.organisation) or process.display_title()


@require_http_methods(["GET", "POST"])
def vote(request, process):
    process = public_process(request, process, KIND)
    conf = ConversationSettings.of(process)
    stash_key = f"opinions:vote:{process.pk}"
    base = {"question_text": _question(process, conf),
            "page_title": _("Vote on statements") + " – " + process.display_title()}
    if request.method == "GET":
        stashed = identity.peek(request, stash_key)
        if stashed is not None and process.is_open_for("vote"):
            participant, response = identity.require(request, process, "vote")
            if response is None:  # back from identification: record the vote they chose
                identity.unstash(request, stash_key)
                statement = Statement.objects.filter(process=process, pk=stashed.get("statement"),
                                                     status=Statement.Status.ACCEPTED).first()
                if statement is not None and stashed.get("value") in VALUES:
                    actions.do_vote(current_voter(request, process, create=True), statement,
                                    VALUES[stashed["value"]])
                return redirect(reverse("opinions:vote", args=[process.slug]))
        voter = current_voter(request, process)
        context = {**base, **_card_context(request, process, conf, voter)}
        context["just_voted"] = request.GET.get("voted") == "1"
        return render_page(request, process, "opinions/vote.html", context)
    value = VALUES.get(request.POST.get("vote", ""))
    posted = request.POST.get("statement", "")
    statement = Statement.objects.filter(process=process, status=Statement.Status.ACCEPTED,
                                         pk=int(posted)).first() if posted.isdigit() else None
    if value is None or statement is None:
        voter = current_voter(request, process)
        context = {**base, **_card_context(request, process, conf, voter)}
        context["error"] = _("Choose agree, disagree or pass on the statement.")
        return render_page(request, process, "opinions/vote.html", context, status=400)
    if not process.is_open_for("vote"):
        voter = current_voter(request, process)
        context = {**base, **_card_context(request, process, conf, voter)}
        context["error"] = _("Voting is not open now.")
        return render_page(request, process, "opinions/vote.html", context, status=409)
    participant, response = identity.require(request, process, "vote")
    if response is not None:
        identity.stash(request, stash_key, {"statement": statement.pk, "value": request.POST["vote"]})
        return response
    voter = current_voter(request, process)
    if voter is None or not Vote.objects.filter(voter=voter).exists():
        # a new voter: anonymous ones count against the address's limit
        if participant is None and not identity.allow_anonymous(request, process, "vote"):
            context = {**base, **_card_context(request, process, conf, voter, statement)}
            context["error"] = _("Too many new voters have come from your address just now. Wait a while and "
                                 "vote again.")
            return render_page(request, process, "opinions/vote.html", context, status=429)
        voter = current_voter(request, process, create=True)
    actions.do_vote(voter, statement, value)
    if request.htmx:
        voter.refresh_from_db()
        context = {**base, **_card_context(request, process, conf, voter), "just_voted": True}
        return render_page(request, process, "opinions/_card.html", context)
    return redirect(reverse("opinions:vote", args=[process.slug]) + "?voted=1")


@require_http_methods(["GET", "POST"])
def write(request, process):
    process = public_process(request, process, KIND)
    conf = ConversationSettings.of(process)
    if not conf.statements_open:
        raise Http404
    participant, level = identity.current(request, process.organisation)
    needed = process.level_for("write")
    stash_key = f"opinions:write:{process.pk}"
    voter = current_voter(request, process)
    context = {"conf": conf, "question_text": _question(process, conf), "is_open": process.is_open_for("write"),
               "needed": needed, "level_ok": level >= needed,
               "identify_url": identity.identify_url(request, process, "write", needed),
               "page_title": _("Write a statement") + " – " + process.display_title(),
               "sent": request.GET.get("sent", ""),
               "mine": list(Statement.objects.filter(process=process, author=voter).exclude(
                   status=Statement.Status.REJECTED).order_by("-number")) if voter is not None else []}
    if request.method == "GET":
        form = StatementForm(initial=identity.unstash(request, stash_key) or {}, max_length=conf.max_statement_length)
        return render_page(request, process, "opinions/write.html", {**context, "form": form})
    form = StatementForm(request.POST, max_length=conf.max_statement_length)
    if not context["is_open"]:
        form.add_error(None, _("Statements are not being collected now."))
        return render_page(request, process, "opinions/write.html", {**context, "form": form}, status=409)
    if not form.is_valid():
        return render_page(request, process, "opinions/write.html", {**context, "form": form})
    if form.cleaned_data.get("website"):
        raise Http404  # the honeypot
    participant, response = identity.require(request, process, "write")
    if response is not None:
        identity.stash(request, stash_key, {"text": form.cleaned_data["text"]})
        return response
    if participant is None and not identity.allow_anonymous(request, process, "write"):
        form.add_error(None, _("Too many statements have come from your address just now. Wait a while and "
                               "send it again; what you wrote is kept below."))
        return render_page(request, process, "opinions/write.html", {**context, "form": form}, status=429)
    voter = current_voter(request, process, create=True)
    text = form.cleaned_data["text"]
    stored = residents.mask_text(" ".join(text.split()), _language())  # as do_write_statement stores it
    duplicate = any(stored in (s.text or {}).values() for s in Statement.objects.filter(process=process, author=voter))
    if not duplicate:  # a double submit, or the same words again, is one statement
        statement = actions.do_write_statement(identity.resident_actor(request, participant), process, voter, text,
                                               _language(), premoderate=conf.premoderate)
        residents.tell_writer(request, statement.masked_kinds)
    state = "pending" if conf.premoderate else "shown"
    return redirect(reverse("opinions:write", args=[process.slug]) + f"?sent={state}")
