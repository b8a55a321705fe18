"""Tests for ``matching.language``: short literal paragraphs in four languages and the edge cases.  No database."""

from __future__ import annotations

import pytest

from matching import language
from matching.language import LANGUAGE_NAMES, LANGUAGES, LanguageGuess, detect_language, language_note

ENGLISH = (
    "I am a machine learning engineer with six years of experience building recommendation systems. "
    "I have trained and deployed deep learning models in production, written data pipelines in Python and "
    "worked closely with product teams to measure what our models changed for our customers."
)
GERMAN = (
    "Ich bin eine erfahrene Softwareentwicklerin und arbeite seit sechs Jahren mit maschinellem Lernen. "
    "In meiner letzten Stelle habe ich Modelle für die Vorhersage der Nachfrage entwickelt und gemeinsam mit "
    "dem Team die Datenpipelines in Python betreut. Ich suche eine neue Herausforderung in einem kleinen Team."
)
FRENCH = (
    "Je suis ingénieur en apprentissage automatique depuis cinq ans. J'ai conçu des modèles de prévision pour "
    "une entreprise de logistique et j'ai travaillé avec les équipes produit pour mettre ces modèles en "
    "production. Je cherche un poste où je pourrai encadrer une petite équipe."
)
SPANISH = (
    "Soy ingeniera de datos con cuatro años de experiencia en el sector financiero. He desarrollado modelos "
    "de aprendizaje automático para detectar fraudes y he trabajado con equipos de producto para llevar esos "
    "modelos a producción. Busco un puesto donde pueda seguir aprendiendo."
)


@pytest.mark.parametrize(("text", "code"), [(ENGLISH, "en"), (GERMAN, "de"), (FRENCH, "fr"), (SPANISH, "es")])
def test_detects_the_language_of_a_paragraph(text, code):
    guess = detect_language(text)
    assert guess.code == code
    assert 0.5 <= guess.confidence <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   \n\t ",
        "12345 678 2019-2023 +44 20 7946 0958 " * 10,
        "Python, SQL, Docker",
        "Senior machine learning engineer",
    ],
)
def test_empty_numeric_or_short_text_is_unknown(text):
    assert detect_language(text) == LanguageGuess("", 0.0)


def test_nineteen_words_are_too_few_and_twenty_enough():
    words = ENGLISH.split()
    assert detect_language(" ".join(words[:19])).code == ""
    assert detect_language(" ".join(words[:20])).code == "en"


def test_numbers_and_punctuation_do_not_count_as_words():
    padded = " ".join(ENGLISH.split()[:10]) + " 1 2 3 4 5 6 7 8 9 10 11 12 - – • / ."
    assert detect_language(padded).code == ""


def test_a_low_confidence_guess_is_reported_as_unknown(monkeypatch):
    class Unsure:
        def classify(self, text):
            return "de", 0.4

    monkeypatch.setattr(language, "_identifier", Unsure())
    guess = detect_language(ENGLISH)
    assert guess.code == ""
    assert guess.confidence == pytest.approx(0.4)


def test_the_identifier_is_loaded_once_and_restricted_to_the_documented_languages():
    first = language._get_identifier()
    assert language._get_identifier() is first
    assert set(first.labels) == set(LANGUAGES)


def test_every_language_has_an_english_name():
    assert set(LANGUAGE_NAMES) == set(LANGUAGES)
    assert LANGUAGE_NAMES["de"] == "German"


@pytest.mark.parametrize(
    ("cv", "vacancy", "note"),
    [
        ("de", "en", "CV in German: scored on recognised skills and qualifications"),
        ("en", "fr", "CV in English: scored on recognised skills and qualifications"),
        ("en", "en", ""),
        ("", "en", ""),
        ("de", "", ""),
        ("", "", ""),
    ],
)
def test_language_note(cv, vacancy, note):
    assert language_note(cv, vacancy) == note


def test_only_the_beginning_of_a_long_text_is_read():
    english = (ENGLISH + " ") * (language.MAX_CHARS // len(ENGLISH) + 1)
    assert detect_language(english + GERMAN * 50).code == "en"


@pytest.mark.parametrize("batch_from", [1, None], ids=["walked-together", "default-threshold"])
def test_many_texts_detected_together_get_exactly_the_one_by_one_guesses(monkeypatch, batch_from):
    if batch_from is not None:  # the batched walk for any number of texts, not only for many
        monkeypatch.setattr(language, "_BATCH_MIN_TEXTS", batch_from)
    mixed = "Python SQL Docker " * 10 + FRENCH  # skills first, then a paragraph
    texts = [
        ENGLISH,
        GERMAN,
        "",
        None,
        FRENCH,
        "Python, SQL",
        SPANISH,
        ENGLISH.upper(),  # all capitals: read lower-cased
        (ENGLISH + " ") * 40 + GERMAN,  # only the beginning counts
        mixed,
        "Привет, я инженер данных. " * 10,
        "1 2 3 " * 300,
    ] * 3  # more texts than the batched walk's threshold (_BATCH_MIN_TEXTS)
    together = language.detect_languages(texts)
    assert together == [detect_language(t) for t in texts]  # codes and confidences, bit for bit
    assert [g.code for g in together[:3]] == ["en", "de", ""]
    assert language.detect_languages([]) == []
