"""Named people for tests: a bilingual municipality's staff and an outsider."""

from dataclasses import dataclass

from django_otp.plugins.otp_totp.models import TOTPDevice

from kanava.channels.models import Channel
from kanava.core.models import Membership, Organisation, Person, Topic
from kanava.core.roles import Role, needs_two_factor

PASSWORD = "correct horse battery staple"


def make_organisation(slug="pikkula", languages=("fi", "sv"), **extra) -> Organisation:
    names = {"fi": f"{slug.title()}n kunta", "sv": f"{slug.title()} kommun", "en": f"Municipality of {slug.title()}"}
    return Organisation.objects.create(
        slug=slug, name=names, required_languages=list(languages), majority_language=languages[0],
        contact_email=f"viestinta@{slug}.fi", population=9000, **extra,
    )


def make_person(organisation: Organisation, role: str, email: str, name: str = "", totp: bool | None = None,
                title: dict | None = None) -> Person:
    person = Person.objects.filter(email=email).first() or Person.objects.create_user(
        email=email, password=PASSWORD, display_name=name or email.split("@")[0].title())
    Membership.objects.get_or_create(organisation=organisation, person=person, role=role,
                                     defaults={"title": title or {}})
    if totp is None:
        totp = needs_two_factor([role])
    if totp and not TOTPDevice.objects.filter(user=person).exists():
        TOTPDevice.objects.create(user=person, name="phone", confirmed=True)
    return person


@dataclass
class Cast:
    org: Organisation
    other_org: Organisation
    admin: Person
    lead: Person
    editor: Person
    voice: Person
    moderator: Person
    outsider: Person
    topic: Topic


def make_cast() -> Cast:
    org = make_organisation("pikkula")
    other = make_organisation("toinen", languages=("fi",))
    topic = Topic.objects.create(organisation=org, slug="tiet", name={"fi": "Tiet", "sv": "Vägar", "en": "Roads"})
    return Cast(
        org=org,
        other_org=other,
        admin=make_person(org, Role.ADMIN, "admin@pikkula.fi", "Aino Admin"),
        lead=make_person(org, Role.LEAD, "lead@pikkula.fi", "Liisa Lead"),
        editor=make_person(org, Role.EDITOR, "editor@pikkula.fi", "Eero Editor"),
        voice=make_person(org, Role.VOICE, "director@pikkula.fi", "Ville Voice",
                          title={"fi": "Kunnanjohtaja", "sv": "Kommundirektör", "en": "Municipal director"}),
        moderator=make_person(org, Role.MODERATOR, "moderator@pikkula.fi", "Maija Moderator"),
        outsider=make_person(other, Role.LEAD, "lead@toinen.fi", "Olli Outsider"),
        topic=topic,
    )


def make_channel(organisation: Organisation, kind: str, name: str = "", config: dict | None = None,
                 secrets: dict | None = None, **extra) -> Channel:
    return Channel.objects.create(organisation=organisation, kind=kind, name=name or kind.title(),
                                  config=config or {}, secrets=secrets or {}, **extra)


def login(client, person: Person) -> None:
    """Log in and, when the person has a TOTP device, count them as verified."""
    client.force_login(person)
    device = TOTPDevice.objects.filter(user=person, confirmed=True).first()
    if device:
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
