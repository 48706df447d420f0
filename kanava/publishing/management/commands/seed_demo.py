"""Seed a bilingual demo municipality with staff, channels, subscribers and news.

Idempotent: a second run only prints the logins again.  Passwords are made
at random on the first run (nothing secret is committed) and kept in
``var/demo-logins.txt`` so the demo can be restarted.
"""

import json
import random
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from kanava.audience.models import Subscriber
from kanava.channels.models import Channel
from kanava.channels.registry import manifests
from kanava.core.audit import Actor
from kanava.core.models import Membership, Organisation, Person, Topic
from kanava.core.roles import Role, needs_two_factor
from kanava.crisis.demo import seed as seed_crisis
from kanava.inbox.demo import seed_inbox
from kanava.matters.demo import seed as seed_matters
from kanava.notices.demo import seed as seed_notices
from kanava.participation.demo import seed_participation
from kanava.publishing import actions, outbox

SLUG = "kanavala"
STAFF = [
    (Role.ADMIN, "admin@kanavala.fi", "Aino Ylläpitäjä", {}),
    (Role.LEAD, "viestinta@kanavala.fi", "Liisa Viestintä", {}),
    (Role.EDITOR, "toimittaja@kanavala.fi", "Eero Virkamies", {}),
    (Role.VOICE, "kunnanjohtaja@kanavala.fi", "Ville Virtanen",
     {"fi": "Kunnanjohtaja", "sv": "Kommundirektör", "en": "Municipal director"}),
    (Role.MODERATOR, "moderaattori@kanavala.fi", "Maija Moderaattori", {}),
]
TOPICS = [
    ("tiet", {"fi": "Tiet ja liikenne", "sv": "Vägar och trafik", "en": "Roads and traffic"}),
    ("koulut", {"fi": "Koulut", "sv": "Skolor", "en": "Schools"}),
    ("vesi", {"fi": "Vesihuolto", "sv": "Vattenförsörjning", "en": "Water supply"}),
    ("kulttuuri", {"fi": "Kulttuuri ja vapaa-aika", "sv": "Kultur och fritid", "en": "Culture and leisure"}),
]
NEWS = [
    ("vesi", {
        "fi": ("Vesikatko Kirkkotiellä tiistaina", "Vesijohtotöiden vuoksi vesi on poikki Kirkkotiellä **tiistaina 9–12**.\n\nVaraa juomavettä etukäteen. Lisätietoja: [vesihuolto](https://www.kanavala.fi/vesi)."),
        "sv": ("Vattenavbrott på Kyrkvägen på tisdag", "På grund av arbeten på vattenledningen är vattnet avstängt på Kyrkvägen **på tisdag kl. 9–12**.\n\nSpara dricksvatten i förväg."),
    }),
    ("koulut", {
        "fi": ("Koulujen syysloma alkaa", "Syysloma on viikolla 42. Iltapäiväkerhot ovat kiinni."),
        "sv": ("Skolornas höstlov börjar", "Höstlovet är vecka 42. Eftermiddagsklubbarna är stängda."),
    }),
    ("kulttuuri", {
        "fi": ("Kirjasto uudistuu", "Pääkirjasto on suljettuna remontin ajan. Lainaus jatkuu kirjastoautossa."),
        "sv": ("Biblioteket förnyas", "Huvudbiblioteket är stängt under renoveringen. Utlåningen fortsätter i bokbussen."),
    }),
    ("tiet", {
        "fi": ("Talvikunnossapito alkaa", "Aurausreitit ja hiekoitus alkavat marraskuussa. Ilmoita liukkaista kohdista palautteella."),
        "sv": ("Vinterunderhållet börjar", "Plogning och sandning börjar i november. Meddela hala ställen via responsen."),
    }),
]


def demo_image():
    """A small picture for the demo's social post, drawn here (nothing is downloaded)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1080, 1080), "#dfe9f2")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 760, 1080, 1080), fill="#ffffff")
    draw.rounded_rectangle((220, 430, 860, 800), radius=40, fill="#0f5e8c")
    for x in range(280, 800, 130):
        draw.rectangle((x, 480, x + 90, 580), fill="#bfe0f5")
    for x in (330, 750):
        draw.ellipse((x - 60, 760, x + 60, 880), fill="#1a1a1a")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)  # Instagram takes JPEG only
    return SimpleUploadedFile("kirjastoauto.jpg", buffer.getvalue(), content_type="image/jpeg")


def demo_sms_password() -> str:
    """The demo SMS gateway's password, shared by seed_demo and demo_sinks."""
    path = settings.VAR_DIR / "demo-sms-password"
    if not path.exists():
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


class Command(BaseCommand):
    help = "Create the demo municipality (once) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--subscribers", type=int, default=300)
        parser.add_argument("--smtp-port", type=int, default=settings.EMAIL_PORT)
        parser.add_argument("--sms-port", type=int, default=8025)

    def handle(self, *args, subscribers=300, smtp_port=1025, sms_port=8025, **options):
        logins_path = settings.VAR_DIR / "demo-logins.txt"
        if not Organisation.objects.filter(slug=SLUG).exists():
            logins = self.seed(subscribers, smtp_port, sms_port)
            settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
            logins_path.write_text(json.dumps(logins, indent=1))
            logins_path.chmod(0o600)
        logins = json.loads(logins_path.read_text()) if logins_path.exists() else []
        self.print_logins(logins)

    def seed(self, n_subscribers: int, smtp_port: int, sms_port: int) -> list[dict]:
        with transaction.atomic():
            org = Organisation.objects.create(
                slug=SLUG, name={"fi": "Kanavalan kunta", "sv": "Kanavala kommun", "en": "Municipality of Kanavala"},
                required_languages=["fi", "sv"], majority_language="fi", population=12400, municipality_code="091",
                contact_email="viestinta@kanavala.fi", brand_colour="#0f5e8c",
            )
            topics = {slug: Topic.objects.create(organisation=org, slug=slug, name=name) for slug, name in TOPICS}
            logins, people = [], {}
            for role, email, name, title in STAFF:
                password = secrets.token_urlsafe(9)
                person = Person.objects.create_user(email=email, password=password, display_name=name,
                                                    language="fi")
                Membership.objects.create(organisation=org, person=person, role=role, title=title)
                login = {"role": role.label, "email": email, "password": password}
                if needs_two_factor([role]):
                    device = TOTPDevice.objects.create(user=person, name="demo", confirmed=True)
                    login["totp_uri"] = device.config_url
                logins.append(login)
                people[role] = person
            self.channels(org, smtp_port, sms_port)
            self.social_channels(org, people[Role.VOICE], people[Role.LEAD])
            self.subscribers(org, topics, n_subscribers)
            self.second_organisation()
            seed_inbox(org, people[Role.LEAD])
        self.news(org, topics, people)
        self.social_news(org, topics, people)
        seed_participation(org, Actor(person=people[Role.LEAD], label="demo"))
        seed_matters(org, Actor(person=people[Role.LEAD], label="demo"))
        seed_notices(org, Actor(person=people[Role.LEAD], label="demo"))
        seed_crisis(org)
        return [{**login, "role": str(login["role"])} for login in logins]

    def channels(self, org, smtp_port, sms_port):
        available = manifests()
        wanted = [
            ("website", "Verkkosivut / Webbplats", {}, {}),
            ("email", "Uutiskirje / Nyhetsbrev", {
                "from_name": "Kanavalan kunta", "from_address": "uutiset@kanavala.fi",
                "reply_to": "viestinta@kanavala.fi", "smtp_host": "127.0.0.1", "smtp_port": smtp_port,
                "list_id": "uutiset.kanavala.fi"}, {}),
            ("sms", "Tekstiviesti / SMS", {
                "base_url": f"http://127.0.0.1:{sms_port}", "sender": "Kanavala", "username": "kanava",
                "price_per_segment_cents": 6}, {"password": demo_sms_password(),
                                                "webhook_secret": secrets.token_urlsafe(16)}),
            ("print", "Tiedote ilmoitustaululle / Anslag", {"large_print": True}, {}),
            ("press", "Mediatiedote / Pressmeddelande", {"host": "127.0.0.1", "port": smtp_port,
                                                        "from_email": "viestinta@kanavala.fi"}, {}),
        ]
        for kind, name, config, secret in wanted:
            if kind in available:
                channel = Channel.objects.create(organisation=org, kind=kind, name=name, config=config,
                                                 secrets=secret)
                if kind == "email":
                    self.feedback_address(channel)
        if "press" in available:
            from kanava.channels.press.models import PressContact

            PressContact.objects.create(organisation=org, name="Uutistoimitus", newsroom="Kanavan Sanomat",
                                        email="toimitus@kanavansanomat.fi", language="fi")
            PressContact.objects.create(organisation=org, name="Redaktionen", newsroom="Kanavala Tidning",
                                        email="redaktion@kanavalatidning.fi", language="sv")

    def feedback_address(self, channel):
        """Mail to the feedback address reaches the inbox through the inbound-mail endpoint (as a mail
        provider would push it); the demo's residents post theirs there (``demo_residents.mail``)."""
        from kanava.channels.email import inbound
        from kanava.testing.platforms.demo_residents import inbound_path

        inbound.do_new_inbound_secret(Actor.system("seed_demo"), channel)
        channel.refresh_from_db()
        inbound_path().write_text(inbound.inbound_url(channel))
        inbound_path().chmod(0o600)

    def social_channels(self, org, director, lead):
        """The six platforms, connected to the demo's local stand-ins (``demo_sinks`` must be running).

        The Facebook connection was made 55 days ago: Meta's tokens last 60
        days and cannot be renewed without a person, so the Connections page
        warns that it expires in 5 days.
        """
        from datetime import timedelta

        from kanava.testing.platforms.demo import read_connections

        available = manifests()
        now = timezone.now()
        connections = read_connections()
        if not connections:
            self.stderr.write("The demo's social platforms are not running (manage.py demo_sinks): "
                              "social channels were not created.")
        lifetimes = {"facebook": timedelta(days=5), "instagram": timedelta(days=50), "x": timedelta(hours=2),
                     "linkedin": timedelta(days=60), "bluesky": timedelta(hours=2)}
        refresh_lifetimes = {"linkedin": timedelta(days=365), "bluesky": timedelta(days=90)}
        for connection in connections:
            kind = connection["kind"]
            if kind not in available:
                continue
            personal = connection["personal"]
            Channel.objects.create(
                organisation=org, kind=kind, name=connection["name"], config=connection["config"],
                secrets=connection["secrets"], owner=director if personal else None,
                selected_by_default=False, account_name=f"@{connection['account']}",
                connected_at=now - (timedelta(days=55) if kind == "facebook" else timedelta(days=1)),
                connected_by=director if personal else lead, consent_at=now if personal else None,
                token_expires_at=now + lifetimes[kind] if kind in lifetimes else None,
                refresh_expires_at=now + refresh_lifetimes[kind] if kind in refresh_lifetimes else None)

    def subscribers(self, org, topics, count):
        rng = random.Random(2026)
        now = timezone.now()
        rows = []
        for i in range(count):
            language = "sv" if rng.random() < 0.3 else "fi"
            rows.append(Subscriber(organisation=org, kind="email", address=f"asukas{i}@example.fi", language=language,
                                   state="confirmed", confirmed_at=now, source="import"))
        for i in range(count // 6):
            language = "sv" if rng.random() < 0.3 else "fi"
            rows.append(Subscriber(organisation=org, kind="sms", address=f"+35840{1000000 + i}", language=language,
                                   state="confirmed", confirmed_at=now, source="import"))
        Subscriber.objects.bulk_create(rows, batch_size=1000)

    def second_organisation(self):
        other = Organisation.objects.create(
            slug="lansi-kanava", kind=Organisation.Kind.WELLBEING_COUNTY,
            name={"fi": "Länsi-Kanavan hyvinvointialue", "sv": "Västra Kanava välfärdsområde"},
            required_languages=["fi"], majority_language="fi")
        Channel.objects.create(organisation=other, kind="website", name="Verkkosivut")

    def news(self, org, topics, people):
        editor, lead, voice = people[Role.EDITOR], people[Role.LEAD], people[Role.VOICE]
        as_editor = Actor(editor, "127.0.0.1")
        as_lead = Actor(lead, "127.0.0.1")
        for topic_slug, texts in NEWS:
            versions = {lang: {"title": t, "body": b} for lang, (t, b) in texts.items()}
            message = actions.do_create_message(as_editor, org, versions=versions, topic=topics[topic_slug])
            actions.do_submit_for_review(as_editor, message)
            actions.do_approve(as_lead, message)
            actions.do_publish(as_lead, message)
        outbox.drain(max_rounds=3)
        voiced = actions.do_create_message(as_editor, org, topic=topics["tiet"], voice=voice, versions={
            "fi": {"title": "Kunnanjohtajan katsaus: ohitustie", "body": "Ohitustien suunnittelu etenee. Kerron lisää asukasillassa."},
            "sv": {"title": "Kommundirektörens översikt: förbifarten", "body": "Planeringen av förbifarten framskrider. Jag berättar mer på invånarkvällen."},
        })
        actions.do_submit_for_review(as_editor, voiced)
        draft = actions.do_create_message(as_editor, org, topic=topics["koulut"], versions={
            "fi": {"title": "Koulukuljetukset kevätlukukaudella", "body": "Kuljetushakemukset on jätettävä tammikuun loppuun mennessä."},
        })
        actions.do_comment(as_editor, draft, "Ruotsinkielinen versio puuttuu vielä.")

    def social_news(self, org, topics, people):
        """One message to every platform, with an image (Instagram needs one), and the director's own post."""
        social = list(Channel.objects.filter(organisation=org, owner=None).exclude(
            kind__in=["website", "email", "sms", "print", "press"]))
        if not social:
            return
        editor, lead, director = people[Role.EDITOR], people[Role.LEAD], people[Role.VOICE]
        as_editor, as_lead, as_director = (Actor(p, "127.0.0.1") for p in (editor, lead, director))
        website = list(Channel.objects.filter(organisation=org, kind="website"))
        message = actions.do_create_message(as_editor, org, topic=topics["kulttuuri"], channels=website + social,
                                            versions={
            "fi": {"title": "Kirjastoauto kiertää koko talven",
                   "summary": "Kirjastoauto pysähtyy kaikissa kylissä kerran viikossa remontin ajan.",
                   "body": "Pääkirjaston remontin ajan kirjastoauto pysähtyy kaikissa kylissä kerran viikossa. "
                           "Aikataulu on kirjaston sivuilla."},
            "sv": {"title": "Bokbussen kör hela vintern",
                   "summary": "Bokbussen stannar i alla byar en gång i veckan under renoveringen.",
                   "body": "Under huvudbibliotekets renovering stannar bokbussen i alla byar en gång i veckan. "
                           "Tidtabellen finns på bibliotekets sidor."},
        })
        actions.do_add_image(as_editor, message, demo_image(), alt={
            "fi": "Sininen kirjastoauto talvisella kylätiellä.",
            "sv": "En blå bokbuss på en vintrig byväg."})
        actions.do_submit_for_review(as_editor, message)
        actions.do_approve(as_lead, message)
        actions.do_publish(as_lead, message)
        personal = list(Channel.objects.filter(organisation=org, owner=director))
        if personal:
            voiced = actions.do_create_message(as_editor, org, topic=topics["tiet"], voice=director,
                                               channels=personal, versions={
                "fi": {"title": "Ohitustie", "body": "Ohitustien suunnittelu etenee. Tervetuloa asukasiltaan "
                                                     "torstaina kunnantalolle – kerron itse, mitä on tulossa."},
                "sv": {"title": "Förbifarten", "body": "Planeringen av förbifarten framskrider. Välkommen till "
                                                       "invånarkvällen på torsdag i kommunhuset – jag berättar själv."},
            })
            actions.do_submit_for_review(as_editor, voiced)
            actions.do_approve(as_director, voiced)  # in his name: his own approval, from his phone
            if voiced.state != voiced.State.APPROVED:
                actions.do_approve(as_lead, voiced)
            actions.do_publish(as_lead, voiced)
        outbox.drain(max_rounds=10)

    def print_logins(self, logins):
        site = settings.SITE_URL
        self.stdout.write("\nKanava demo: Kanavalan kunta / Kanavala kommun")
        self.stdout.write(f"  Resident site: {site}/fi/  {site}/sv/")
        self.stdout.write(f"  Staff login:   {site}/fi/staff/login/")
        for login in logins:
            line = f"  {login['role']:<22} {login['email']:<28} password {login['password']}"
            self.stdout.write(line)
            if login.get("totp_uri"):
                self.stdout.write(f"  {'':<22} two-factor: {login['totp_uri']}")
        self.stdout.write("  Everyone who publishes, answers or moderates uses two-factor codes. Add the otpauth URI to an")
        self.stdout.write("  authenticator app, or print the current code with:")
        self.stdout.write("    .venv/bin/python manage.py demo_otp viestinta@kanavala.fi")
        self.stdout.write("  Newsletters and press releases land in var/demo-mail/, SMS in var/demo-sms/.\n")
