import pytest

pytest_plugins = ["kanava.testing.browser_fixtures"]

from kanava.core.audit import Actor
from kanava.testing.personas import make_cast


@pytest.fixture
def cast(db):
    return make_cast()


@pytest.fixture
def actor_of():
    def build(person):
        return Actor(person=person, ip_address="192.0.2.10")

    return build


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Tests create many people; the real hasher is deliberately slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

