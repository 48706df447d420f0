"""``manage.py api_token create|revoke|list``: API tokens from the command line.

``create`` prints the token on standard output, alone on its line, so that
``TOKEN=$(manage.py api_token create ...)`` works; the token is never shown
again.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kanava.api.actions import do_create_api_token, do_revoke_api_token
from kanava.core.audit import Actor
from kanava.core.models import ApiToken, Organisation, Person

ACTOR = Actor.system("manage.py api_token")


class Command(BaseCommand):
    help = "Create, revoke or list the REST API tokens of an organisation."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="command", required=True)
        create = sub.add_parser("create", help="Create a token; it is printed once.")
        create.add_argument("organisation", help="Organisation slug.")
        create.add_argument("name", help="What the token is for, e.g. the CMS integration.")
        create.add_argument("--person", required=True, help="Email of the member the token acts as.")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix")
        listing = sub.add_parser("list", help="List an organisation's tokens.")
        listing.add_argument("organisation", help="Organisation slug.")

    def handle(self, *args, command, **options):
        return getattr(self, f"_{command}")(**options)

    def _organisation(self, slug: str) -> Organisation:
        try:
            return Organisation.objects.get(slug=slug)
        except Organisation.DoesNotExist:
            raise CommandError(f"No organisation with the slug {slug!r}.")

    def _create(self, organisation, name, person, **_options):
        org = self._organisation(organisation)
        member = Person.objects.filter(email__iexact=person.strip()).first()
        if member is None:
            raise CommandError(f"No person with the email {person!r}.")
        try:
            token, secret = do_create_api_token(ACTOR, org, name=name, person=member)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages))
        self.stderr.write(f"Created token {token.prefix} ({token.name}) acting as {member.email} in {org.slug}. "
                          "Store it now: it is not shown again.")
        self.stdout.write(secret)

    def _revoke(self, prefix, **_options):
        prefix = prefix.strip()
        if prefix.startswith("kanava_"):  # a whole token pasted in
            prefix = prefix.split("_")[1]
        token = ApiToken.objects.select_related("organisation", "created_by").filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"No token with the prefix {prefix!r}.")
        was_revoked = token.revoked_at is not None
        do_revoke_api_token(ACTOR, token)
        self.stdout.write(f"Token {prefix} was already revoked." if was_revoked else f"Revoked token {prefix}.")

    def _list(self, organisation, **_options):
        org = self._organisation(organisation)
        tokens = ApiToken.objects.filter(organisation=org).select_related("created_by").order_by("created_at", "id")
        for token in tokens:
            person = token.created_by.email if token.created_by else "-"
            used = token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else "never used"
            state = f"revoked {token.revoked_at.isoformat(timespec='seconds')}" if token.revoked_at else "active"
            self.stdout.write(f"{token.prefix}\t{token.name}\t{person}\t{state}\t{used}")
        if not tokens:
            self.stderr.write(f"{org.slug} has no API tokens.")
