"""Each text read once (issue 15): the stored term counts of CVs and vacancies, and the candidates' word document
frequencies kept as counts from them.

A CV's counts are written when its profile is extracted (``matching.profiles``), with a ``FrequencyChange`` in
the same transaction: the features it adds to and removes from the document frequencies.  Deleting a CV's
counts (with the candidate, by cascade) appends its removal (``candidate_terms_deleted``, a ``post_delete``
receiver connected in ``MatchingConfig.ready``).  ``frequencies_current`` folds the changes into the one
``DocumentFrequencySnapshot`` row, so the IDF a model is fitted with is current without reading any text.

Appending changes instead of updating one counter per word means no shared row is locked while a CV is saved:
an import of 100,000 CVs in one transaction never makes a portal upload wait.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from matching.bulk_rows import rows_insert
from matching.fairness import neutralise
from matching.models import CandidateTerms, DocumentFrequencySnapshot, FrequencyChange, VacancyTerms
from matching.terms import (
    TERMS_VERSION,
    DocumentFrequencies,
    FrequencyDelta,
    TermCounts,
    source_digest,
    text_terms,
)
from recruiting.models import Candidate

_BATCH = 500  # candidates per backfill transaction
_FOLD_ENTRIES = 2_000_000  # feature changes summed at once when folding (bounds memory at 100,000 CVs)


def candidate_terms_save(*, candidate: Candidate, text: str) -> TermCounts:
    """Count and store the terms of a candidate's CV, ``text`` being its neutralised ``cv_text``, and append the
    change this makes to the document frequencies.  Call inside the transaction that saved the CV.  Returns the
    counts."""
    return candidates_terms_save(
        candidates=[(candidate.pk, candidate.name, candidate.cv_text)], texts=[text]
    )[0]


def candidates_terms_save(
    *, candidates: Sequence[tuple[int, str, str]], texts: Sequence[str]
) -> list[TermCounts]:
    """``candidate_terms_save`` for many: ``candidates`` are ``(id, name, cv_text)`` as stored, ``texts`` their
    neutralised texts in the same order; one write of their rows (``_candidate_terms_write``) and one
    ``FrequencyChange`` for all.  The candidates' rows are
    locked (in id order) so two saves of one CV count it once.  Returns the counts, in order."""
    terms = text_terms(list(texts))
    with transaction.atomic():
        ids = sorted(pk for pk, _, _ in candidates)
        list(Candidate.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
        _candidate_terms_write(
            [
                (pk, counted, source_digest(cv_text, [name]))
                for (pk, name, cv_text), counted in zip(candidates, terms, strict=True)
            ]
        )
    return terms


def vacancy_terms_save(*, vacancy_id: int, description: str) -> TermCounts:
    """Count and store the terms of a vacancy's description (neutralised here).  Vacancies are not counted in
    the document frequencies (the IDF is the candidate pool's).  Returns the counts."""
    terms = text_terms([neutralise(description)])[0]
    VacancyTerms.objects.update_or_create(
        vacancy_id=vacancy_id,
        defaults={
            "terms": terms.to_bytes(),
            "words": terms.words,
            "terms_version": TERMS_VERSION,
            "source_digest": source_digest(description),
        },
    )
    return terms


def _candidate_terms_write(rows: Sequence[tuple[int, TermCounts, str]]) -> None:
    """Store ``(candidate id, counts, source digest)`` rows — inserted (COPY on PostgreSQL, ``matching.bulk_rows``)
    for CVs without counts, upserted for the others — and append one ``FrequencyChange`` for all of them.  The
    caller holds the candidates' row locks."""
    ids = [pk for pk, _, _ in rows]
    old = {
        pk: TermCounts.from_bytes(data, words)
        for pk, data, words in CandidateTerms.objects.filter(candidate_id__in=ids).values_list(
            "candidate_id", "terms", "words"
        )
    }
    counted = [
        CandidateTerms(
            candidate_id=pk,
            terms=terms.to_bytes(),
            words=terms.words,
            terms_version=TERMS_VERSION,
            source_digest=digest,
        )
        for pk, terms, digest in rows
    ]
    # A CV without counts yet (a new candidate) gets its row inserted (COPY on PostgreSQL); the others are updated
    # in place.  No other writer can add a row meanwhile: the caller holds the candidates' row locks.
    rows_insert(CandidateTerms, [row for row in counted if row.candidate_id not in old])
    CandidateTerms.objects.bulk_create(
        [row for row in counted if row.candidate_id in old],
        update_conflicts=True,
        unique_fields=["candidate"],
        update_fields=["terms", "words", "terms_version", "source_digest", "updated_at"],
    )
    _change_append(
        FrequencyDelta.total([FrequencyDelta.between(old.get(pk), terms) for pk, terms, _ in rows])
    )


def _change_append(delta: FrequencyDelta) -> None:
    if delta:
        features, deltas = delta.to_bytes()
        FrequencyChange.objects.create(features=features, deltas=deltas, documents=delta.documents)


def candidate_terms_deleted(sender, instance: CandidateTerms, **kwargs) -> None:
    """``post_delete`` receiver: a CV's counts left the pool (the candidate was deleted, or its counts)."""
    _change_append(FrequencyDelta.between(TermCounts.from_bytes(instance.terms, instance.words), None))


def candidates_without_terms(*, limit: int | None = None) -> list[int]:
    """Ids of candidates whose CV has no stored counts, or counts of other hashing settings (rows written before
    issue 15, or by another ``TERMS_VERSION``), ascending."""
    ids = (
        Candidate.objects.exclude(text_terms__terms_version=TERMS_VERSION)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return list(ids[:limit] if limit is not None else ids)


def candidate_terms_backfill(*, limit: int | None = None) -> int:
    """Count and store the terms of every candidate that has none (``candidates_without_terms``, at most
    ``limit``), in transactions of 500, each appending its change to the document frequencies.  Workers and
    commands only (it reads and neutralises those CVs).  Returns the number of candidates counted."""
    ids = candidates_without_terms(limit=limit)
    candidates_terms_refresh(candidate_ids=ids)
    return len(ids)


def candidates_terms_refresh(*, candidate_ids: Sequence[int]) -> None:
    """Read, neutralise, count and store the CVs of ``candidate_ids`` again (counts missing, or read from a text
    that changed since), in transactions of 500.  Workers and commands only."""
    ids = sorted(set(candidate_ids))
    for start in range(0, len(ids), _BATCH):
        batch = list(
            Candidate.objects.filter(pk__in=ids[start : start + _BATCH])
            .order_by("pk")
            .values_list("pk", "name", "cv_text")
        )
        candidates_terms_save(
            candidates=batch, texts=[neutralise(cv_text, names=[name]) for _, name, cv_text in batch]
        )


def frequencies_current() -> DocumentFrequencies:
    """The candidates' current word document frequencies: the snapshot with every change appended since folded
    into it (and the folded changes deleted), in one short transaction that locks only the snapshot row."""
    with transaction.atomic():
        snapshot, _ = DocumentFrequencySnapshot.objects.select_for_update().get_or_create(
            pk=1, defaults={"data": DocumentFrequencies.empty().to_bytes()}
        )
        frequencies = DocumentFrequencies.from_bytes(snapshot.data)
        folded, parts, size = [], [], 0
        for pk, features, deltas, documents in (
            FrequencyChange.objects.order_by("pk")
            .values_list("pk", "features", "deltas", "documents")
            .iterator(chunk_size=100)
        ):
            folded.append(pk)
            parts.append(FrequencyDelta.from_bytes(features, deltas, documents))
            size += len(parts[-1].features)
            if size >= _FOLD_ENTRIES:
                frequencies, parts, size = frequencies.with_delta(FrequencyDelta.total(parts)), [], 0
        if not folded:
            return frequencies
        frequencies = frequencies.with_delta(FrequencyDelta.total(parts))
        snapshot.data = frequencies.to_bytes()
        snapshot.digest = frequencies.digest()
        snapshot.n_documents = frequencies.n_documents
        snapshot.save()
        for start in range(0, len(folded), 5000):
            FrequencyChange.objects.filter(pk__in=folded[start : start + 5000]).delete()
    return frequencies


def frequencies_recount() -> DocumentFrequencies:
    """The document frequencies counted from scratch over every stored CV's counts (reads every row: a check
    and a repair, e.g. after rows were removed with raw SQL).  Does not write."""
    rows = [
        TermCounts.from_bytes(data, words)
        for data, words in CandidateTerms.objects.filter(terms_version=TERMS_VERSION).values_list(
            "terms", "words"
        )
    ]
    return DocumentFrequencies.from_terms(rows)
