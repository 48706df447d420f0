"""Development secrets that are generated on first use and never committed."""

import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def development_secret(
    var_dir: Path, name: str, production: bool, fernet: bool = False, env_name: str = ""
) -> str:
    """Return the secret stored in ``var/<name>``, creating it if missing.

    In production a missing secret is a configuration error: it must come from
    the environment (or ``<NAME>_FILE``), never from a file Kanava made itself.
    """
    if production:
        raise ImproperlyConfigured(f"{env_name or name.upper()} must be set in production.")
    path = var_dir / name
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    if fernet:
        from cryptography.fernet import Fernet

        value = Fernet.generate_key().decode()
    else:
        value = secrets.token_urlsafe(50)
    path.write_text(value)
    path.chmod(0o600)
    return value
