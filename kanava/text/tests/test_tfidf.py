"""The one-document TF-IDF path agrees with scikit-learn's transform."""

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from kanava.text.tfidf import Weigher

DOCUMENTS = ["uimahalli suljetaan pysyvästi", "simhallen stängs för gott", "kirjasto kirjasto auki", "the pool"]


def test_weights_match_scikit_learns_transform():
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True).fit(DOCUMENTS)
    weigher = Weigher(vectorizer)
    for document in ["uimahallin kirjasto kirjasto", "stängs", "zzz qqq", "", "halli halli halli"]:
        expected = vectorizer.transform([document]).toarray()[0]
        ids, weights = weigher.weigh(document)
        mine = np.zeros_like(expected)
        mine[ids] = weights
        assert np.allclose(mine, expected)


def test_unseen_features_lengthen_the_query_when_asked():
    vectorizer = TfidfVectorizer(analyzer="word", sublinear_tf=True).fit(DOCUMENTS)
    _, plain = Weigher(vectorizer).weigh("uimahalli aaaa bbbb cccc")
    _, longer = Weigher(vectorizer, unseen_idf=2.0).weigh("uimahalli aaaa bbbb cccc")
    assert plain[0] == 1.0
    assert 0 < longer[0] < plain[0]
