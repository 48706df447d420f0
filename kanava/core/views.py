"""Staff sign-in: password, two-factor, logout, the staff home and password set-up."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from kanava.core import actions, login_throttle
from kanava.core.audit import Actor
from kanava.core.forms import CodeForm, LoginForm, PasswordPairForm, SetupCodeForm
from kanava.core.models import Membership, Person
from kanava.core.navigation import dashboard_url
from kanava.core.two_factor import (
    confirmed_totp, grouped_secret, must_use_two_factor, otpauth_uri, qr_svg, setup_device, verify_code,
)


def safe_next(request, value: str | None) -> str:
    """``value`` if it is a local URL on this host, otherwise ``""``.

    Stops the login form from being used to send people to another site.
    """
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return ""


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _home_or(next_url: str) -> str:
    return next_url or reverse("core:home")


# -- password ---------------------------------------------------------------

def _login_failed(request, email: str) -> None:
    count = login_throttle.add_failure(email, request.client_ip)
    person = Person.objects.filter(email__iexact=email).first()
    actor = Actor(person=None, ip_address=request.client_ip, label=email[:255])
    actions.record_for_person(actor, person, "login.failed", email=email,
                              locked=count >= login_throttle.MAX_FAILURES)


def _finish_login(request, person: Person, next_url: str, method: str) -> str:
    """Record the completed login and say where to go."""
    actions.record_for_person(Actor.from_request(request), person, "login", method=method)
    return _home_or(next_url)


@sensitive_post_parameters("password")
@never_cache
def login_view(request):
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "GET" and request.user.is_authenticated:
        if not request.user.is_verified() and must_use_two_factor(request.user):
            return redirect(_with_next(reverse("core:two_factor"), next_url))
        return redirect(_home_or(next_url))
    form = LoginForm(request.POST or None, initial={"next": next_url})
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        if login_throttle.is_locked(email, request.client_ip):
            # Not even checked, and not logged again: a locked address must not
            # be able to flood the audit log.
            form.add_error(None, _("Too many failed attempts. Wait 15 minutes and try again."))
        else:
            person = authenticate(request, username=email, password=form.cleaned_data["password"])
            if person is None:
                _login_failed(request, email)
                form.add_error(None, _("The email address or the password is not correct."))
            else:
                login_throttle.clear(email, request.client_ip)
                auth_login(request, person)
                if must_use_two_factor(person):
                    return redirect(_with_next(reverse("core:two_factor"), next_url))
                return redirect(_finish_login(request, person, next_url, "password"))
    return render(request, "core/login.html", {"form": form})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        actions.record_for_person(Actor.from_request(request), request.user, "logout")
    auth_logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("core:login")


# -- two-factor -------------------------------------------------------------

@login_required
@never_cache
def two_factor(request):
    """Verify a code, or set up an authenticator when the person has none."""
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_verified():
        return redirect(_home_or(next_url))
    if confirmed_totp(request.user) is None:
        return _set_up(request, next_url)
    return _verify(request, next_url)


def _verify(request, next_url: str):
    form = CodeForm(request.POST or None, initial={"next": next_url})
    if request.method == "POST" and form.is_valid():
        result = verify_code(request.user, form.cleaned_data["code"])
        if result.ok:
            otp_login(request, result.device)
            used_backup = isinstance(result.device, StaticDevice)
            if used_backup:
                left = StaticToken.objects.filter(device=result.device).count()
                messages.warning(request, _("You used a backup code. You have %(count)d backup codes left.")
                                 % {"count": left})
            return redirect(_finish_login(request, request.user, next_url, "backup_code" if used_backup else "totp"))
        actions.record_for_person(Actor.from_request(request), request.user, "two_factor.failed")
        form.add_error("code", result.error)
    return render(request, "core/two_factor_verify.html", {"form": form})


def _set_up(request, next_url: str):
    device = setup_device(request.user)
    form = SetupCodeForm(request.POST or None, initial={"next": next_url})
    if request.method == "POST" and form.is_valid():
        result = verify_code(request.user, form.cleaned_data["code"], device=device)
        if result.ok:
            codes = actions.do_enable_two_factor(Actor.from_request(request), result.device)
            otp_login(request, result.device)
            continue_url = _finish_login(request, request.user, next_url, "totp_setup")
            # Rendered, not redirected to: the codes exist only in this response.
            return render(request, "core/backup_codes.html", {
                "codes": [f"{code[:4]} {code[4:]}" for code in codes], "continue_url": continue_url,
            })
        form.add_error("code", result.error)
    uri = otpauth_uri(device)
    return render(request, "core/two_factor_setup.html", {
        "form": form, "otpauth_uri": uri, "secret": grouped_secret(device),
        "qr_svg": qr_svg(uri, _("QR code for your authenticator app")),
    })


# -- home -------------------------------------------------------------------

@login_required
@never_cache
def home(request):
    """The person's organisations and roles; a single one opens its dashboard."""
    if not request.user.is_verified() and must_use_two_factor(request.user):
        return redirect(_with_next(reverse("core:two_factor"), request.get_full_path()))
    memberships = Membership.objects.filter(person=request.user).select_related("organisation").order_by(
        "organisation__slug", "role")
    organisations = {}
    for membership in memberships:
        entry = organisations.setdefault(membership.organisation.pk, {
            "organisation": membership.organisation, "url": dashboard_url(membership.organisation), "roles": []})
        entry["roles"].append(membership.get_role_display())
    if len(organisations) == 1:
        return redirect(next(iter(organisations.values()))["url"])
    return render(request, "core/home.html", {"organisations": list(organisations.values())})


# -- one-time password link (create_staff) ----------------------------------

def _person_from_link(uidb64: str, token: str) -> Person | None:
    try:
        person = Person.objects.get(pk=urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, OverflowError, Person.DoesNotExist, ValidationError):
        return None
    return person if default_token_generator.check_token(person, token) else None


@sensitive_post_parameters("password1", "password2")
@never_cache
def password_set(request, uidb64: str, token: str):
    """Set a password from the one-time link; the link dies once used."""
    person = _person_from_link(uidb64, token)
    if person is None:
        return render(request, "core/link_invalid.html", status=404)
    form = PasswordPairForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        actions.do_set_password(Actor(person=person, ip_address=request.client_ip), person,
                                form.cleaned_data["password1"])
        messages.success(request, _("Your password is set. You can now log in."))
        return redirect("core:login")
    return render(request, "core/password_set.html", {"form": form, "person": person})
