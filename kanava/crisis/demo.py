"""Demo playbooks: the nine scenarios with pre-approved Finnish and Swedish templates (idempotent).

``seed(organisation)`` creates what is missing and leaves what exists; the
storm playbook was last reviewed over a year ago, so the review nag shows.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kanava.core.access import can
from kanava.core.audit import Actor
from kanava.core.models import Membership
from kanava.core.roles import Cap
from kanava.crisis import actions
from kanava.crisis.models import Playbook, PlaybookContact

# Rough outline of a town centre (Kanavala's demo has no real map): a closed CAP polygon.
CENTRE = "60.4700,26.9300 60.4700,26.9600 60.4550,26.9600 60.4550,26.9300 60.4700,26.9300"

# scenario -> (name fi, name sv, CAP category, first[, update, all_clear]); each message is
# (fi, sv), each of them (title, body, instruction).
T = {
    "drinking_water": (
        "Talousveden saastuminen", "Förorenat hushållsvatten", "Health",
        (("Keitä vesi ennen juomista: {place}",
          "Vesijohtovedessä on todettu {time} bakteereja alueella {place}. Vettä ei saa juoda keittämättä. "
          "Vesihuoltolaitos selvittää syytä ja puhdistaa verkoston. Seuraava tiedote klo {next_update}.",
          "Keitä juoma- ja ruokavesi vähintään 2 minuuttia kiehuvana. Keitä myös hampaidenpesuvesi ja vauvojen "
          "ja eläinten vesi. Peseytymiseen ja pyykinpesuun vesi käy sellaisenaan. {instructions}"),
         ("Koka vattnet före du dricker det: {place}",
          "I vattenledningsvattnet har {time} konstaterats bakterier i området {place}. Vattnet får inte drickas "
          "okokt. Vattenverket utreder orsaken och rengör nätet. Nästa meddelande kl. {next_update}.",
          "Koka dricks- och matlagningsvatten i minst 2 minuter. Koka också vatten för tandborstning och vatten "
          "till spädbarn och djur. Vattnet kan användas som sådant för att tvätta sig och tvätta kläder. "
          "{instructions}")),
        (("Keittokehotus jatkuu: {place}",
          "Vettä on keitettävä edelleen alueella {place}. {instructions} Seuraava tiedote klo {next_update}.",
          "Keitä juoma- ja ruokavesi. Vesipisteiden tiedot ovat kriisisivulla."),
         ("Kokningsrekommendationen fortsätter: {place}",
          "Vattnet måste fortfarande kokas i området {place}. {instructions} Nästa meddelande kl. {next_update}.",
          "Koka dricks- och matlagningsvatten. Information om vattenposterna finns på krissidan.")),
        (("Vesi on taas juomakelpoista: {place}",
          "Näytteiden mukaan vesi on puhdasta. Keittokehotus on päättynyt alueella {place}. Juoksuta kylmää vettä "
          "muutama minuutti ennen käyttöä.", ""),
         ("Vattnet är drickbart igen: {place}",
          "Enligt proverna är vattnet rent. Kokningsrekommendationen har upphört i området {place}. Spola kallt "
          "vatten några minuter före användning.", ""))),
    "power_cut": ("Laaja sähkökatko", "Omfattande elavbrott", "Infra",
                  (("Sähkökatko: {place}", "Sähköt ovat poikki alueella {place} {time} alkaen. {instructions}",
                    "Säästä puhelimen akkua. Soita 112 vain hätätilanteessa."),
                   ("Elavbrott: {place}", "Elen är bruten i området {place} från {time}. {instructions}",
                    "Spara telefonens batteri. Ring 112 bara i nödsituationer."))),
    "storm": ("Myrsky", "Storm", "Met",
              (("Myrskyvaroitus: {place}", "Voimakas myrsky {time}. {instructions}",
                "Pysy sisällä, kiinnitä irtotavarat ja vältä metsäteitä."),
               ("Stormvarning: {place}", "Kraftig storm {time}. {instructions}",
                "Stanna inne, fäst lösa föremål och undvik skogsvägar."))),
    "heat": ("Helle", "Värmebölja", "Met",
             (("Hellevaroitus: {place}", "Helle jatkuu {time}. {instructions}",
               "Juo vettä, vältä rasitusta ja tarkista läheisten vointi."),
              ("Värmevarning: {place}", "Värmen fortsätter {time}. {instructions}",
               "Drick vatten, undvik ansträngning och kontrollera hur dina närstående mår."))),
    "school_threat": ("Uhka koululla", "Hot mot en skola", "Security",
                      (("Poliisi on paikalla: {place}", "Koululla {place} on uhkatilanne {time}. Poliisi johtaa "
                        "tilannetta. {instructions}", "Älä tule koululle. Seuraa poliisin tiedotteita."),
                       ("Polisen är på plats: {place}", "Vid skolan {place} råder en hotsituation {time}. Polisen "
                        "leder insatsen. {instructions}", "Kom inte till skolan. Följ polisens meddelanden."))),
    "cyberattack": ("Tietojärjestelmähäiriö tai kyberhyökkäys", "Störning i datasystem eller cyberattack", "Security",
                    (("Kunnan palveluissa on häiriö", "Kunnan tietojärjestelmiin kohdistuu häiriö {time}. "
                      "{instructions}", "Emme koskaan kysy tunnuksiasi tekstiviestillä tai sähköpostilla."),
                     ("Störning i kommunens tjänster", "Kommunens datasystem är utsatta för en störning {time}. "
                      "{instructions}", "Vi frågar aldrig efter dina koder per sms eller e-post."))),
    "epidemic": ("Epidemia", "Epidemi", "Health",
                 (("Epidemia: {place}", "Alueella {place} on todettu tartuntoja {time}. {instructions}",
                   "Pese kädet ja jää kotiin sairaana."),
                  ("Epidemi: {place}", "I området {place} har smittfall konstaterats {time}. {instructions}",
                   "Tvätta händerna och stanna hemma om du är sjuk."))),
    "evacuation": ("Evakuointi", "Evakuering", "Rescue",
                   (("Evakuointi: {place}", "Pelastusviranomainen evakuoi alueen {place} {time}. {instructions}",
                     "Ota mukaan lääkkeet ja henkilöllisyystodistus. Kokoontumispaikka: {instructions}"),
                    ("Evakuering: {place}", "Räddningsmyndigheten evakuerar området {place} {time}. {instructions}",
                     "Ta med mediciner och identitetshandling. Samlingsplats: {instructions}"))),
    "custom": ("Muu häiriötilanne", "Annan störning", "Other",
               (("Häiriötilanne: {place}", "{place}: {time}. {instructions}", ""),
                ("Störning: {place}", "{place}: {time}. {instructions}", ""))),
}

GENERIC_UPDATE = (("Tilannetiedote: {place}", "Tilanne jatkuu alueella {place}. {instructions} Seuraava tiedote klo "
                   "{next_update}.", ""),
                  ("Lägesrapport: {place}", "Situationen fortsätter i området {place}. {instructions} Nästa "
                   "meddelande kl. {next_update}.", ""))
GENERIC_ALL_CLEAR = (("Tilanne on ohi: {place}",
                      "Häiriötilanne alueella {place} on päättynyt. Kiitos kärsivällisyydestä.", ""),
                     ("Situationen är över: {place}", "Störningen i området {place} är över. Tack för ert tålamod.",
                      ""))


def _texts(pair) -> dict:
    (fi, sv) = pair
    return {"title": {"fi": fi[0], "sv": sv[0]}, "body": {"fi": fi[1], "sv": sv[1]},
            "instruction": {k: v for k, v in (("fi", fi[2]), ("sv", sv[2])) if v}}


def _approver(organisation):
    for membership in Membership.objects.filter(organisation=organisation).select_related("person"):
        if can(membership.person, organisation, Cap.APPROVE):
            return membership.person
    return None


def seed(organisation) -> list[Playbook]:
    """The nine scenario playbooks of ``organisation`` (existing ones by scenario are kept)."""
    approver = _approver(organisation)
    actor = Actor(person=approver) if approver else Actor.system("demo")
    now = timezone.now()
    playbooks = []
    for scenario, (name_fi, name_sv, category, first, *rest) in T.items():
        playbook = Playbook.objects.filter(organisation=organisation, scenario=scenario).first()
        if playbook is None:
            data = actions.PlaybookData(
                scenario=scenario, name={"fi": name_fi, "sv": name_sv}, cap_category=category,
                channel_order=["banner", *(kind for kind in ("website", "sms", "email", "facebook", "instagram", "x",
                                                             "linkedin", "mastodon", "bluesky", "press", "print")
                                           if kind in actions.manifests())],
                update_cadence_minutes=60 if scenario != "school_threat" else 20,
                roles=[{"role": "Tilannejohtaja / Lägesledare", "holder": "Kunnanjohtaja"},
                       {"role": "Viestintävastaava / Kommunikationsansvarig", "holder": "Viestintäpäällikkö"}],
                checklist=["Varmista tiedot tilannejohtajalta", "Avaa kriisitila ja lähetä ensitiedote",
                           "Hälytä kumppanit", "Päivitä kriisisivu ja vastaa huhuihin", "Lähetä tilanne ohi -tiedote"],
                contacts=[actions.ContactData(PlaybookContact.Group.INTERNAL, "Vesihuoltolaitoksen päivystys",
                                              "Päivystäjä", "paivystys@kanavala.fi", "+358401234567"),
                          actions.ContactData(PlaybookContact.Group.PARTNER, "Pelastuslaitos", "Tilannekeskus",
                                              "tilannekeskus@pelastus.example.fi", "+358409876543")],
                areas=[actions.AreaData({"fi": "Keskusta", "sv": "Centrum"}, CENTRE, "KUNTA", "999")])
            playbook = actions.save_playbook(actor, organisation, data)
            kinds = (first, *rest) if len(rest) == 2 else (first, GENERIC_UPDATE, GENERIC_ALL_CLEAR)
            for kind, pair in zip(("first", "update", "all_clear"), kinds):
                template = actions.save_template(actor, playbook, kind, **_texts(pair))
                if approver:
                    actions.approve_template(actor, template)
            reviewed = now - timedelta(days=400 if scenario == "storm" else 30)
            if approver:
                actions.mark_reviewed(actor, playbook, now=reviewed)
        playbooks.append(playbook)
    _drill_list(organisation, next(p for p in playbooks if p.scenario == "drinking_water"))
    return playbooks


def _water_rumour(organisation):
    """A rumour every boil-water notice meets, with its answer ready (the claims register)."""
    from kanava.inbox.models import Claim

    claim, _created = Claim.objects.get_or_create(
        organisation=organisation, slug="keitetty-vesi-ei-kelpaa",
        defaults={"statement": {"fi": "Keitettykään vesi ei ole turvallista juoda",
                                "sv": "Inte ens kokt vatten är säkert att dricka"},
                  "phrasings": "keitetty vesi vaarallista\nvesi myrkyllistä\nkokt vatten farligt",
                  "verdict": Claim.Verdict.FALSE,
                  "answer": {"fi": "Keitetty vesi on turvallista. Kun vesi kiehuu vähintään minuutin, bakteerit "
                                   "kuolevat. Kylmää vesijohtovettä ei pidä juoda ennen kuin keittokehotus päättyy.",
                             "sv": "Kokt vatten är säkert. När vattnet kokar i minst en minut dör bakterierna. "
                                   "Drick inte kallt kranvatten förrän kokningsrekommendationen har upphört."},
                  "sources": "Terveyden ja hyvinvoinnin laitos: talousveden keittäminen",
                  "checked_on": timezone.localdate(), "published": True})
    return claim


def _drill_list(organisation, playbook: Playbook) -> None:
    """The water playbook can be drilled in the demo: every channel it names but the press release (its
    contacts are newsrooms, not an exercise list), and an exercise list of four staff addresses (two phones, a Finnish and a Swedish email) (a drill
    reaches that list only, never the residents who follow all topics)."""
    from kanava.audience.models import Subscriber
    from kanava.channels.models import Channel
    from kanava.core.models import Topic

    topic, _created = Topic.objects.get_or_create(
        organisation=organisation, slug="valmiusharjoitus",
        defaults={"name": {"fi": "Valmiusharjoitus", "sv": "Beredskapsövning", "en": "Preparedness drill"}})
    for kind, address, language in (("sms", "+358401110001", "fi"), ("sms", "+358401110002", "sv"),
                                     ("email", "harjoitus@kanavala.fi", "fi"), ("email", "ovning@kanavala.fi", "sv")):
        subscriber, _created = Subscriber.objects.get_or_create(
            organisation=organisation, kind=kind, address=address,
            defaults={"language": language, "state": Subscriber.State.CONFIRMED, "all_topics": False,
                      "confirmed_at": timezone.now()})
        subscriber.topics.add(topic)
    if playbook.exercise_topic_id is None:
        playbook.exercise_topic, playbook.exercise_banner = topic, True
        playbook.save(update_fields=["exercise_topic", "exercise_banner"])
        playbook.prepared_claims.set([_water_rumour(organisation)])
        playbook.exercise_channels.set(Channel.objects.filter(organisation=organisation, owner=None, enabled=True,
                                                              kind__in=playbook.channel_order).exclude(kind="press"))
