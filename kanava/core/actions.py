"""State changes of organisations, people, roles, invitations and sign-in.

Views and management commands call these; each checks permission, records an
audit event and runs in one transaction.  Rule violations raise Django's
``ValidationError`` with a translated message; missing rights raise
``PermissionDenied``.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kanava.core.access import can, roles_in
from kanava.core.audit import Actor, record
from kanava.core.models import Invitation, Membership, Organisation, Person
from kanava.core.roles import Cap, Role
from kanava.core.two_factor import BACKUP_CODE_COUNT, BACKUP_DEVICE_NAME, organisations_of

INVITATION_VALID_FOR = timedelta(days=7)
VOICE_TITLE_LANGUAGES = ("fi", "sv", "en")


def _require(actor: Actor, organisation: Organisation, cap: str) -> None:
    if not can(actor.person, organisation, cap):
        raise PermissionDenied(_("You are not allowed to do this."))


def _require_admin_for_admin_role(actor: Actor, organisation: Organisation, role: str) -> None:
    # Leads manage people too, but only an administrator hands out or takes
    # away the administrator role: otherwise a lead could lock admins out.
    if role == Role.ADMIN and Role.ADMIN not in roles_in(actor.person, organisation):
        raise PermissionDenied(_("Only an administrator can give or remove the administrator role."))


def hash_token(token: str) -> str:
    """Tokens are stored only as their SHA-256, so a database leak reveals no link."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def record_for_person(actor: Actor, person: Person | None, action: str, **data) -> None:
    """Record a sign-in event in the log of every organisation of ``person``.

    Signing in is not tied to one organisation, but each organisation's lead
    must see who entered their staff pages.  Unknown people (a failed login
    with an address nobody has) are recorded without an organisation.
    """
    organisations = organisations_of(person) if person is not None else []
    for organisation in organisations or [None]:
        record(actor, organisation, action, person, **data)


# -- invitations ------------------------------------------------------------

def invitation_url(organisation: Organisation, token: str) -> str:
    """The absolute accept link, in the organisation's majority language."""
    with translation.override(organisation.majority_language):
        path = reverse("core:invitation_accept", kwargs={"token": token})
    return f"{settings.SITE_URL}{path}"


def _send_invitation(invitation: Invitation, token: str, inviter: Person | None) -> None:
    organisation = invitation.organisation
    with translation.override(organisation.majority_language):
        context = {
            "organisation_name": organisation.display_name(organisation.majority_language),
            "role": Role(invitation.role).label,
            "inviter": str(inviter) if inviter else "",
            "url": invitation_url(organisation, token),
            "expires_at": formats.date_format(timezone.localtime(invitation.expires_at, organisation.tz),
                                              "DATETIME_FORMAT"),
        }
        subject = _("Invitation to %(organisation)s in Kanava") % {"organisation": context["organisation_name"]}
        body = render_to_string("core/email/invitation.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


def do_invite(actor: Actor, organisation: Organisation, email: str, role: str) -> Invitation:
    """Invite ``email`` to ``organisation`` in ``role`` and email the link.

    Returns the invitation with the plain token in ``invitation.token`` (it is
    stored only hashed).  Raises ``ValidationError`` when the person already
    has the role or the mail cannot be sent (nothing is kept then).
    """
    _require(actor, organisation, Cap.MANAGE_PEOPLE)
    _require_admin_for_admin_role(actor, organisation, role)
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, person__email__iexact=email, role=role).exists():
        raise ValidationError(_("This person already has this role."))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation=organisation, email=email, role=role, token_hash=hash_token(token),
            invited_by=actor.person, expires_at=timezone.now() + INVITATION_VALID_FOR,
        )
        record(actor, organisation, "person.invited", invitation, email=email, role=role)
        try:
            _send_invitation(invitation, token, actor.person)
        except OSError as error:  # smtplib errors are OSErrors; roll the invitation back
            raise ValidationError(
                _("The invitation email could not be sent. Try again later.")
            ) from error
    invitation.token = token
    return invitation


def find_invitation(token: str) -> Invitation | None:
    """The invitation with this token, usable or not; ``None`` if none."""
    return Invitation.objects.select_related("organisation").filter(token_hash=hash_token(token)).first()


def _lock_usable(invitation: Invitation) -> Invitation:
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not locked.is_usable:
        raise ValidationError(_("This invitation has expired or has already been used."))
    return locked


def do_accept_invitation(actor: Actor, invitation: Invitation) -> Membership:
    """The signed-in ``actor.person`` accepts; their email must be the invited one.

    Raises ``ValidationError`` when the invitation is expired or used, and
    ``PermissionDenied`` when it was sent to someone else.
    """
    person = actor.person
    if person is None or person.email.lower() != invitation.email.lower():
        raise PermissionDenied(_("This invitation was sent to another email address."))
    with transaction.atomic():
        invitation = _lock_usable(invitation)
        membership, _created = Membership.objects.get_or_create(
            organisation=invitation.organisation, person=person, role=invitation.role)
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        record(actor, invitation.organisation, "invitation.accepted", membership,
               email=invitation.email, role=invitation.role)
    person.__dict__.pop("_kanava_roles", None)  # the role cache is stale now
    return membership


def do_create_person_from_invitation(actor: Actor, invitation: Invitation, *, name: str, password: str) -> Person:
    """Create the invited person's account and accept the invitation for them.

    The password must already have passed Django's validators (the form does
    that, with the person's name and address at hand).
    """
    with transaction.atomic():
        _lock_usable(invitation)
        if Person.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(_("An account with this email address already exists. Log in to accept."))
        person = Person.objects.create_user(
            email=invitation.email, password=password, display_name=name.strip(),
            language=invitation.organisation.majority_language,
        )
        do_accept_invitation(Actor(person=person, ip_address=actor.ip_address), invitation)
    return person


# -- roles ------------------------------------------------------------------

def do_remove_role(actor: Actor, membership: Membership) -> None:
    """Take one role away.  The organisation's last administrator role stays."""
    organisation = membership.organisation
    _require(actor, organisation, Cap.MANAGE_PEOPLE)
    _require_admin_for_admin_role(actor, organisation, membership.role)
    with transaction.atomic():
        if membership.role == Role.ADMIN:
            admins = Membership.objects.select_for_update().filter(organisation=organisation, role=Role.ADMIN)
            if list(admins.values_list("pk", flat=True)) == [membership.pk]:
                if membership.person_id == getattr(actor.person, "pk", None):
                    raise ValidationError(_("You cannot remove your own administrator role: "
                                            "you are the organisation's last administrator."))
                raise ValidationError(_("The organisation's last administrator role cannot be removed."))
        record(actor, organisation, "role.removed", membership.person,
               role=membership.role, email=membership.person.email)
        membership.delete()
    if actor.person is not None:
        actor.person.__dict__.pop("_kanava_roles", None)


def do_set_voice_title(actor: Actor, membership: Membership, titles: dict[str, str]) -> Membership:
    """Set a voice's public title per language (``{"fi": "Kunnanjohtaja", ...}``)."""
    _require(actor, membership.organisation, Cap.MANAGE_PEOPLE)
    if membership.role != Role.VOICE:
        raise ValidationError(_("Only a voice has a public title."))
    cleaned = {code: (titles.get(code) or "").strip() for code in VOICE_TITLE_LANGUAGES}
    cleaned = {code: value for code, value in cleaned.items() if value}
    with transaction.atomic():
        before = membership.title
        membership.title = cleaned
        membership.save(update_fields=["title"])
        record(actor, membership.organisation, "role.title_changed", membership.person,
               before=before, after=cleaned)
    return membership


# -- sign-in ----------------------------------------------------------------

def do_enable_two_factor(actor: Actor, device: TOTPDevice) -> list[str]:
    """Confirm the TOTP device being set up and issue fresh backup codes.

    Returns the backup codes in plain text: the only moment they exist
    outside the database, to be shown once.  Other TOTP devices and old
    backup codes of the person are removed.
    """
    person = actor.person
    if person is None or device.user_id != person.pk:
        raise PermissionDenied(_("You are not allowed to do this."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=person).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=person).delete()
        backup = StaticDevice.objects.create(user=person, name=BACKUP_DEVICE_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _i in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=backup, token=code) for code in codes])
        record_for_person(actor, person, "two_factor.enabled")
    return codes


def do_set_password(actor: Actor, person: Person, password: str) -> None:
    """Set a validated password (the one-time set-password link)."""
    with transaction.atomic():
        person.set_password(password)
        person.save(update_fields=["password"])
        record_for_person(actor, person, "password.set")


# -- installation set-up (management commands) ------------------------------

def do_create_organisation(actor: Actor, *, slug: str, names: dict[str, str], languages: list[str],
                           majority_language: str, time_zone: str = "Europe/Helsinki",
                           kind: str = Organisation.Kind.MUNICIPALITY) -> Organisation:
    """Create an organisation.  For installation administrators (no org rights checked).

    Raises ``ValidationError`` for a taken or reserved slug, unknown
    languages, a majority language not among them or an unknown time zone.
    """
    from kanava.core.urls import RESERVED_SLUGS

    if slug in RESERVED_SLUGS:
        raise ValidationError(_("This address is reserved for Kanava's own pages. Choose another."))
    organisation = Organisation(slug=slug, name=names, required_languages=languages,
                                majority_language=majority_language, time_zone=time_zone, kind=kind)
    organisation.full_clean()
    with transaction.atomic():
        organisation.save()
        record(actor, organisation, "organisation.created", organisation)
    return organisation


def do_add_staff(actor: Actor, organisation: Organisation, *, email: str, role: str, name: str = "",
                 password: str | None = None) -> tuple[Person, bool]:
    """Give ``email`` a role, creating the account when needed.

    For installation administrators.  Returns ``(person, created)``; a new
    person without ``password`` gets an unusable one until they set it.
    """
    email = email.strip().lower()
    with transaction.atomic():
        person = Person.objects.filter(email__iexact=email).first()
        created = person is None
        if created:
            person = Person.objects.create_user(email=email, password=password, display_name=name,
                                                language=organisation.majority_language)
        elif password:
            person.set_password(password)
            person.save(update_fields=["password"])
        membership, new_role = Membership.objects.get_or_create(organisation=organisation, person=person, role=role)
        if new_role:
            record(actor, organisation, "membership.created", person, role=role, email=email)
    return person, created
