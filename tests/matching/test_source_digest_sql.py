"""A CV's text leaves PostgreSQL only when its stored term counts are missing or stale (issue 15): the database
computes the source digest (``matching.terms.source_digest_sql``) that Python computes on SQLite
(``matching.terms.source_digest``), and both give the same documents (``matching.selectors.candidate_documents``).
"""

from contextlib import nullcontext
from unittest import mock

import numpy as np
import pytest
from django.db import connection
from django.db.models import F

from matching import selectors
from matching.fairness import neutralise
from matching.models import CandidateTerms
from matching.terms import source_digest, source_digest_sql
from recruiting.models import Candidate
from recruiting.services import candidate_upsert
from tests.matching.test_tasks import DS_CV, SALES_CV

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the digest is computed in the database on PostgreSQL only"
)

AWKWARD = [
    ("", []),
    ("", [""]),
    ("plain ASCII CV", ["Ann Smith"]),
    ("Zoë Ångström, Ærø — naïve café, Straße, Łódź, Ωmega, 日本語の履歴書, עברית, العربية", ["Zoë Ångström"]),
    ("Python 🐍 and data 📊, flags 🇬🇧🇩🇪, family 👩‍👩‍👧, skin tone 👍🏽", ["😀 Emoji Name"]),
    ("tabs\tand\r\nnewlines\x01\x02\x07\x1b[0m\x7f\u0085\u2028\u200b\ufeff end", ["bell\x07name"]),
    ("text with an empty name", [""]),
    (
        'O\'Brien said "hello"; DROP TABLE x; -- \\ backslash %s %(name)s {0}',
        ["O'Brien", 'Ann "Nan" O\'Neil'],
    ),
    ("a very long CV. " * 40_000 + "Ünïcode at the end ✓", ["Long Writer"]),
    ("only text, no names", []),
    ("several names", ["First", "Second's", ""]),
]


@on_postgresql
@pytest.mark.parametrize(("text", "names"), AWKWARD)
def test_the_database_digest_is_the_python_digest(text, names):
    sql = source_digest_sql("%s::text", ["%s::text"] * len(names))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", [text, *names])
        (in_database,) = cursor.fetchone()
    assert in_database == source_digest(text, names)


@on_postgresql
def test_the_database_digest_of_stored_columns_is_the_python_digest():
    for i, (text, names) in enumerate(AWKWARD):
        Candidate.objects.create(source="t", reference=f"awkward{i}", cv_text=text, name=(names or [""])[0])
    digests = Candidate.objects.annotate(digest=selectors.SourceDigest(F("cv_text"), F("name"))).values_list(
        "cv_text", "name", "digest"
    )
    assert len(digests) == len(AWKWARD)
    for text, name, digest in digests:
        assert digest == source_digest(text, [name])


def _pool():
    for i, text in enumerate(
        [DS_CV, SALES_CV, DS_CV + " Kafka.", SALES_CV + " Excel.", DS_CV + " Go.", "Short."]
    ):
        candidate_upsert(source="t", reference=f"cv{i}", cv_text=text, name=f"Zoë O'Brien {i}")
    return list(Candidate.objects.order_by("pk"))


def _same(a, b):
    (ca, da, ea), (cb, db, eb) = a, b
    assert (ca.pk, ca.name, ca.years_experience, ca.language, ca.cv_text) == (
        cb.pk,
        cb.name,
        cb.years_experience,
        cb.language,
        cb.cv_text,
    )
    assert ea == eb
    assert (da.terms is None) == (db.terms is None)
    if da.terms is not None:
        np.testing.assert_array_equal(da.terms.features, db.terms.features)
        np.testing.assert_array_equal(da.terms.counts, db.terms.counts)
        assert da.terms.words == db.terms.words
    assert {**vars(da), "terms": None} == {**vars(db), "terms": None}


def test_only_missing_or_stale_counts_send_the_text_and_both_engines_agree():
    current, text_changed, name_changed, missing, old_version, emoji = _pool()
    Candidate.objects.filter(pk=text_changed.pk).update(cv_text=DS_CV + " Now also Rust and Go.")
    Candidate.objects.filter(pk=name_changed.pk).update(name="Renamed Person")
    CandidateTerms.objects.filter(pk=missing.pk).delete()
    CandidateTerms.objects.filter(pk=old_version.pk).update(terms_version="0")
    Candidate.objects.filter(pk=emoji.pk).update(cv_text="Short 🐍 Python, naïve café.")
    CandidateTerms.objects.filter(pk=emoji.pk).update(  # counts stored for exactly this text: current
        source_digest=source_digest("Short 🐍 Python, naïve café.", [emoji.name])
    )
    ids = [c.pk for c in (current, text_changed, name_changed, missing, old_version, emoji)]
    hashed_here = mock.patch.object(
        selectors, "source_digest", side_effect=AssertionError("hashed in Python on PostgreSQL")
    )
    with CaptureTexts() as sent, hashed_here if connection.vendor == "postgresql" else nullcontext():
        rows = selectors.candidate_documents(ids)
    with mock.patch.object(selectors, "_digests_in_database", return_value=False):  # SQLite's way
        in_python = selectors.candidate_documents(ids)
    docs = {c.pk: d for c, d, _ in rows}
    stored = dict(CandidateTerms.objects.values_list("candidate_id", "terms"))
    for pk in (current.pk, emoji.pk):  # current counts: no text, the stored counts
        assert docs[pk].text == "" and docs[pk].terms.to_bytes() == bytes(stored[pk])
    assert "Rust" in docs[text_changed.pk].text and docs[text_changed.pk].terms is None
    fresh = {c.pk: c for c in Candidate.objects.filter(pk__in=ids)}
    for pk in (text_changed.pk, name_changed.pk, missing.pk, old_version.pk):
        assert docs[pk].terms is None
        assert docs[pk].text == neutralise(fresh[pk].cv_text, names=[fresh[pk].name])
    assert "Renamed" not in docs[name_changed.pk].text
    for a, b in zip(rows, in_python, strict=True):
        _same(a, b)
    assert all(c.cv_text == "" for c, _, _ in rows)  # no deferred text a caller's read would fetch
    # only the four stale CVs' texts are read (and on PostgreSQL none is hashed in Python)
    assert sent.texts == sorted(fresh[pk].cv_text for pk in ids if pk not in (current.pk, emoji.pk))


class CaptureTexts:
    """The CV texts ``candidate_documents`` reads from the database (the texts it neutralises)."""

    def __enter__(self):
        self.texts = []
        real = selectors.neutralise

        def spy(text, **kwargs):
            self.texts.append(text)
            return real(text, **kwargs)

        self._patch = mock.patch.object(selectors, "neutralise", side_effect=spy)
        self._patch.start()
        return self

    def __exit__(self, *exc):
        self._patch.stop()
        self.texts.sort()
