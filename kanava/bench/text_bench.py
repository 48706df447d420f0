"""Throughput of the inbox's text pipeline on one core: language
identification + classification + claim matching (issue 4: >= 1,000 items/s).

``python -m kanava.bench.text_bench [--items 20000] [--claims 200]``

The items are made from the classifier's seed messages (Finnish, Swedish and
English), each varied with a greeting, a sign-off and a number so that no two
are the same; half of the Finnish and Swedish ones also repeat a claim.  The claims register
holds ``--claims`` entries, Finnish and Swedish wordings of made-up claims.
Intake classifies in batches, so the throughput figure is for batches of
``--batch`` items; the latency of one item on its own is reported too.
Needs no database.  Prints progress lines and, last, one line of JSON.
"""

import argparse
import json
import os
import random
import statistics
import time
from contextlib import contextmanager

from threadpoolctl import threadpool_limits

from kanava.text.classify import default_classifier, read_seed
from kanava.text.language import identify, warm_up
from kanava.text.similarity import SimilarityIndex

TARGET_ITEMS_PER_SECOND = 1000
CLAIM_THRESHOLD = 0.35

GREETINGS = {
    "fi": ["Hei!", "Moi,", "Terve.", "Hyvä kunta,", "Huomenta!", ""],
    "sv": ["Hej!", "Hejsan,", "Tjena.", "Bästa kommun,", "God morgon!", ""],
    "en": ["Hi!", "Hello,", "Hey.", "Dear council,", "Good morning!", ""],
}
SIGN_OFFS = {
    "fi": ["Terveisin asukas", "t. naapuri", "Kiitos jo etukäteen", "😡", "🙂", ""],
    "sv": ["Hälsningar en invånare", "mvh granne", "Tack på förhand", "😡", "🙂", ""],
    "en": ["Regards, a resident", "cheers", "Thanks in advance", "😡", "🙂", ""],
}
FACILITIES = {
    "fi": ["uimahalli", "kirjasto", "terveysasema", "nuorisotalo", "kyläkoulu", "päiväkoti", "jäähalli",
           "vanhainkoti", "kuntosali", "neuvola"],
    "sv": ["simhallen", "biblioteket", "hälsocentralen", "ungdomsgården", "byskolan", "daghemmet", "ishallen",
           "äldreboendet", "gymmet", "rådgivningen"],
}
FATES = {
    "fi": ["suljetaan pysyvästi", "myydään yksityiselle yhtiölle", "siirretään naapurikuntaan",
           "muutetaan maksulliseksi", "puretaan ensi vuonna", "yhdistetään keskustan yksikköön",
           "avataan vain kesäisin", "lakkautetaan säästösyistä", "vuokrataan ulkomaiselle sijoittajalle",
           "siirtyy kokonaan etäpalveluksi"],
    "sv": ["stängs för gott", "säljs till ett privat bolag", "flyttas till grannkommunen", "blir avgiftsbelagd",
           "rivs nästa år", "slås ihop med enheten i centrum", "öppnas bara på sommaren", "läggs ner för att spara",
           "hyrs ut till en utländsk investerare", "blir helt digital"],
}
PLACES = ["Kirkonkylä", "Rantala", "Mäkelä", "Koivula", "Haapasaari", "Pohjola", "Ketola", "Niemi", "Lahdenperä",
          "Vuorela"]


def say(text: str) -> None:
    print(text, flush=True)


@contextmanager
def one_core():
    """Run on one CPU with numerical libraries on one thread; the process's
    CPU affinity is restored afterwards.  Yields a description."""
    with threadpool_limits(limits=1):
        try:
            before = os.sched_getaffinity(0)
            cpu = max(before)
            os.sched_setaffinity(0, {cpu})
        except (AttributeError, OSError):
            yield "one thread (CPU affinity not available)"
            return
        try:
            yield f"cpu {cpu}"
        finally:
            os.sched_setaffinity(0, before)


def make_claims(count: int) -> list[tuple[int, str]]:
    """``count`` entries: made-up claims about a facility in a village, each in
    Finnish and Swedish under one key."""
    entries, key = [], 0
    for place in PLACES:
        for i, (fi, sv) in enumerate(zip(FACILITIES["fi"], FACILITIES["sv"])):
            fate = (i + PLACES.index(place)) % len(FATES["fi"])
            entries.append((key, f"{place}n {fi} {FATES['fi'][fate]}"))
            entries.append((key, f"{sv.capitalize()} i {place} {FATES['sv'][fate]}"))
            key += 1
            if len(entries) >= count:
                return entries[:count]
    return entries


def make_items(count: int, claims: list[tuple[int, str]], seed: int = 4) -> list[str]:
    """``count`` distinct resident messages in Finnish, Swedish and English."""
    rows = read_seed()
    rng = random.Random(seed)
    # make_claims alternates Finnish and Swedish wordings.
    wordings = {"fi": [t for i, (_, t) in enumerate(claims) if i % 2 == 0],
                "sv": [t for i, (_, t) in enumerate(claims) if i % 2 == 1]}
    items = []
    for n in range(count):
        _, language, text = rng.choice(rows)
        parts = [rng.choice(GREETINGS[language]), text]
        if n % 2 and language in wordings:
            parts.append(rng.choice(wordings[language]) + "?")
        parts += [f"({n})", rng.choice(SIGN_OFFS[language])]
        items.append(" ".join(part for part in parts if part))
    return items


def pipeline(classifier, index, texts: list[str]) -> int:
    """Language, kind and claim of each text in one batch; returns claims found."""
    languages = [identify(text)[0] for text in texts]
    classifier.predict(texts, languages=languages)
    return sum(1 for text, language in zip(texts, languages)
               if index.search(text, limit=1, threshold=CLAIM_THRESHOLD, language=language))


def timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def measure(items: int, claims: int, batch: int, single: int) -> dict:
    with one_core() as core:
        say(f"text pipeline on one core ({core}): {items} items, {claims} claims, batches of {batch}")
        return _measure(items, claims, batch, single)


def _measure(items: int, claims: int, batch: int, single: int) -> dict:
    warm_up()
    trained = timed(default_classifier)
    classifier = default_classifier()
    entries = make_claims(claims)
    started = time.perf_counter()
    index = SimilarityIndex(entries)
    indexed = time.perf_counter() - started
    texts = make_items(items, entries)
    say(f"  seed classifier trained in {trained:.2f} s; {len(entries)} claim entries indexed in {indexed:.2f} s")
    started, cpu_started = time.perf_counter(), time.process_time()
    matched = sum(pipeline(classifier, index, texts[i : i + batch]) for i in range(0, len(texts), batch))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    sample = texts[-batch:]
    languages = [identify(text)[0] for text in sample]
    stages = {
        "language_id": timed(lambda: [identify(text) for text in sample]),
        "classification": timed(classifier.predict, sample, languages),
        "claim_matching": timed(
            lambda: [index.search(text, 1, CLAIM_THRESHOLD, lang) for text, lang in zip(sample, languages)]
        ),
    }
    latencies = []
    for text in texts[:single]:
        begun = time.perf_counter()
        pipeline(classifier, index, [text])
        latencies.append((time.perf_counter() - begun) * 1000)
    latencies.sort()
    figures = {
        "text_items_per_second": round(items / elapsed),
        # On a shared machine wall time includes waiting for the CPU; CPU
        # time shows what the pipeline itself costs.
        "text_items_per_cpu_second": round(items / cpu),
        "text_single_item_p50_ms": round(statistics.median(latencies), 3),
        "text_single_item_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 3),
        "text_claims_matched_share": round(matched / items, 3),
        **{f"text_{name}_per_second": round(batch / seconds) for name, seconds in stages.items()},
    }
    verdict = "met" if figures["text_items_per_second"] >= TARGET_ITEMS_PER_SECOND else "MISSED"
    say(f"  {figures['text_items_per_second']} items/s in batches "
        f"({figures['text_items_per_cpu_second']} per CPU second) "
        f"(target >= {TARGET_ITEMS_PER_SECOND}: {verdict}); one item alone: "
        f"p50 {figures['text_single_item_p50_ms']} ms, p95 {figures['text_single_item_p95_ms']} ms")
    say("  stages alone (items/s): " + ", ".join(f"{name} {batch / seconds:.0f}" for name, seconds in stages.items()))
    return figures


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--single", type=int, default=1000, help="items timed one at a time")
    args = parser.parse_args(argv)
    figures = measure(args.items, args.claims, args.batch, args.single)
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
