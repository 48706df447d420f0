"""manage.py create_staff: give a person a role, printing a one-time password link."""

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from kanava.core.actions import do_add_staff
from kanava.core.audit import Actor
from kanava.core.models import Organisation, Person
from kanava.core.roles import Role


def password_set_url(person: Person, language: str) -> str:
    """An absolute one-time link; it stops working once a password is set."""
    with translation.override(language):
        path = reverse("core:password_set", kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
        })
    return f"{settings.SITE_URL}{path}"


class Command(BaseCommand):
    help = "Give a person a role in an organisation, creating their account if needed."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("organisation", help="The organisation's slug.")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("--name", default="", help="The person's name (new accounts).")
        parser.add_argument("--password", help="Set this password instead of printing a link.")

    def handle(self, *args, email, organisation, role, name, password, **options):
        org = Organisation.objects.filter(slug=organisation).first()
        if org is None:
            raise CommandError(f"No organisation {organisation!r}.")
        if password:
            candidate = Person.objects.filter(email__iexact=email).first() or Person(email=email, display_name=name)
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        person, created = do_add_staff(Actor.system("manage.py create_staff"), org, email=email, role=role,
                                       name=name, password=password)
        self.stdout.write(f"{'Created' if created else 'Updated'} {person.email}: {Role(role).label} in {org.slug}.")
        if not password and (created or not person.has_usable_password()):
            link = password_set_url(person, person.language or org.majority_language)
            self.stdout.write(f"One-time link to set the password (valid {settings.PASSWORD_RESET_TIMEOUT // 86400} days):")
            self.stdout.write(link)
