"""The demo municipality's inbox: its discussion rules, claims register and FAQ.

Written straight into the database by ``seed_demo`` (a new organisation's
first content, like its topics); what residents say arrives later through the
stand-in platforms and the inbound-mail endpoint, as in production.
"""

from __future__ import annotations

from datetime import date

from kanava.inbox.models import Claim, KnowledgeEntry, ResponseTargets, Rule

RULES = [
    ({"fi": "Asiallisuus", "sv": "Saklighet", "en": "Stay on topic"},
     {"fi": "Keskustele asiasta. Viestit, jotka eivät liity aiheeseen, voidaan piilottaa.",
      "sv": "Diskutera sakfrågan. Inlägg som inte hör till ämnet kan döljas.",
      "en": "Discuss the matter. Messages unrelated to the topic may be hidden."}),
    ({"fi": "Ei henkilöön käyviä hyökkäyksiä", "sv": "Inga personangrepp", "en": "No personal attacks"},
     {"fi": "Arvostele päätöksiä, älä ihmisiä. Nimittely, solvaukset ja häirintä piilotetaan.",
      "sv": "Kritisera beslut, inte människor. Öknamn, förolämpningar och trakasserier döljs.",
      "en": "Criticise decisions, not people. Name-calling, insults and harassment are hidden."}),
    ({"fi": "Ei uhkauksia", "sv": "Inga hot", "en": "No threats"},
     {"fi": "Uhkaukset piilotetaan ja niistä voidaan tehdä rikosilmoitus.",
      "sv": "Hot döljs och kan polisanmälas.", "en": "Threats are hidden and may be reported to the police."}),
    ({"fi": "Ei mainontaa", "sv": "Ingen reklam", "en": "No advertising"},
     {"fi": "Mainokset ja roskaposti poistetaan.", "sv": "Reklam och skräppost tas bort.",
      "en": "Advertising and spam are removed."}),
    ({"fi": "Yksityisyys", "sv": "Integritet", "en": "Privacy"},
     {"fi": "Älä julkaise muiden henkilötietoja. Kerro omat asiasi meille yksityisviestillä.",
      "sv": "Publicera inte andras personuppgifter. Berätta om dina egna ärenden i ett privat meddelande.",
      "en": "Do not publish other people's personal data. Tell us your own matters in a private message."}),
]

CLAIMS = [
    {
        "slug": "uimahalli-suljetaan",
        "statement": {"fi": "Uimahalli suljetaan pysyvästi", "sv": "Simhallen stängs för gott",
                      "en": "The swimming hall will close for good"},
        "phrasings": "uimahalli lopetetaan\nuimahalli lakkautetaan\nsimhallen läggs ner\nthe pool is closing down",
        "verdict": Claim.Verdict.FALSE,
        "answer": {
            "fi": "Uimahallia ei suljeta. Se on kiinni 1.–14.6. vuosihuollon ajan ja avataan taas 15.6. "
                  "Kunnanvaltuusto päätti uimahallin peruskorjauksesta 2027.",
            "sv": "Simhallen stängs inte. Den är stängd 1–14.6 för årligt underhåll och öppnar igen 15.6. "
                  "Kommunfullmäktige har beslutat om en renovering av simhallen 2027.",
            "en": "The swimming hall is not closing. It is shut 1–14 June for annual maintenance and reopens "
                  "on 15 June. The council decided on a renovation in 2027.",
        },
        "sources": "Kunnanvaltuuston pöytäkirja 12.3.2026, § 24\nhttps://kanavala.fi/liikunta/uimahalli",
        "checked_on": date(2026, 11, 20),
    },
    {
        "slug": "koulukuljetukset",
        "statement": {"fi": "Koulukuljetukset lakkautetaan kylistä", "sv": "Skolskjutsarna från byarna upphör",
                      "en": "School transport from the villages is ending"},
        "phrasings": "koulukyydit loppuvat\nkoulutaksi lopetetaan\nskoltaxin försvinner",
        "verdict": Claim.Verdict.MISLEADING,
        "answer": {
            "fi": "Koulukuljetukset jatkuvat. Reitit muuttuvat tammikuussa: kaksi taksireittiä korvataan "
                  "koulubussilla. Oikeus kuljetukseen ei muutu.",
            "sv": "Skolskjutsarna fortsätter. Rutterna ändras i januari: två taxirutter ersätts med en skolbuss. "
                  "Rätten till skolskjuts ändras inte.",
        },
        "sources": "Sivistyslautakunta 4.11.2026, § 61",
        "checked_on": date(2026, 11, 5),
    },
]

FAQ = [
    ("fi", "Milloin vesikatko loppuu?",
     "Vesikatkon tiedot ja arvioitu päättymisaika ovat kunnan verkkosivuilla kohdassa Ajankohtaista. "
     "Voit tilata tiedotteet tekstiviestinä."),
    ("sv", "När tar vattenavbrottet slut?",
     "Information om vattenavbrottet och när det väntas ta slut finns på kommunens webbplats under Aktuellt. "
     "Du kan beställa meddelanden som sms."),
    ("fi", "Miten haen kirjastoauton aikataulun?",
     "Kirjastoauton aikataulu on kirjaston sivuilla, ja sen saa paperisena pääkirjastosta."),
]


def seed_inbox(org, lead) -> None:
    ResponseTargets.objects.get_or_create(organisation=org)
    for number, (title, text) in enumerate(RULES, start=1):
        Rule.objects.create(organisation=org, number=number, title=title, text=text)
    for claim in CLAIMS:
        Claim.objects.create(organisation=org, published=True, created_by=lead, **claim)
    for language, question, answer in FAQ:
        KnowledgeEntry.objects.create(organisation=org, language=language, question=question, answer=answer,
                                      created_by=lead)
