"""Which of Finnish, Swedish and English a text is written in.

``identify(text)`` returns ``("fi" | "sv" | "en", confidence)`` or ``("", 0.0)``
when it cannot tell.  It uses py3langid (a fork of Lui & Baldwin's langid.py:
naive Bayes over byte n-grams; the model for 140 languages ships inside the
package) with normalised probabilities.  The answer is restricted to the three
languages the inbox works in: their probabilities are renormalised among
themselves, which is exactly what restricting the model would give (a softmax
over a subset), while the full ranking also says when a text is plainly in
another language (Estonian, German: unknown rather than a wrong "fi" or "sv").

Unknown ("") is returned before the model is asked when a text has too few
letters to say anything (empty, "ok", emoji only, numbers), when most of its
letters are not Latin (Cyrillic, Chinese: not one of our three languages), or
when it looks binary (control characters, U+FFFD from a failed decode); and
after, when the model's best guess is not clearly better than the others.
"""

import re
import threading

# Below this many letters a guess is a coin toss ("ok", "Moi!" is ambiguous
# with English and Estonian).  Greetings of 4+ letters ("Kiitos", "Hej hej")
# are long enough to be worth a guess.
MIN_LETTERS = 4
# With three languages, chance is 0.33; below 0.5 the model is not really
# choosing.  Measured on the seed messages: real one-line messages score
# > 0.8, two-word ones 0.5-0.9.
MIN_CONFIDENCE = 0.5
# Only the start of a long text is read: the language is settled long before
# 1,000 characters and the model walks bytes in Python.
SAMPLE_CHARACTERS = 1000
# A text is in another language when the model puts at least this much on
# one language outside ours.  Norwegian and Danish comments usually score
# 0.7-0.8 and are read as Swedish, which serves a Nordic inbox better.
OTHER_LANGUAGE_CONFIDENCE = 0.9
# A text whose sample has more than this share of control characters or
# replacement characters is treated as binary.
MAX_BINARY_SHARE = 0.05

LANGUAGES = ("fi", "sv", "en")

LETTER = re.compile(r"[^\W\d_]")
LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd\ue000-\uf8ff]")
# Addresses, handles and e-mail addresses are not language; a URL full of
# English words ("/news/pool-closing") would otherwise tip a Finnish comment.
NOISE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|[@#]\w+")

_identifier = None
_columns = None
_lock = threading.Lock()


def _load():
    """The py3langid model, loaded once per process (about a second) on first use."""
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            # py3langid 0.4 loads from_model_file; 0.3 called it from_pickled_model.
            load = getattr(LanguageIdentifier, "from_model_file", None) or LanguageIdentifier.from_pickled_model
            # Our own instance: py3langid's module-level one is shared and may
            # have been restricted or reconfigured by someone else.
            _identifier = load(MODEL_FILE, norm_probs=True)
    return _identifier


def _sample(text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not isinstance(text, str):
        return ""
    return NOISE.sub(" ", text[: SAMPLE_CHARACTERS * 2])[:SAMPLE_CHARACTERS]


def _readable(sample: str) -> bool:
    """Whether ``sample`` has enough Latin letters and no sign of binary."""
    letters = len(LETTER.findall(sample))
    if letters < MIN_LETTERS:
        return False
    if len(LATIN_LETTER.findall(sample)) * 2 < letters:
        return False
    return len(BINARY.findall(sample)) <= MAX_BINARY_SHARE * len(sample)


def _probabilities(sample: str) -> tuple[dict[str, float], str, float]:
    """fi/sv/en probabilities under the full model, and its overall best guess.

    py3langid 0.4's ``_decide`` gives the probability array in one step; the
    public ``rank`` builds and sorts 140 pairs and takes twice as long, so it
    is only the fallback for other versions."""
    identifier = _load()
    decide = getattr(identifier, "_decide", None)
    if decide is None:
        ranking = identifier.rank(sample)
        return {lang: p for lang, p in ranking if lang in LANGUAGES}, ranking[0][0], ranking[0][1]
    scores = decide(sample)
    classes = identifier.nb_classes
    best = int(scores.argmax())
    ours = {classes[i]: float(scores[i]) for i in _our_columns(identifier)}
    return ours, classes[best], float(scores[best])


def _our_columns(identifier) -> list[int]:
    global _columns
    if _columns is None:
        first = {}
        for i, language in enumerate(identifier.nb_classes):
            first.setdefault(language, i)
        _columns = [first[language] for language in LANGUAGES]
    return _columns


def identify(text) -> tuple[str, float]:
    """``(language, confidence)`` for ``text``: "fi", "sv" or "en" with the
    model's normalised probability (0.5-1.0), or ``("", 0.0)`` when the text is
    too short, not Latin-script, binary-like or ambiguous.  Accepts str or
    bytes; never raises on odd input."""
    sample = _sample(text)
    if not _readable(sample):
        return "", 0.0
    ours, best, best_probability = _probabilities(sample)
    if best not in LANGUAGES and best_probability >= OTHER_LANGUAGE_CONFIDENCE:
        return "", 0.0
    total = sum(ours.values())
    if total <= 0.0:
        return "", 0.0
    language = max(ours, key=ours.get)
    confidence = ours[language] / total
    if confidence < MIN_CONFIDENCE:
        return "", 0.0
    return language, round(float(confidence), 4)


def warm_up() -> None:
    """Load the model now (e.g. when a worker starts) instead of on the first text."""
    _load()
