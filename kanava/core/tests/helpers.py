"""Helpers for core's tests."""

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kanava.testing.personas import PASSWORD


def code_for(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for ``device``, computed from its key."""
    device.refresh_from_db()
    return str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)).zfill(device.digits)


def password_login(client, email: str, password: str = PASSWORD, language: str = "en", next_url: str | None = None):
    data = {"email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(f"/{language}/staff/login/", data)
