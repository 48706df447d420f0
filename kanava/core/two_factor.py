"""Two-factor authentication helpers: who needs it, setting up, checking codes.

TOTP devices (an authenticator app) and single-use backup codes come from
django-otp.  State changes (enabling two-factor) live in ``actions``.
"""

from base64 import b32encode
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import segno
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from kanava.core.access import requires_two_factor
from kanava.core.models import Organisation, Person

ISSUER = "Kanava"
SETUP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup"
BACKUP_CODE_COUNT = 10


def organisations_of(person: Person) -> list[Organisation]:
    return list(Organisation.objects.filter(memberships__person=person).distinct())


def confirmed_totp(person: Person) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=person, confirmed=True).order_by("id").first()


def must_use_two_factor(person: Person) -> bool:
    """True when the person must pass a second factor after the password.

    That is anyone whose role in any organisation can approve, publish or
    manage (``kanava.core.access.requires_two_factor``), and anyone who has
    set up an authenticator anyway: a device someone chose to add must be
    asked for, or it protects nothing.
    """
    if any(requires_two_factor(person, organisation) for organisation in organisations_of(person)):
        return True
    return confirmed_totp(person) is not None


def setup_device(person: Person) -> TOTPDevice:
    """The unconfirmed TOTP device being set up, created on first call.

    The same secret is shown until it is confirmed, so reloading the page
    does not invalidate a code already scanned into the app.
    """
    device = TOTPDevice.objects.filter(user=person, confirmed=False, name=SETUP_DEVICE_NAME).order_by("id").first()
    return device or TOTPDevice.objects.create(user=person, name=SETUP_DEVICE_NAME, confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    """The base32 secret an authenticator app expects (no padding)."""
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def grouped_secret(device: TOTPDevice) -> str:
    """The secret in groups of four characters, easier to type by hand."""
    secret = secret_of(device)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def otpauth_uri(device: TOTPDevice) -> str:
    """Key URI for authenticator apps (Google's Key Uri Format) with our issuer."""
    label = f"{ISSUER}:{device.user.get_username()}"
    params = urlencode({
        "secret": secret_of(device), "issuer": ISSUER, "algorithm": "SHA1",
        "digits": device.digits, "period": device.step,
    }, quote_via=quote)
    return f"otpauth://totp/{quote(label)}?{params}"


def qr_svg(data: str, title: str) -> str:
    """An inline SVG QR code of ``data``; ``title`` names it for screen readers."""
    svg = segno.make(data, error="m").svg_inline(scale=5, title=title, svgclass="qr-code")
    return svg.replace("<svg ", '<svg role="img" ', 1)


def normalise_code(code: str) -> str:
    """Codes are typed with spaces or dashes and in any case; compare them bare."""
    return "".join(ch for ch in code if ch.isalnum()).lower()


@dataclass
class Verification:
    device: TOTPDevice | StaticDevice | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.device is not None


def verify_code(person: Person, code: str, device: TOTPDevice | None = None) -> Verification:
    """Check a six-digit authenticator code or a backup code.

    ``device`` is the TOTP device to check (the unconfirmed one during set-up);
    by default the person's confirmed device, and a backup code is accepted
    too.  Devices throttle repeated failures; a throttled check says so.
    """
    code = normalise_code(code)
    totp = device or confirmed_totp(person)
    candidates = [totp] if code.isdigit() else []
    if device is None and not code.isdigit():
        candidates = list(StaticDevice.objects.filter(user=person, confirmed=True))
    for candidate in candidates:
        if candidate is None:
            continue
        # Locked so that two requests cannot both use one code or both slip
        # past the failure throttle.
        with transaction.atomic():
            locked = type(candidate).objects.select_for_update().get(pk=candidate.pk)
            allowed, _details = locked.verify_is_allowed()
            if not allowed:
                return Verification(None, _("Too many wrong codes in a row. Wait a moment and try again."))
            if locked.verify_token(code):
                return Verification(locked)
    return Verification(None, _("The code is not correct. Check the code in your app and try again."))
