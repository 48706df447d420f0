"""Matching incoming texts to known entries across inflection."""

from kanava.text.similarity import SimilarityIndex

CLAIMS = [
    ("pool", "Uimahalli suljetaan pysyvästi"),
    ("pool", "Simhallen stängs för gott"),
    ("water", "Kunta myy vesilaitoksen yksityiselle yhtiölle"),
    ("water", "Kommunen säljer vattenverket till ett privat bolag"),
    ("school", "Kylän koulu lakkautetaan syksyllä"),
    ("school", "Byskolan läggs ner i höst"),
    ("library", "Kirjaston aukioloajat lyhenevät ensi vuonna"),
    ("library", "Bibliotekets öppettider förkortas nästa år"),
    ("health", "The health centre will close in the evenings"),
    ("bonus", "Kunnanjohtaja sai bonuksen koulujen säästöistä"),
]


def best(index, text):
    found = index.search(text, limit=1)
    return found[0][0] if found else None


def test_a_finnish_question_finds_the_claim_in_another_inflection():
    index = SimilarityIndex(CLAIMS)
    assert best(index, "Onko totta että uimahalli suljetaan?") == "pool"
    assert best(index, "Suljetaanko uimahallimme oikeasti?") == "pool"
    assert best(index, "Myykö kunta vesilaitoksen?") == "water"
    assert best(index, "Lakkautetaanko kylän koulu?") == "school"


def test_a_swedish_question_finds_the_claim_in_another_inflection():
    index = SimilarityIndex(CLAIMS)
    assert best(index, "Stängs simhallen?") == "pool"
    assert best(index, "Säljs vattenverket?") == "water"
    assert best(index, "Läggs byskolan verkligen ner?") == "school"


def test_unrelated_texts_match_nothing():
    index = SimilarityIndex(CLAIMS)
    for text in ["Lumiaura ei käynyt meidän kadulla", "Hur mår du idag?", "Kuka voitti eilisen jääkiekko-ottelun?",
                 "Thanks for the lovely summer theatre!", "", "😀😀", "12345"]:
        assert index.search(text) == [], text


def test_each_key_comes_back_once_with_its_best_score():
    index = SimilarityIndex(CLAIMS)
    found = index.search("Uimahalli suljetaan pysyvästi", limit=5, threshold=0.0)
    keys = [key for key, _ in found]
    assert keys[0] == "pool" and len(keys) == len(set(keys))
    assert found[0][1] > 0.9
    assert all(a[1] >= b[1] for a, b in zip(found, found[1:]))


def test_scores_are_between_zero_and_one():
    index = SimilarityIndex(CLAIMS)
    scores = index.scores("Simhallen stängs för gott")
    assert scores.min() >= 0.0 and scores.max() <= 1.0 + 1e-9


def test_a_long_message_sharing_one_word_is_not_a_close_match():
    index = SimilarityIndex(CLAIMS)
    message = ("Hei! Halusin vain kertoa että meidän kadulla on ollut todella liukasta koko viikon, ja "
               "mummo kaatui eilen bussipysäkillä. Voisiko joku hiekoittaa? Ja uimahalli on kiva.")
    assert best(index, message) is None


def test_an_empty_index_finds_nothing():
    assert SimilarityIndex([]).search("Uimahalli suljetaan") == []
