"""Which language a CV or a vacancy is written in, and what that means for its score.

The TF-IDF part of the engine compares words, so a German CV and an English vacancy share few of them even when
the candidate fits; the skill and qualification parts still work through the vocabulary's aliases.  Knowing the
language lets the service store it (``Candidate.language``, ``Vacancy.language``) and tell a recruiter why such a
score rests on recognised skills and qualifications.

Detection uses py3langid, a maintained fork of langid.py (M. Lui and T. Baldwin, "langid.py: An Off-the-shelf
Language Identification Tool", ACL 2012 System Demonstrations, pp. 25–30): a multinomial naive Bayes model over
byte n-grams, shipped inside the package (``py3langid/data/model.npz.xz``), so it works offline.  The model is
restricted to :data:`LANGUAGES` (languages we expect on a European job board; a smaller set makes keyword-heavy
CVs less likely to be taken for a related language) and its probabilities are normalised over that set.

Pure: no Django imports.  CV text is personal data: nothing here logs it.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

import numpy as np

# ISO 639-1 codes the identifier may answer, in no particular order.  Each must be a label of the py3langid model.
LANGUAGES: tuple[str, ...] = (
    "en",
    "de",
    "fr",
    "es",
    "it",
    "nl",
    "pt",
    "pl",
    "sv",
    "da",
    "no",
    "fi",
    "cs",
    "sk",
    "ro",
    "hu",
    "el",
    "tr",
    "ru",
    "uk",
)

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "nl": "Dutch",
    "pt": "Portuguese",
    "pl": "Polish",
    "sv": "Swedish",
    "da": "Danish",
    "no": "Norwegian",
    "fi": "Finnish",
    "cs": "Czech",
    "sk": "Slovak",
    "ro": "Romanian",
    "hu": "Hungarian",
    "el": "Greek",
    "tr": "Turkish",
    "ru": "Russian",
    "uk": "Ukrainian",
}

MIN_WORDS = 20  # fewer words than this: too little text to tell (a skills list, a title)
MIN_CONFIDENCE = 0.5  # below this the best guess is no better than a coin toss between two languages
MAX_CHARS = 3_000  # the first 3,000 characters decide: the model walks bytes in Python (~2 ms per 1,000)

_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")


@dataclass(frozen=True)
class LanguageGuess:
    """``code`` an ISO 639-1 code from :data:`LANGUAGES`, or ``""`` when the text is too short or unreadable;
    ``confidence`` the identifier's probability for that code (0–1, normalised over :data:`LANGUAGES`)."""

    code: str
    confidence: float


UNKNOWN = LanguageGuess("", 0.0)

_identifier = None
_identifier_lock = threading.Lock()


def _get_identifier():
    """The py3langid identifier, loaded once per process (decompressing the model takes about half a second)
    and restricted to :data:`LANGUAGES`, with probabilities normalised over them."""
    global _identifier
    if _identifier is None:
        with _identifier_lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier.set_languages(LANGUAGES)
                _identifier = identifier
    return _identifier


def detect_language(text: str | None) -> LanguageGuess:
    """The language ``text`` is written in.

    Returns :data:`UNKNOWN` (code ``""``) for empty text, text of fewer than :data:`MIN_WORDS` words (words are
    runs of letters, so numbers, dates and punctuation do not count) or a best guess under
    :data:`MIN_CONFIDENCE` (mixed or garbled text).  Otherwise the most probable language of :data:`LANGUAGES`
    and its probability.
    """
    if not text:
        return UNKNOWN
    text = text[:MAX_CHARS]
    if not _enough_words(text):
        return UNKNOWN
    code, confidence = _get_identifier().classify(text)
    confidence = float(confidence)
    if code not in LANGUAGES or confidence < MIN_CONFIDENCE:
        return LanguageGuess("", confidence)
    return LanguageGuess(code, confidence)


# Below this many texts the one-text path is faster: the batched walk costs one numpy step per byte position
# whatever the number of texts (a single CV: ≈ 10 ms batched against ≈ 1 ms alone; see detect_languages).
_BATCH_MIN_TEXTS = 16
_automata: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}


def _automaton(identifier) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The identifier's byte automaton as integer arrays ``(next move, row base, output)`` and its feature × language
    table ``nb_ptc`` in row-major order, converted once per process: converting the arrays on every call cost
    ≈ 20 ms, more than walking one CV; py3langid's table is column-major (a view of its languages' columns), so
    gathering one feature's row touched one cache line per language.  The same values, so the same scores."""
    key = id(identifier)
    if key not in _automata:
        with _identifier_lock:
            if key not in _automata:
                _automata[key] = (
                    np.asarray(identifier.tk_nextmove, dtype=np.intp),
                    np.asarray(identifier._rowbase, dtype=np.intp),
                    np.asarray(identifier.tk_output, dtype=np.intp),
                    np.ascontiguousarray(identifier.nb_ptc),
                )
    return _automata[key]


def _enough_words(text: str) -> bool:
    """Whether ``text`` has at least :data:`MIN_WORDS` words (``_WORD``): ``len(_WORD.findall(text)) >= MIN_WORDS``,
    stopping at the ``MIN_WORDS``-th word instead of listing every word of the text."""
    return next(islice(_WORD.finditer(text), MIN_WORDS - 1, None), None) is not None


def detect_languages(texts: Sequence[str | None]) -> list[LanguageGuess]:
    """:func:`detect_language` of each of ``texts``, in order, the same guesses and confidences: the identifier's
    byte automaton is walked over all the texts at once, one numpy step per byte position, instead of one Python
    step per byte of each text (the walk was a fifth of a CV's extraction time).  The features each text visits
    are then scored as py3langid scores them (``LanguageIdentifier._sparse_score`` on the same counts in the same
    order, then ``_decide``'s normalisation), so the result is bit-for-bit the one-text result.  Relies on
    py3langid 0.4.0's model attributes (pinned in pyproject.toml; ``tests/matching/test_language.py`` compares)."""
    guesses: list[LanguageGuess] = [UNKNOWN] * len(texts)
    todo: list[tuple[int, str]] = []
    for i, text in enumerate(texts):
        if text:
            text = text[:MAX_CHARS]
            if _enough_words(text):
                todo.append((i, text))
    if not todo:
        return guesses
    if len(todo) < _BATCH_MIN_TEXTS:
        for i, text in todo:
            guesses[i] = detect_language(text)
        return guesses
    identifier = _get_identifier()
    nextmove, rowbase, output, table = _automaton(identifier)
    encoded = [identifier._encode(text) for _, text in todo]
    lengths = np.array([len(b) for b in encoded], dtype=np.intp)
    letters = np.zeros((int(lengths.max()), len(encoded)), dtype=np.intp)  # position × text: steps contiguous
    for row, data in enumerate(encoded):
        letters[: len(data), row] = np.frombuffer(data, dtype=np.uint8)
    state = np.zeros(len(encoded), dtype=np.intp)
    features = np.empty_like(letters)
    for position in range(letters.shape[0]):  # past a text's end its states are walked but never read
        state = nextmove[rowbase[state] + letters[position]]
        features[position] = output[state]
    for row, (i, _) in enumerate(todo):
        visited = features[: lengths[row], row]
        visited = visited[visited >= 0]
        if len(visited):
            # The counts in first-visit order, as py3langid's visit_counts gives them (a Counter of the features).
            scores = identifier._sparse_score(Counter(visited.tolist()), table)
        else:
            scores = np.full(len(identifier.nb_classes), 0.0, dtype=np.float32)  # norm_probs: uniform
        scores *= 1.0 / math.sqrt(int(lengths[row]) or 1)
        np.exp(scores - scores.max(), out=scores)
        scores /= scores.sum()
        for a, b in identifier._alias_pairs:
            scores[a] += scores[b]
            scores[b] = 0.0
        best = int(scores.argmax())
        code, confidence = identifier.nb_classes[best], float(scores[best])
        guesses[i] = (
            LanguageGuess("", confidence)
            if code not in LANGUAGES or confidence < MIN_CONFIDENCE
            else LanguageGuess(code, confidence)
        )
    return guesses


def language_name(code: str) -> str:
    """English name of an ISO 639-1 code ("de" → "German"); the code itself when not in :data:`LANGUAGE_NAMES`."""
    return LANGUAGE_NAMES.get(code, code)


def language_note(cv_language: str, vacancy_language: str) -> str:
    """A recruiter-facing note when the CV and the vacancy are in different languages, else ``""``.

    ``""`` also when either language is unknown (empty): without both there is nothing to warn about.
    """
    if not cv_language or not vacancy_language or cv_language == vacancy_language:
        return ""
    return f"CV in {language_name(cv_language)}: scored on recognised skills and qualifications"
