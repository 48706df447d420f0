"""Labelled test text for the privacy guard (no Django): what it must find and what only looks similar.

Used by the tests (precision and recall) and by the benchmark (realistic text
with a few findings sprinkled in).  Identity codes are computed, never typed,
so every century sign is covered with a check character that is right or
deliberately wrong.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from kanava.participation.hetu import CENTURIES, CHECK_CHARACTERS

SIGNS_BY_CENTURY = {1800: "+", 1900: "-YXWVU", 2000: "ABCDEF"}


def fi_code(date: datetime.date, individual: int, sign: str, wrong_check: bool = False) -> str:
    head = date.strftime("%d%m%y")
    number = f"{individual:03d}"
    index = int(head + number) % 31
    if wrong_check:
        index = (index + 1 + individual % 29) % 31
    return f"{head}{sign}{number}{CHECK_CHARACTERS[index]}"


def valid_fi_codes(rng: random.Random, per_sign: int = 5) -> list[str]:
    """``per_sign`` valid codes for each of the 13 century signs, individual numbers 002-999."""
    codes = []
    for sign, century in CENTURIES.items():
        for _ in range(per_sign):
            date = _random_date(rng, century)
            codes.append(fi_code(date, rng.randint(2, 999), sign))
    return codes


def invalid_fi_codes(rng: random.Random, per_sign: int = 5) -> list[str]:
    """Codes of every sign that are wrong: check character, impossible date, individual number 000/001."""
    codes = []
    for sign, century in CENTURIES.items():
        for n in range(per_sign):
            date = _random_date(rng, century)
            kind = n % 3
            if kind == 0:
                codes.append(fi_code(date, rng.randint(2, 999), sign, wrong_check=True))
            elif kind == 1:  # 30 February or 31 April with the check character computed for it
                day, month = rng.choice([("30", "02"), ("31", "04"), ("32", "01"), ("15", "13"), ("00", "05")])
                head, number = f"{day}{month}{date.year % 100:02d}", f"{rng.randint(2, 999):03d}"
                codes.append(f"{head}{sign}{number}{CHECK_CHARACTERS[int(head + number) % 31]}")
            else:
                codes.append(fi_code(date, rng.randint(0, 1), sign))
    return codes


def se_number(rng: random.Random, form: str, coordination: bool = False, valid: bool = True) -> str:
    """A Swedish personal number in ``form``: "short" (YYMMDD-NNNN), "plus", "long" (YYYYMMDDNNNN), "bare"."""
    century = 1800 if form == "plus" else rng.choice([1900, 2000])
    date = _random_date(rng, century, until=datetime.date(2024, 12, 31))
    day = date.day + (60 if coordination else 0)
    body = f"{date.year % 100:02d}{date.month:02d}{day:02d}{rng.randint(0, 999):03d}"
    check = (10 - _luhn_sum(body) % 10) % 10
    if not valid:
        check = (check + rng.randint(1, 9)) % 10
    digits = body + str(check)
    if form == "short":
        return f"{digits[:6]}-{digits[6:]}"
    if form == "plus":
        return f"{digits[:6]}+{digits[6:]}"
    if form == "long":
        return f"{date.year // 100}{digits}"
    return digits


def _luhn_sum(digits: str) -> int:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total


def _random_date(rng: random.Random, century: int, until: datetime.date | None = None) -> datetime.date:
    first = datetime.date(max(century, 1850) if century == 1800 else century, 1, 1)
    last = min(datetime.date(century + 99, 12, 31), until or datetime.date(2099, 12, 31))
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def iban(rng: random.Random, country: str = "FI", grouped: bool = True) -> str:
    lengths = {"FI": 18, "SE": 24, "DE": 22, "NO": 15, "EE": 20}
    bban = "".join(str(rng.randint(0, 9)) for _ in range(lengths[country] - 4))
    numeric = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    value = f"{country}{98 - numeric % 97:02d}{bban}"
    return " ".join(value[i:i + 4] for i in range(0, len(value), 4)) if grouped else value


FI_PHONES = ["+358 40 123 4567", "040 123 4567", "040-1234567", "0401234567", "(09) 123 4567", "09 1234 5678",
             "050 765 4321", "+358 50 7654321", "044 987 6543", "045 112 2334", "+358 9 310 1691",
             "06 325 1111", "(06) 325 1111", "0800 123 456", "029 123 4567", "+358 (0)40 123 4567",
             "041 555 0101", "046 123 45 67", "018 25 000", "0400 123 456"]
EMAILS = ["matti.meikalainen@pikkula.fi", "anna-lena.ostman@example.se", "kirjaamo@pikkula.fi",
          "ville.virtanen+kunta@gmail.com", "maija_m@kuntaliitto.fi", "jörgen.åkerlund@exempel.ax"]

# Sentences with a finding in {}; Finnish and Swedish.
POSITIVE_TEMPLATES = {
    "fi_identity_code": ["Asiakkaan henkilötunnus on {} ja hän asuu Kirkkotiellä.",
                         "Hetu: {}. Päätös annettu 12.3.2024.",
                         "Hakijan ({}) hakemus käsitellään lautakunnassa.",
                         "Sökandens finska personbeteckning {} finns i ansökan.",
                         "Henkilötunnuksella {}, syntynyt Pikkulassa, ei ole velkoja."],
    "se_personal_number": ["Hans personnummer är {} och han bor i Pikkula.",
                           "Samordningsnummer {} registrerades i går.",
                           "Ruotsalainen henkilönumero {} löytyi liitteestä."],
    "phone": ["Lisätietoja antaa Maija Meikäläinen, puh. {}, arkisin klo 9–15.",
              "Ytterligare information ger Anna Andersson, tfn {}.",
              "Soita numeroon {} niin sovitaan aika.",
              "Ring {} mellan kl. 9 och 12."],
    "email": ["Lähetä hakemus osoitteeseen {} viimeistään perjantaina.",
              "Skicka ansökan till {} senast på fredag.",
              "Yhteyshenkilö: Matti Meikäläinen ({})."],
    "iban": ["Maksu tilille {} eräpäivään mennessä.",
             "Betalningen görs till kontot {} före förfallodagen."],
    "sensitive": ["Perheen lapset ovat {} vuoksi sijoitettuina.",
                  "Hänellä on todettu {} viime keväänä.",
                  "Barnet är föremål för {} sedan i våras."],
}
SENSITIVE_WORDS = ["lastensuojelun", "huostaanoton", "masennus", "toimeentulotukea", "mielenterveysongelmia",
                   "päihdeongelman", "kehitysvammaisuus", "syöpä", "barnskyddsutredning", "omhändertagande",
                   "missbruk", "utkomststöd", "depression", "sjukdomen", "diagnoosi", "sosiaalihuollon"]

# Text that only looks similar: none of it is personal data.
NEAR_MISSES = [
    "Kokous pidetään 12.03.2024 klo 09.00–12.00 valtuustosalissa.",
    "Mötet hålls 2024-03-12 kl. 09:30 i fullmäktigesalen.",
    "Tilausnumero 4500123456 toimitetaan viikolla 12.",
    "Ordernummer 2024-001234 levereras vecka 12.",
    "Laskun numero 20240312001, eräpäivä 31.3.2024.",
    "Fakturanummer 1000234567 ska betalas senast 31.3.",
    "Postiosoite: Kirkkotie 5, 00100 Helsinki.",
    "Postadress: Kyrkvägen 5, 65100 Vasa.",
    "Vuonna 2024 rakennettiin 1990-luvulla suunniteltu silta.",
    "År 2025 öppnas simhallen som byggdes 1978.",
    "Viitenumero 12345 67890 12344 ja RF18 5390 0754 7034.",
    "Referensnummer RF18 5390 0754 7034 anges vid betalning.",
    "ISBN 978-951-1-23456-7 ja ISBN 978-91-7000-150-5.",
    "Y-tunnus 1234567-8, diaarinumero 123/00.01.00/2024.",
    "KH 12.3.2024 § 45, liite 3, sivu 12-14.",
    "Hinta 1 234,50 € (alv 25,5 %), 9 000 asukasta.",
    "Koordinaatit 60.1699, 24.9384; versio 2.0.1.",
    "Ärende 2024/0123, paragraf 45, bilaga 2.",
    "Bussi 040 lähtee klo 7.15 ja bussi 550 klo 7.45.",
    "Öppet 8-16, lunch 11-12, tel. växel öppen vardagar.",
    "Terveysasema ja sosiaalitoimisto muuttavat Kirkkotie 5:een.",
    "Vammaisneuvoston kokous ja sairaalan remontti alkavat maaliskuussa.",
    "Sairaanhoitaja ja hivenen kahvia; kasvu 2,5 % vuodessa.",
    "Hälsocentralen och funktionshinderrådet flyttar 1.4.2025.",
    "Kundnummer 0012345678 och kortnummer 1234 5678 9012 3456.",
    "Henkilöstöä 1 250, budjetti 45 000 000 euroa vuodelle 2025.",
    "Aikataulu: 06.00-22.00, la 08.00-16.00, su suljettu.",
    "Kirjaston aukioloajat 1.6.–31.8. ma–pe 10–18.",
]


@dataclass
class Labelled:
    text: str
    expected: list[tuple[str, str]]  # (kind, found text)


def labelled_corpus(seed: int = 7) -> list[Labelled]:
    """Sentences with known findings (every century sign, every phone format...) and near-misses."""
    rng = random.Random(seed)
    items: list[Labelled] = []

    def add(kind: str, value: str):
        template = rng.choice(POSITIVE_TEMPLATES[kind])
        items.append(Labelled(template.format(value), [(kind, value)]))

    for code in valid_fi_codes(rng, per_sign=4):
        add("fi_identity_code", code)
    for form in ("short", "plus", "long"):
        for coordination in (False, True):
            for _ in range(3):
                add("se_personal_number", se_number(rng, form, coordination))
    for _ in range(3):
        number = se_number(rng, "bare")
        items.append(Labelled(f"Personnummer {number} fanns i ansökan.", [("se_personal_number", number)]))
    for phone in FI_PHONES:
        add("phone", phone)
    for email in EMAILS:
        add("email", email)
    for country in ("FI", "SE", "DE", "NO", "EE"):
        add("iban", iban(rng, country))
    add("iban", iban(rng, "FI", grouped=False))
    for word in SENSITIVE_WORDS:
        add("sensitive", word)
    for text in NEAR_MISSES:
        items.append(Labelled(text, []))
    for code in invalid_fi_codes(rng, per_sign=3):
        items.append(Labelled(f"Virheellinen tunnus {code} hylättiin.", [("invalid_fi", code)]))
    for form in ("short", "long", "bare"):
        for _ in range(3):
            items.append(Labelled(f"Kundnummer {se_number(rng, form, valid=False)} gäller.", []))
    return items


# -- realistic running text for the benchmark ---------------------------------------------

FI_SENTENCES = [
    "Pikkulan kunnanvaltuusto kokoontuu maanantaina valtuustosaliin käsittelemään ensi vuoden talousarviota.",
    "Kirkkotien vesijohtotyöt jatkuvat syyskuun loppuun, ja liikenne ohjataan Koulukadun kautta.",
    "Uimahallin remontti valmistuu aikataulussa, ja halli avataan yleisölle lokakuun alussa.",
    "Kirjasto järjestää lapsille satutunteja joka keskiviikko kello 10–11.",
    "Asukkaat voivat kommentoida kaavaluonnosta kunnan verkkosivuilla 30 päivän ajan.",
    "Lumitöiden aikataulu riippuu sään kehityksestä, ja pääväylät aurataan ensin.",
    "Kunnanhallitus esittää, että koulukuljetusten kilpailutus tehdään yhdessä naapurikuntien kanssa.",
    "Nuorisotalolla on avoimet ovet perjantaina, ja tarjolla on mehua ja pullaa.",
    "Kevään kuntalaiskyselyyn vastasi yli tuhat asukasta, mikä on enemmän kuin koskaan aiemmin.",
    "Terveysaseman ajanvaraus palvelee arkisin, ja kiireettömät asiat hoituvat myös verkossa.",
]
SV_SENTENCES = [
    "Pikkula kommunfullmäktige sammanträder på måndag för att behandla nästa års budget.",
    "Vattenledningsarbetet på Kyrkvägen fortsätter till slutet av september och trafiken leds om.",
    "Renoveringen av simhallen blir klar enligt tidtabellen och hallen öppnar i början av oktober.",
    "Biblioteket ordnar sagostunder för barn varje onsdag klockan 10–11.",
    "Invånarna kan kommentera planutkastet på kommunens webbplats under 30 dagar.",
    "Snöröjningen beror på vädret, och huvudlederna plogas först.",
    "Kommunstyrelsen föreslår att skolskjutsarna upphandlas tillsammans med grannkommunerna.",
    "Ungdomsgården har öppet hus på fredag med saft och bullar.",
    "Över tusen invånare svarade på vårens invånarenkät, fler än någonsin tidigare.",
    "Hälsocentralens tidsbokning betjänar vardagar, och icke-brådskande ärenden sköts också på nätet.",
]


def running_text(size: int = 20_000_000, seed: int = 3, every: int = 40) -> tuple[str, int]:
    """About ``size`` characters of Finnish and Swedish news sentences, one finding in about every ``every``th.

    Returns the text and the number of findings put in.
    """
    rng = random.Random(seed)
    positives = [item for item in labelled_corpus(seed) if item.expected and item.expected[0][0] != "invalid_fi"]
    sentences = FI_SENTENCES + SV_SENTENCES
    parts, length, sprinkled = [], 0, 0
    while length < size:
        roll = rng.randrange(every)
        if roll == 0:
            sentence = rng.choice(positives).text
            sprinkled += 1
        elif roll < 5:  # one sentence in ten has dates, times, order numbers or the like
            sentence = rng.choice(NEAR_MISSES)
        else:
            sentence = rng.choice(sentences)
        parts.append(sentence)
        length += len(sentence) + 1
        if rng.randrange(6) == 0:
            parts.append("\n")
    return " ".join(parts), sprinkled
