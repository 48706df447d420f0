"""Secrets at rest: Fernet encryption with key rotation (MultiFernet)."""

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return PREFIX + fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    """Return the plain text; raises ``InvalidToken`` if the keys do not match."""
    if not value.startswith(PREFIX):
        raise InvalidToken("Value is not encrypted.")
    return fernet().decrypt(value[len(PREFIX):].encode()).decode()


class EncryptedTextField(models.TextField):
    """Text stored encrypted; read back as plain text."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


class EncryptedJSONField(EncryptedTextField):
    """A dict stored encrypted as JSON."""

    def from_db_value(self, value, expression, connection):
        text = super().from_db_value(value, expression, connection)
        return json.loads(text) if text else {}

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        return json.loads(value) if value else {}

    def get_prep_value(self, value):
        return encrypt(json.dumps(self.to_python(value) or {}, sort_keys=True))
