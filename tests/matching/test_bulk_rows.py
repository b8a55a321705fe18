"""Bulk row writes (``matching.bulk_rows``, issue 15): on PostgreSQL a chunk's new candidates and term counts are
written by COPY, with the candidates' ids taken from the table's sequence first; the rows stored are those
``bulk_create`` stores for the same instances, whatever the text holds.  Elsewhere ``bulk_create`` itself."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection

from matching import bulk_rows
from matching.models import CandidateTerms
from recruiting.models import Candidate

pytestmark = pytest.mark.django_db

AWKWARD = [
    "tab\there",
    "line\nbreak\r\nand carriage",
    "back\\slash \\N \\. \\t",
    "quotes ' \" and ''",
    "Zürich — 東京 ✓ 🙂",
    "",
    "comma, semicolon; pipe | brace { } bracket [ ]",
]


def _candidates(source: str) -> list[Candidate]:
    """Unsaved candidates whose every text field holds awkward text, nulls and empty values among them."""
    rows = []
    for i, text in enumerate(AWKWARD):
        rows.append(
            Candidate(
                source=source,
                reference=f"ref {text} {i}",
                name=text,
                cv_name=text[::-1],
                email=f"p{i}@example.org" if i % 2 else "",
                source_label=text,
                cv_text=f"{text}\n{text}\t{text}",
                years_experience=None if i % 3 == 0 else i / 7,
                role_titles=[text, {"title": text, "nested": [text, None, 1.5, True]}],
                role_skills={text: [text, ""], "empty": []},
                role_claims=[] if i % 2 else [{"claim": text, "years": None}],
                language="en" if i % 2 else "",
                profile_version=text[:10],
                keyword_list=bool(i % 2),
                salary_expectation=None if i % 2 else Decimal("1234567.89") + i,
                salary_currency="EUR" if i % 2 else "",
                consent_given_at=None if i % 2 else datetime(2026, 11, 29, 12, i, 30, 123456, tzinfo=UTC),
                cv_sha256=f"{i:064x}",
            )
        )
    return rows


def _stored(source: str) -> list[dict]:
    """The stored rows of ``source`` without what differs by construction (id, source, time stamps)."""
    skip = {"id", "source", "created_at", "updated_at"}
    names = [f.attname for f in Candidate._meta.concrete_fields if f.attname not in skip]
    return list(Candidate.objects.filter(source=source).order_by("reference").values(*names))


def test_candidates_copied_with_reserved_ids_are_the_rows_bulk_create_stores():
    copied = _candidates("copied")
    ids = bulk_rows.ids_reserve(Candidate, len(copied))
    if ids is not None:  # PostgreSQL: ids from the sequence, then COPY
        assert len(set(ids)) == len(copied) and ids == sorted(ids)
        for row, pk in zip(copied, ids, strict=True):
            row.pk = pk
    bulk_rows.rows_insert(Candidate, copied)
    Candidate.objects.bulk_create(_candidates("created"))

    by_copy, by_bulk_create = _stored("copied"), _stored("created")
    assert len(by_copy) == len(AWKWARD)
    assert by_copy == by_bulk_create
    assert by_copy[0]["role_titles"][1]["nested"] == [by_copy[0]["name"], None, 1.5, True]
    if ids is not None:
        # The instances are the stored rows: their ids, their time stamps, and a save() updates them.
        stored = dict(Candidate.objects.filter(source="copied").values_list("pk", "created_at"))
        assert stored == {row.pk: row.created_at for row in copied}
        copied[0].name = "renamed"
        copied[0].save()
        assert Candidate.objects.filter(source="copied").count() == len(AWKWARD)
        # The sequence moved past the ids taken: the table's next id collides with none of them.
        assert Candidate.objects.create(source="after", reference="x").pk > max(ids)


def test_term_counts_copied_are_the_rows_bulk_create_stores():
    copied = Candidate.objects.bulk_create(_candidates("copied"))
    created = Candidate.objects.bulk_create(_candidates("created"))
    every_byte = bytes(range(256)) * 2

    def terms(candidates) -> list[CandidateTerms]:
        return [
            CandidateTerms(
                candidate_id=c.pk,
                terms=every_byte[i:] if i else b"",
                words=i * 1000,
                terms_version=text[:10],
                source_digest=text[:32],
            )
            for i, (c, text) in enumerate(zip(candidates, AWKWARD, strict=True))
        ]

    bulk_rows.rows_insert(CandidateTerms, terms(copied))
    CandidateTerms.objects.bulk_create(terms(created))

    def stored(candidates) -> list[tuple]:
        rows = CandidateTerms.objects.filter(candidate__in=candidates).order_by("candidate__reference")
        return [
            (bytes(t), w, v, d)
            for t, w, v, d in rows.values_list("terms", "words", "terms_version", "source_digest")
        ]

    assert stored(copied) == stored(created)
    assert {row[0] for row in stored(copied)} == {every_byte[i:] if i else b"" for i in range(len(AWKWARD))}


def test_values_of_another_type_are_stored_as_the_field_converts_them():
    """Numbers and flags are written as they are only when they already have the field's type: a numpy integer or a
    flag for a count, an integer or a numpy float for a strength, a number for a text are converted by the field,
    as ``bulk_create`` converts them."""
    import numpy as np

    from matching.models import Skill
    from recruiting.models import CandidateSkill

    skills = Skill.objects.bulk_create([Skill(name=f"bulk skill {i}") for i in range(6)])
    copied, created = Candidate.objects.bulk_create(_candidates("copied")[:2] + _candidates("created")[:2])[
        ::2
    ]
    odd = [
        (np.int64(3), 1, "listed"),
        (True, np.float32(0.5), "used"),
        (7, np.float64(0.25), 12345),
        (np.int32(2), 0.125, None),
        (1, 2.5, "mentioned"),
        (0, 0, ""),
    ]

    def links(candidate) -> list[CandidateSkill]:
        return [
            CandidateSkill(
                candidate_id=candidate.pk,
                skill_id=skill.pk,
                mentions=mentions,
                strength=strength,
                evidence_level=level if level is not None else "mentioned",
                evidence=level if level is not None else "",
            )
            for skill, (mentions, strength, level) in zip(skills, odd, strict=True)
        ]

    bulk_rows.rows_insert(CandidateSkill, links(copied))
    CandidateSkill.objects.bulk_create(links(created))

    def stored(candidate) -> list[tuple]:
        return list(
            CandidateSkill.objects.filter(candidate=candidate)
            .order_by("skill__name")
            .values_list("skill__name", "mentions", "strength", "evidence_level", "evidence", "origin")
        )

    assert stored(copied) == stored(created)
    assert [row[1:3] for row in stored(copied)][:3] == [(3, 1.0), (1, 0.5), (7, 0.25)]


def test_rows_some_with_a_key_and_some_without_are_refused():
    rows = _candidates("mixed")[:2]
    rows[0].pk = 10**9
    with pytest.raises(ValueError, match="primary key"):
        bulk_rows.rows_insert(Candidate, rows)
    assert not Candidate.objects.filter(source="mixed").exists()


def test_ids_reserve_is_postgresql_only():
    ids = bulk_rows.ids_reserve(Candidate, 3)
    if connection.vendor == "postgresql":
        assert len(ids) == 3 and bulk_rows.ids_reserve(Candidate, 0) == []
    else:
        assert ids is None
