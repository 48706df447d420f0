"""People of an organisation: members and roles, invitations, voices' titles."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from kanava.core import actions, login_throttle
from kanava.core.audit import Actor
from kanava.core.decorators import staff_view
from kanava.core.forms import ExistingPersonForm, InviteForm, NewPersonForm, VoiceTitleForm
from kanava.core.models import Invitation, Membership, Person
from kanava.core.navigation import dashboard_url, staff_context
from kanava.core.roles import Cap, Role
from kanava.core.two_factor import must_use_two_factor


def _error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You are not allowed to do this.")


def _members(organisation) -> list[dict]:
    """Members grouped by person, each with their roles (one query)."""
    memberships = (Membership.objects.filter(organisation=organisation).select_related("person")
                   .order_by("person__display_name", "person__email", "role"))
    people: dict[int, dict] = {}
    for membership in memberships:
        people.setdefault(membership.person_id, {"person": membership.person, "memberships": []})
        people[membership.person_id]["memberships"].append(membership)
    return list(people.values())


@staff_view(Cap.MANAGE_PEOPLE)
def people(request):
    """List members and roles; invite someone by email (POST)."""
    organisation = request.organisation
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = actions.do_invite(Actor.from_request(request), organisation,
                                           form.cleaned_data["email"], form.cleaned_data["role"])
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("An invitation was sent to %(email)s.") % {"email": invitation.email})
            return redirect("core:people", org=organisation.slug)
    pending = Invitation.objects.filter(organisation=organisation, accepted_at=None,
                                        expires_at__gt=timezone.now()).order_by("-created_at")
    return render(request, "core/people.html", {
        **staff_context(request, "core:people"), "form": form, "members": _members(organisation),
        "pending": pending, "voice_role": Role.VOICE, "admin_role": Role.ADMIN,
        "can_manage_admins": Role.ADMIN in request.roles,
    }, status=400 if form.errors else 200)


@require_POST
@staff_view(Cap.MANAGE_PEOPLE)
def remove_role(request, membership_id: int):
    membership = get_object_or_404(Membership.objects.select_related("person", "organisation"),
                                   pk=membership_id, organisation=request.organisation)
    try:
        actions.do_remove_role(Actor.from_request(request), membership)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The role %(role)s of %(person)s was removed.")
                         % {"role": membership.get_role_display(), "person": membership.person})
    return redirect("core:people", org=request.organisation.slug)


@staff_view(Cap.MANAGE_PEOPLE)
def voice_title(request, membership_id: int):
    """Edit a voice's public title in Finnish, Swedish and English."""
    membership = get_object_or_404(Membership.objects.select_related("person"), pk=membership_id,
                                   organisation=request.organisation, role=Role.VOICE)
    initial = {f"title_{code}": membership.title.get(code, "") for code in ("fi", "sv", "en")}
    form = VoiceTitleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.do_set_voice_title(Actor.from_request(request), membership, form.titles())
        messages.success(request, _("The public title of %(person)s was saved.") % {"person": membership.person})
        return redirect("core:people", org=request.organisation.slug)
    return render(request, "core/voice_title.html", {
        **staff_context(request, "core:people"), "form": form, "membership": membership,
    }, status=400 if form.errors else 200)


# -- accepting an invitation (the invited person, not yet a member) ----------

def _after_accepting(request, person: Person, invitation: Invitation):
    """Where the new member goes: two-factor set-up first when their roles need it."""
    target = dashboard_url(invitation.organisation)
    # Right after auth.login the user is a plain Person, not yet checked by
    # django-otp's middleware: such a person has not passed two-factor.
    verified = getattr(request.user, "is_verified", lambda: False)()
    if must_use_two_factor(person) and not verified:
        return redirect(f"{reverse('core:two_factor')}?{urlencode({'next': target})}")
    actions.record_for_person(Actor.from_request(request), person, "login", method="invitation")
    return redirect(target)


@sensitive_post_parameters("password", "password1", "password2")
@never_cache
def invitation_accept(request, token: str):
    """Accept an invitation: log in with an existing account, or create one."""
    invitation = actions.find_invitation(token)
    if invitation is None:
        return render(request, "core/invitation_invalid.html", status=404)
    if not invitation.is_usable:
        return render(request, "core/invitation_invalid.html", status=410)
    existing = Person.objects.filter(email__iexact=invitation.email).first()
    user = request.user if request.user.is_authenticated else None
    if user is not None and (existing is None or user.pk != existing.pk):
        return _render_accept(request, invitation, "other_account", None)
    if existing is None:
        return _accept_as_new(request, invitation)
    if user is not None:
        return _accept_signed_in(request, invitation)
    return _accept_with_password(request, invitation, existing)


def _render_accept(request, invitation, mode: str, form, status: int = 200):
    return render(request, "core/invitation_accept.html", {
        "invitation": invitation, "mode": mode, "form": form,
        "organisation_name": invitation.organisation.display_name(),
        "role": invitation.get_role_display(),
    }, status=status)


def _try_accept(request, invitation, accept):
    """Run ``accept()``; on a rule violation show the invalid page instead of a 500."""
    try:
        return accept()
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
        return render(request, "core/invitation_invalid.html", status=410)


def _accept_as_new(request, invitation):
    form = NewPersonForm(request.POST or None, person=Person(email=invitation.email))
    if request.method == "POST" and form.is_valid():
        def accept():
            person = actions.do_create_person_from_invitation(
                Actor(person=None, ip_address=request.client_ip), invitation,
                name=form.cleaned_data["name"], password=form.cleaned_data["password1"])
            auth_login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            return _after_accepting(request, person, invitation)
        return _try_accept(request, invitation, accept)
    return _render_accept(request, invitation, "new", form, status=400 if form.errors else 200)


def _accept_signed_in(request, invitation):
    if request.method == "POST":
        def accept():
            actions.do_accept_invitation(Actor.from_request(request), invitation)
            return _after_accepting(request, request.user, invitation)
        return _try_accept(request, invitation, accept)
    return _render_accept(request, invitation, "confirm", None)


def _accept_with_password(request, invitation, existing: Person):
    form = ExistingPersonForm(request.POST or None)
    ip = request.client_ip
    if request.method == "POST" and form.is_valid():
        if login_throttle.is_locked(existing.email, ip):
            form.add_error(None, _("Too many failed attempts. Wait 15 minutes and try again."))
        else:
            person = authenticate(request, username=existing.email, password=form.cleaned_data["password"])
            if person is None:
                count = login_throttle.add_failure(existing.email, ip)
                actions.record_for_person(Actor(person=None, ip_address=ip, label=existing.email), existing,
                                          "login.failed", email=existing.email,
                                          locked=count >= login_throttle.MAX_FAILURES)
                form.add_error("password", _("The password is not correct."))
            else:
                login_throttle.clear(existing.email, ip)

                def accept():
                    auth_login(request, person)
                    actions.do_accept_invitation(Actor.from_request(request), invitation)
                    return _after_accepting(request, person, invitation)
                return _try_accept(request, invitation, accept)
    return _render_accept(request, invitation, "existing", form, status=400 if form.errors else 200)
