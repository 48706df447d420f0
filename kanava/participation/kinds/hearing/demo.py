"""Demo content: a hearing on the draft zoning plan of a school campus, in Finnish and Swedish (and English)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kanava.core.audit import Actor
from kanava.participation.models import Contribution, Phase, Process
from kanava.participation.kinds.hearing import actions

SLUG = "kirkonkylan-koulukeskus"

PLACES = [
    {"id": "koulun-piha", "name": {"fi": "Koulun piha", "sv": "Skolgården", "en": "School yard"},
     "geometry": {"type": "Polygon", "coordinates": [[[24.9441, 60.1712], [24.9462, 60.1712], [24.9462, 60.1701],
                                                       [24.9441, 60.1701], [24.9441, 60.1712]]]}},
    {"id": "saattoliikenne", "name": {"fi": "Saattoliikenteen pysäkki", "sv": "Hämtnings- och lämningsplatsen",
                                      "en": "Drop-off stop"},
     "geometry": {"type": "Point", "coordinates": [24.9436, 60.1708]}},
    {"id": "kirkkotien-risteys", "name": {"fi": "Kirkkotien ja Koulutien risteys",
                                          "sv": "Korsningen Kyrkvägen–Skolvägen", "en": "Kirkkotie–Koulutie junction"},
     "geometry": {"type": "Point", "coordinates": [24.9428, 60.1716]}},
    {"id": "lahimetsa", "name": {"fi": "Koulun lähimetsä", "sv": "Skolans närskog", "en": "The school's nearby woods"},
     "geometry": {"type": "Polygon", "coordinates": [[[24.9465, 60.1718], [24.9490, 60.1718], [24.9490, 60.1705],
                                                       [24.9465, 60.1705], [24.9465, 60.1718]]]}},
]

SECTIONS = [
    {"title": {"fi": "Kaavan tavoitteet", "sv": "Detaljplanens mål", "en": "Aims of the plan"},
     "abstract": {"fi": "Uusi koulukeskus yhdistää ala- ja yläkoulun sekä kirjaston.",
                  "sv": "Det nya skolcentret samlar låg- och högstadiet samt biblioteket.",
                  "en": "The new campus brings the primary and lower secondary schools and the library together."},
     "body": {"fi": "Asemakaavan muutoksella mahdollistetaan **noin 900 oppilaan** koulukeskus Kirkonkylään. "
                    "Nykyiset koulurakennukset ovat huonokuntoisia.\n\n- Kerrosala enintään 12 000 m²\n"
                    "- Kirjasto ja nuorisotila samaan rakennukseen\n- Iltakäyttö asukkaille",
              "sv": "Detaljplaneändringen möjliggör ett skolcenter för **cirka 900 elever** i Kyrkbyn. "
                    "De nuvarande skolbyggnaderna är i dåligt skick.\n\n- Våningsyta högst 12 000 m²\n"
                    "- Bibliotek och ungdomslokal i samma byggnad\n- Kvällsanvändning för invånarna",
              "en": "The change to the local detailed plan allows a campus for **about 900 pupils**."},
     "map_input": "none"},
    {"title": {"fi": "Liikenne ja koulumatkat", "sv": "Trafik och skolvägar", "en": "Traffic and journeys to school"},
     "abstract": {"fi": "Saattoliikenne, pyöräpysäköinti ja turvalliset suojatiet.",
                  "sv": "Hämtning och lämning, cykelparkering och trygga övergångsställen.",
                  "en": "Drop-offs, bicycle parking and safe crossings."},
     "body": {"fi": "Saattoliikenne ohjataan Koulutien varteen. Pyöräpaikkoja tulee 450. Kirkkotien risteykseen "
                    "suunnitellaan korotettu suojatie.",
              "sv": "Hämtning och lämning sker vid Skolvägen. Det blir 450 cykelplatser. Ett förhöjt "
                    "övergångsställe planeras i korsningen vid Kyrkvägen.",
              "en": "Drop-offs move to Koulutie. There will be 450 bicycle places."},
     "map_input": "point"},
    {"title": {"fi": "Piha ja viheralueet", "sv": "Gården och grönområdena", "en": "Yard and green areas"},
     "abstract": {"fi": "Koulun piha on iltaisin kaikkien käytössä, lähimetsä säilyy.",
                  "sv": "Skolgården är öppen för alla på kvällarna, närskogen bevaras.",
                  "en": "The yard is open to all in the evenings; the nearby woods stay."},
     "body": {"fi": "Pihaan tulee lähiliikuntapaikka ja talvella luistelukenttä. Lähimetsä merkitään kaavaan "
                    "lähivirkistysalueeksi (VL).",
              "sv": "På gården byggs en närmotionsplats och på vintern en skridskobana. Närskogen anvisas som "
                    "område för närrekreation (VL).",
              "en": "The yard gets a sports area and an ice rink in winter."},
     "map_input": "area"},
]

COMMENTS = [
    (1, "Leena", "fi", "Saattoliikenteen pysäkki on liian lähellä risteystä. Aamuisin siinä on jo nyt ruuhkaa.",
     "saattoliikenne"),
    (1, "", "sv", "Bra att det blir ett förhöjt övergångsställe. Det behövs också bättre belysning på Skolvägen.",
     "kirkkotien-risteys"),
    (2, "Mikko K.", "fi", "Lähimetsä on tärkeä välituntipaikka. Hyvä että se säilyy!", "lahimetsa"),
    (0, "", "fi", "Kirjasto koulun yhteydessä on hyvä ajatus, kunhan aukioloajat sopivat myös työssäkäyville.", ""),
    (0, "Anna", "sv", "Kommer det att finnas svenskspråkig undervisning i samma byggnad?", ""),
]


def seed(organisation, actor: Actor | None = None) -> Process:
    """The demo hearing, made once (returns the existing one when it is there)."""
    existing = Process.objects.filter(organisation=organisation, slug=SLUG).first()
    if existing is not None:
        return existing
    actor = actor or Actor.system("demo")
    now = timezone.now()
    process = Process.objects.create(
        organisation=organisation, kind="hearing", slug=SLUG, state=Process.State.PUBLISHED, published_at=now,
        title={"fi": "Kirkonkylän koulukeskuksen asemakaavaluonnos", "sv": "Utkast till detaljplan för Kyrkbyns "
               "skolcenter", "en": "Draft local detailed plan for the Kirkonkylä school campus"},
        summary={"fi": "Kerro mielipiteesi uuden koulukeskuksen kaavaluonnoksesta, kun luonnos on nähtävillä.",
                 "sv": "Säg vad du tycker om utkastet till detaljplan för det nya skolcentret medan det är framlagt.",
                 "en": "Tell us what you think of the draft plan for the new school campus while it is on display."},
        body={"fi": "Kaavaluonnos on nähtävillä kunnantalolla ja kirjastossa. Voit kommentoida täällä, "
                    "paperilomakkeella tai asukasillassa.",
              "sv": "Planutkastet finns framlagt i kommunhuset och på biblioteket. Du kan kommentera här, på en "
                    "pappersblankett eller på invånarkvällen.",
              "en": "The draft is on display at the municipal office and the library."},
        languages=[code for code in ("fi", "sv", "en")
                   if code in (organisation.required_languages or ["fi", "sv"])] or ["fi"],
        matter_reference="KAAV/2026/14", created_by=actor.person)
    Phase.objects.create(process=process, kind="information", starts_at=now - timedelta(days=20),
                         ends_at=now - timedelta(days=10))
    Phase.objects.create(process=process, kind="input", starts_at=now - timedelta(days=10),
                         ends_at=now + timedelta(days=30))
    Phase.objects.create(process=process, kind="results", starts_at=now + timedelta(days=30))
    sections = [actions.do_save_section(actor, process, None, title=s["title"], abstract=s["abstract"],
                                        body=s["body"], map_input=s["map_input"],
                                        places=PLACES if s["map_input"] != "none" else [], ordering=i)
                for i, s in enumerate(SECTIONS)]
    for index, name, language, text, place in COMMENTS:
        actions.do_add_comment(actor, sections[index], text=text, display_name=name, language=language, place=place)
    # A comment given on a paper form at the library, recorded by staff into the same comments.
    paper, _created = actions.do_add_comment(
        actor, sections[2], text="Toivon, että pihalle tulee myös penkkejä ja varjoisia paikkoja ikäihmisille, "
        "jotka käyttävät kirjastoa.", display_name="Eino (paperilomake)", language="fi", place="koulun-piha",
        source=Contribution.Source.PAPER, recorded_by=actor.person)
    actions.do_answer_comment(actor, paper, "Kiitos ehdotuksesta. Penkit ja varjopaikat lisätään pihasuunnitelmaan.")
    return process
