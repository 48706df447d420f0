"""The kind classifier: training, corrections, storing."""

import pickle

import pytest

from kanava.text.classify import KINDS, Classifier, default_classifier, read_seed, seed_examples, train


def test_the_seed_file_has_at_least_forty_examples_of_every_kind_in_three_languages():
    rows = read_seed()
    for kind in KINDS:
        of_kind = [language for label, language, _ in rows if label == kind]
        assert len(of_kind) >= 40, kind
        assert set(of_kind) == {"fi", "sv", "en"}, kind
    assert {label for label, _, _ in rows} == set(KINDS)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Milloin kirjasto avataan remontin jälkeen?", "question"),
        ("Tack för den fina julmarknaden!", "feedback"),
        ("Roskis on taas tyhjentämättä ja haisee 😡", "complaint"),
        ("Kuulin että terveysasema suljetaan kokonaan ensi vuonna", "claim"),
        ("Du är en idiot", "attack"),
        ("Tiedän missä asut, varo vaan", "threat"),
        ("Earn money fast, click here http://x.example", "spam"),
    ],
)
def test_the_default_classifier_knows_plain_examples_it_was_not_trained_on(text, kind):
    assert default_classifier().predict_one(text).label == kind


def test_a_prediction_has_a_probability_for_every_kind():
    prediction = default_classifier().predict_one("Milloin uimahalli aukeaa?")
    assert set(prediction.scores) == set(KINDS)
    assert abs(sum(prediction.scores.values()) - 1.0) < 1e-3
    assert prediction.confidence == max(prediction.scores.values())
    assert prediction.scores[prediction.label] == prediction.confidence


def test_a_correction_changes_the_prediction_for_a_near_identical_text():
    text = "Voisitteko avata uimahallin aiemmin sunnuntaisin?"
    before = default_classifier().predict_one(text).label
    corrected_label = "feedback" if before != "feedback" else "question"
    corrected = train(seed_examples(), corrections=[(corrected_label, text)])
    assert corrected.predict_one("Voisitteko avata uimahallin aikaisemmin sunnuntaisin?").label == corrected_label


def test_a_correction_replaces_a_seed_example_with_the_same_text():
    label, text = seed_examples()[0]
    other = "spam" if label != "spam" else "question"
    corrected = train(seed_examples(), corrections=[(other, text.upper())])
    assert corrected.predict_one(text).label == other


def test_a_new_label_is_learned_from_one_correction():
    text = "Kirjaston ovella ei ole luiskaa, pyörätuolilla ei pääse sisään."
    corrected = train(seed_examples(), corrections=[("accessibility", text)])
    assert "accessibility" in corrected.labels
    prediction = corrected.predict_one("Kirjaston ovella ei ole luiskaa, pyörätuolilla en pääse sisälle.")
    assert prediction.label == "accessibility"


def test_training_is_deterministic():
    examples = seed_examples()[::3]
    texts = ["Stängs simhallen?", "Olet idiootti", "Kiitos!"]
    assert [p.scores for p in train(examples).predict(texts)] == [p.scores for p in train(examples).predict(texts)]


def test_any_label_set_works_including_two_labels():
    classifier = train([("ok", "kiitos hyvä palvelu"), ("bad", "huono palvelu ja paska meininki"),
                        ("ok", "tosi hyvä"), ("bad", "todella huono")])
    prediction = classifier.predict_one("hyvä palvelu")
    assert set(prediction.scores) == {"ok", "bad"}
    assert prediction.label == "ok"


def test_training_needs_two_labels():
    with pytest.raises(ValueError):
        train([("question", "Milloin?"), ("question", "Missä?")])


def test_the_fast_path_gives_scikit_learns_probabilities():
    classifier = default_classifier()
    texts = ["Hei! Lumiaura ei ole käynyt meidän tiellä, milloin tulette?", "", "😀", "idiot idiot idiot!!",
             "x" * 5000, "<b>Stängs</b> simhallen?"]
    languages = ["fi", "", "", "en", "", "sv"]
    fast = [classifier.probabilities(t, lang) for t, lang in zip(texts, languages)]
    reference = classifier.sklearn_probabilities(texts, languages)
    for mine, theirs in zip(fast, reference):
        assert max(abs(a - b) for a, b in zip(mine, theirs)) < 1e-9


def test_a_stored_classifier_predicts_the_same():
    classifier = default_classifier()
    restored = Classifier.loads(classifier.dumps())
    texts = ["Stängs simhallen?", "Tiedän missä asut"]
    assert [p.scores for p in restored.predict(texts)] == [p.scores for p in classifier.predict(texts)]


def test_bytes_that_are_not_a_stored_classifier_are_refused():
    with pytest.raises(ValueError):
        Classifier.loads(pickle.dumps({"not": "a classifier"}))


def test_predicting_nothing_gives_nothing():
    assert default_classifier().predict([]) == []
