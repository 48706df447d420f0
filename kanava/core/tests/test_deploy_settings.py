"""Production settings pass Django's deployment checks and refuse to run without secrets."""

import subprocess
import sys

from cryptography.fernet import Fernet
from django.conf import settings

ROOT = settings.BASE_DIR


def manage(*args, **env):
    base = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "DJANGO_SETTINGS_MODULE": "kanava.settings"}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=120)


def production_env():
    return {
        "KANAVA_ENV": "production",
        "SECRET_KEY": Fernet.generate_key().decode() * 2,
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "kanava.example.fi",
        "SITE_URL": "https://kanava.example.fi",
        "KANAVA_VAR_DIR": "/tmp/kanava-deploy-check",
    }


def test_check_deploy_is_clean_in_production_settings():
    done = manage("check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    done = manage("check", **env)
    assert done.returncode != 0
    assert "SECRET_KEY must be set in production" in done.stderr


def test_production_refuses_to_start_without_field_encryption_keys():
    env = production_env()
    del env["FIELD_ENCRYPTION_KEYS"]
    done = manage("check", **env)
    assert done.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set in production" in done.stderr
