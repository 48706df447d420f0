"""Demo matters for the demo municipality, imported the way a municipality would: a CSV export of
its case management (semicolons, Finnish headers) through a saved column mapping.

``seed(organisation)`` is idempotent: a second run updates the same matters and adds none.  A
participation process whose ``matter_reference`` is one of these case numbers is linked to it.

Then the duty to inform gets a history (``seed_communication``), made through the publishing and
participation actions: the budget was announced and the street renovation's decision told in both
languages; the school network study was announced in both but its residents' idea collection runs in
Finnish only (a Swedish gap); the swimming hall's and public transport's decisions were never told (the
most urgent gaps on the dashboard).  Done once: a matter that already has linked messages is left alone.
"""

from __future__ import annotations

import datetime as dt

from kanava.core.audit import Actor
from kanava.matters import actions
from kanava.matters.importers import csv_import
from kanava.matters.models import ImportMapping, Matter

MAPPING_NAME = "Dynasty-vienti"
COLUMNS = {
    "case_number": "Diaarinumero", "title_fi": "Otsikko", "title_sv": "Rubrik", "summary_fi": "Kuvaus",
    "summary_sv": "Beskrivning", "deciding_body": "Päättävä toimielin", "preparer": "Valmistelija",
    "stage": "Tila", "meeting_date": "Kokouspäivä", "agenda_url": "Esityslista", "minutes_url": "Pöytäkirja",
    "confidentiality": "Julkisuus", "secrecy_ground": "Salassapitoperuste",
}
HEADER = list(COLUMNS.values())

# (case number, fi title, sv title, fi summary, sv summary, body, preparer, stage, days from today, publicity, ground)
MATTERS = [
    ("KAAV/2026/14", "Kirkonkylän koulukeskuksen asemakaava", "Detaljplan för Kyrkbyns skolcenter",
     "Asemakaavaluonnos uudelle koulukeskukselle on nähtävillä.",
     "Utkastet till detaljplan för det nya skolcentret är framlagt.",
     "Kunnanhallitus", "Kaavoituspäällikkö Anna Koski", "preparation", 40, "Julkinen", ""),
    ("KH/112/00.01.02/2026", "Talousarvio 2027 ja taloussuunnitelma 2027–2029", "Budget 2027 och ekonomiplan 2027–2029",
     "Kunnanhallituksen esitys talousarvioksi.", "Kommunstyrelsens förslag till budget.",
     "Kunnanvaltuusto", "Talousjohtaja Mikko Laine", "agenda", 12, "Julkinen", ""),
    ("KH/98/10.03.02/2026", "Rantalan yleiskaavan muutos", "Ändring av Strandby generalplan",
     "Yleiskaavan muutos mahdollistaa uusia rantatontteja.", "Ändringen möjliggör nya strandtomter.",
     "Kunnanhallitus", "Kaavoituspäällikkö Anna Koski", "preparation", 60, "Julkinen", ""),
    ("SIVI/45/12.00.00/2026", "Kouluverkkoselvitys", "Utredning av skolnätet",
     "Selvitys kyläkoulujen tulevaisuudesta.", "Utredning om byskolornas framtid.",
     "Sivistyslautakunta", "Sivistysjohtaja Eeva Niemi", "preparation", 30, "Julkinen", ""),
    ("TEK/77/10.02.03/2026", "Kirkkotien peruskorjaus", "Grundrenovering av Kyrkvägen",
     "Kirkkotien katu ja vesijohdot uusitaan kesällä.", "Kyrkvägen och vattenledningarna förnyas i sommar.",
     "Tekninen lautakunta", "Kuntatekniikan päällikkö Jari Mäkelä", "decided", -14, "Julkinen", ""),
    ("TEK/80/02.08.00/2026", "Katuvalojen vaihto LED-valaisimiin", "Byte av gatubelysning till LED",
     "Katuvalot vaihdetaan energiatehokkaisiin.", "Gatubelysningen byts till energieffektiv.",
     "Tekninen lautakunta", "Kuntatekniikan päällikkö Jari Mäkelä", "appeal", -7, "Julkinen", ""),
    ("KH/60/00.00.01/2026", "Hallintosäännön muutos", "Ändring av förvaltningsstadgan",
     "Toimivaltuuksien siirto lautakunnille.", "Befogenheter förs över till nämnderna.",
     "Kunnanvaltuusto", "Hallintojohtaja Sari Heikkinen", "in_force", -60, "Julkinen", ""),
    ("SIVI/50/12.01.00/2026", "Koulukuljetusten periaatteet lukuvuodelle 2026–2027",
     "Principer för skolskjutsar läsåret 2026–2027",
     "Koulukuljetuksen etäisyysrajat ja odotusajat.", "Avståndsgränser och väntetider för skolskjuts.",
     "Sivistyslautakunta", "Opetuspäällikkö Ville Lahti", "agenda", 5, "Julkinen", ""),
    ("VAPA/12/14.00.00/2026", "Uimahallin aukioloajat", "Simhallens öppettider",
     "Uimahallin aukioloaikoja laajennetaan iltaisin.", "Simhallens öppettider förlängs på kvällarna.",
     "Vapaa-aikalautakunta", "Liikuntasihteeri Jussi Salo", "decided", -21, "Julkinen", ""),
    ("VAPA/15/14.02.00/2026", "Kulttuuriavustukset 2026", "Kulturunderstöd 2026",
     "Yhdistysten kulttuuriavustusten jako.", "Fördelning av kulturunderstöd till föreningar.",
     "Vapaa-aikalautakunta", "Kulttuurisihteeri Laura Ketola", "appeal", -3, "Julkinen", ""),
    ("TEK/90/10.03.01/2026", "Satama-alueen asemakaavan muutos", "Ändring av detaljplanen för hamnområdet",
     "Satama-alueelle suunnitellaan asuntoja.", "Bostäder planeras på hamnområdet.",
     "Tekninen lautakunta", "Kaavoitusarkkitehti Pekka Vuori", "preparation", 90, "Julkinen", ""),
    ("KH/120/02.05.00/2026", "Kunnan omistaman kiinteistön myynti, Pohjolantie 3",
     "Försäljning av kommunens fastighet, Pohjolavägen 3",
     "Vanhan terveysaseman kiinteistö myydään.", "Den gamla hälsocentralens fastighet säljs.",
     "Kunnanhallitus", "Maankäyttöinsinööri Timo Niemi", "agenda", 9, "Osittain salassa pidettävä",
     "JulkL 24.1 § 17 k"),
    ("KH/121/01.01.01/2026", "Henkilöstöasia", "Personalärende",
     "", "", "Kunnanhallitus", "Henkilöstöpäällikkö Tiina Koivisto", "decided", -10, "Salassa pidettävä",
     "JulkL 24.1 § 32 k"),
    ("SOTE/8/05.00.00/2026", "Ikäihmisten palveluverkko", "Servicenätet för äldre",
     "Hyvinvointialueen palveluverkon muutokset kunnassa.", "Välfärdsområdets ändringar i servicenätet i kommunen.",
     "Kunnanhallitus", "Kunnanjohtaja Ville Virtanen", "preparation", 45, "Julkinen", ""),
    ("KH/130/10.00.00/2026", "Tuulivoimapuiston osayleiskaava", "Delgeneralplan för vindkraftspark",
     "Haapasaaren tuulivoimapuiston kaavoitus käynnistetään.",
     "Planläggningen av vindkraftsparken vid Haapasaari inleds.",
     "Kunnanvaltuusto", "Kaavoituspäällikkö Anna Koski", "preparation", 120, "Julkinen", ""),
    ("TEK/95/08.01.00/2026", "Joukkoliikenteen palvelutaso", "Kollektivtrafikens servicenivå",
     "Kutsuliikenteen laajentaminen kyliin.", "Anropstrafiken utvidgas till byarna.",
     "Tekninen lautakunta", "Liikenneinsinööri Minna Hakala", "decided", -30, "Julkinen", ""),
    ("KH/135/00.04.00/2026", "Kuntastrategian päivitys", "Uppdatering av kommunstrategin",
     "Strategiaa päivitetään asukkaita kuullen.", "Strategin uppdateras med invånarnas synpunkter.",
     "Kunnanvaltuusto", "Kunnanjohtaja Ville Virtanen", "preparation", 150, "Julkinen", ""),
    ("SIVI/55/12.02.00/2026", "Varhaiskasvatuksen asiakasmaksut", "Klientavgifter inom småbarnspedagogiken",
     "Asiakasmaksut päivitetään lain muutoksen mukaisiksi.", "Klientavgifterna uppdateras enligt lagändringen.",
     "Sivistyslautakunta", "Varhaiskasvatusjohtaja Heli Rantanen", "in_force", -45, "Julkinen", ""),
    ("TEK/99/11.01.00/2026", "Jätevedenpuhdistamon saneeraus", "Sanering av avloppsreningsverket",
     "Puhdistamon saneeraus ja ympäristölupa.", "Sanering av reningsverket och miljötillstånd.",
     "Tekninen lautakunta", "Vesihuoltopäällikkö Kari Lindqvist", "agenda", 19, "Julkinen", ""),
    ("YMP/20/11.01.00/2026", "Maa-ainesten ottolupa, Mäkelän sorakuoppa", "Marktäktstillstånd, Mäkelä grustag",
     "Hakemus soranotolle Mäkelän alueella.", "Ansökan om grustäkt i Mäkelä.",
     "Ympäristölautakunta", "Ympäristösihteeri Outi Järvinen", "appeal", -2, "Julkinen", ""),
    ("KH/140/02.02.00/2026", "Vuoden 2026 tilinpäätös", "Bokslut för 2026",
     "Tilinpäätös ja toimintakertomus.", "Bokslut och verksamhetsberättelse.",
     "Kunnanvaltuusto", "Talousjohtaja Mikko Laine", "preparation", 200, "Julkinen", ""),
    ("SIVI/60/12.03.00/2026", "Kirjastoauton hankinta", "Anskaffning av bokbuss",
     "Uuden kirjastoauton hankinta.", "Anskaffning av en ny bokbuss.",
     "Sivistyslautakunta", "Kirjastotoimenjohtaja Päivi Virta", "decided", -40, "Osittain salassa pidettävä",
     "JulkL 24.1 § 20 k"),
    ("KH/145/01.00.00/2026", "Kunnan nimikkopuu ja -kukka", "Kommunens träd och blomma",
     "Asukkaat saavat ehdottaa kunnan nimikkopuuta.", "", "Kunnanhallitus", "Viestintäpäällikkö Liisa Viestintä",
     "preparation", 25, "Julkinen", ""),
    ("TEK/101/10.04.00/2026", "Kevyen liikenteen väylä Rantalaan", "Gång- och cykelväg till Strandby",
     "Uusi väylä parantaa koululaisten turvallisuutta.", "Den nya leden förbättrar skolbarnens säkerhet.",
     "Tekninen lautakunta", "Liikenneinsinööri Minna Hakala", "agenda", 15, "Julkinen", ""),
    ("KH/150/07.00.00/2026", "Elinvoimaohjelma", "Livskraftsprogram",
     "Yrittäjien ja kunnan yhteinen elinvoimaohjelma.", "", "Kunnanhallitus", "Elinvoimajohtaja Tuomas Aalto",
     "preparation", 70, "Julkinen", ""),
    ("YMP/25/11.02.00/2026", "Rantojen virkistyskäytön suunnitelma", "Plan för rekreationsbruk av stränderna",
     "Uimarantojen ja venepaikkojen kehittäminen.", "Utveckling av badstränder och båtplatser.",
     "Ympäristölautakunta", "Ympäristösihteeri Outi Järvinen", "decided", -50, "Julkinen", ""),
    ("KH/155/00.01.00/2026", "Kuntalaisaloite: koirapuisto keskustaan", "Invånarinitiativ: hundpark i centrum",
     "Aloitteen käsittely ja vastaus aloitteen tekijöille.",
     "Behandling av initiativet och svar till initiativtagarna.",
     "Kunnanhallitus", "Puistopuutarhuri Sanna Koski", "in_force", -90, "Julkinen", ""),
    ("SIVI/62/12.00.01/2026", "Nuorisovaltuuston toimintasääntö", "Ungdomsfullmäktiges stadga",
     "Nuorisovaltuuston uusi toimintasääntö.", "Ungdomsfullmäktiges nya stadga.",
     "Kunnanvaltuusto", "Nuorisosihteeri Joonas Harju", "agenda", 12, "Julkinen", ""),
    ("TEK/105/02.07.00/2026", "Talvikunnossapidon urakka 2026–2029", "Entreprenad för vinterunderhåll 2026–2029",
     "Aurauksen ja hiekoituksen urakkakilpailutus.", "Upphandling av plogning och sandning.",
     "Tekninen lautakunta", "Kuntatekniikan päällikkö Jari Mäkelä", "appeal", -5, "Osittain salassa pidettävä",
     "JulkL 24.1 § 17 k"),
    ("KH/160/00.03.00/2026", "Valmiussuunnitelman päivitys", "Uppdatering av beredskapsplanen",
     "", "", "Kunnanhallitus", "Turvallisuuspäällikkö Juha Lehto", "preparation", 35, "Salassa pidettävä",
     "JulkL 24.1 § 8 k"),
]


def demo_csv(today: dt.date | None = None) -> str:
    """The demo municipality's case-management export (semicolon separated, Finnish date format)."""
    today = today or dt.date.today()
    lines = [";".join(HEADER)]
    for (number, title_fi, title_sv, summary_fi, summary_sv, body, preparer, stage, days, publicity,
         ground) in MATTERS:
        date = (today + dt.timedelta(days=days)).strftime("%d.%m.%Y")
        slug = number.replace("/", "-").lower()
        agenda = f"https://kanavala.tweb.fi/ktwebbin/dbisa.dll/ktwebscr/epj_tek.htm#{slug}" \
            if stage != "preparation" else ""
        minutes = f"https://kanavala.tweb.fi/ktwebbin/dbisa.dll/ktwebscr/pk_tek.htm#{slug}" \
            if stage in ("decided", "appeal", "in_force") else ""
        cells = [number, title_fi, title_sv, summary_fi, summary_sv, body, preparer, stage, date, agenda, minutes,
                 publicity, ground]
        lines.append(";".join('"' + cell.replace('"', '""') + '"' if ";" in cell else cell for cell in cells))
    return "\r\n".join(lines) + "\r\n"


def seed(organisation, actor: Actor | None = None):
    """Import the demo matters into ``organisation`` (idempotent) and link processes that name them."""
    from kanava.participation.models import Process

    actor = actor or Actor.system("demo")
    mapping = ImportMapping.objects.filter(organisation=organisation, name=MAPPING_NAME).first()
    if mapping is None:
        mapping = actions.save_mapping(actor, organisation, MAPPING_NAME, COLUMNS, "%d.%m.%Y")
    result = csv_import(organisation, demo_csv().encode("utf-8-sig"), mapping.as_mapping(), actor=actor)
    matters = {m.case_number: m for m in Matter.objects.filter(organisation=organisation,
                                                                 case_number__in=[row[0] for row in MATTERS])}
    for process in Process.objects.filter(organisation=organisation, matter_reference__in=list(matters)):
        matter = matters[process.matter_reference]
        if not matter.processes.filter(pk=process.pk).exists():
            actions.link_process(actor, matter, process)
    seed_communication(organisation, actor, matters)
    return result


# (case number, {language: (title, body)}): published and linked to the matter.
TOLD = [
    ("KH/112/00.01.02/2026", {
        "fi": ("Talousarvio 2027 valtuuston käsittelyyn",
               "Kunnanhallituksen esitys talousarvioksi 2027 on valtuuston esityslistalla. Kokous on avoin yleisölle."),
        "sv": ("Budgeten 2027 till fullmäktige",
               "Kommunstyrelsens förslag till budget 2027 finns på fullmäktiges föredragningslista. Mötet är öppet "
               "för allmänheten."),
    }),
    ("TEK/77/10.02.03/2026", {
        "fi": ("Kirkkotie peruskorjataan kesällä",
               "Tekninen lautakunta päätti Kirkkotien peruskorjauksesta. Katu ja vesijohdot uusitaan kesällä."),
        "sv": ("Kyrkvägen grundrenoveras i sommar",
               "Tekniska nämnden beslöt om grundrenoveringen av Kyrkvägen. Gatan och vattenledningarna förnyas i "
               "sommar."),
    }),
    ("SIVI/45/12.00.00/2026", {
        "fi": ("Kouluverkkoselvitys alkaa", "Sivistyslautakunta selvittää kyläkoulujen tulevaisuutta. Kerro ideasi!"),
        "sv": ("Utredningen av skolnätet börjar", "Bildningsnämnden utreder byskolornas framtid."),
    }),
]
# A residents' idea collection in Finnish only: the Swedish gap of the school network study.
FINNISH_ONLY_PROCESS = ("SIVI/45/12.00.00/2026", "kylakoulujen-tulevaisuus",
                        {"fi": "Kyläkoulujen tulevaisuus: kerro ideasi"})


def seed_communication(organisation, actor: Actor, matters: dict[str, Matter]) -> None:
    """Publish and link the demo's messages and its Finnish-only process (once; see the module docstring)."""
    from django.utils import timezone

    from kanava.participation import actions as participation
    from kanava.participation.models import Process
    from kanava.publishing import actions as publishing

    if actor.person is None:
        return  # messages need an author: the demo passes its communications lead
    for case_number, texts in TOLD:
        matter = matters.get(case_number)
        if matter is None or matter.messages.exists():
            continue
        versions = {code: {"title": title, "body": body} for code, (title, body) in texts.items()
                    if code in organisation.required_languages}
        message = publishing.do_create_message(actor, organisation, versions=versions)
        actions.link_message(actor, matter, message)
        publishing.do_submit_for_review(actor, message)
        publishing.do_approve(actor, message)
        publishing.do_publish(actor, message)
    case_number, slug, title = FINNISH_ONLY_PROCESS
    matter = matters.get(case_number)
    if matter is not None and not Process.objects.filter(organisation=organisation, slug=slug).exists():
        now = timezone.now()
        process = participation.do_create_process(
            actor, organisation, kind="ideas", slug=slug, title=title, languages=["fi"],
            summary={"fi": "Miten kyläkoulut voisivat jatkaa? Ehdota ja kommentoi."},
            matter_reference=case_number,
            phases=[participation.PhaseData(kind="input", starts_at=now, ends_at=now + dt.timedelta(days=30))])
        participation.do_publish_process(actor, process)
        actions.link_process(actor, matter, process)
