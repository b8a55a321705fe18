"""Reads of the matching app: engine documents built from stored rows (``candidate_documents``,
``vacancy_documents``) or from free text (``documents_from_text``), and which vacancies are scored.

Nothing here writes.  Documents are what the pure engine (``matching.scoring``) takes in.  A stored document's
text reaches the engine as its stored term counts (``matching.models.CandidateTerms`` / ``VacancyTerms``), read
once when it was saved; a document without current counts (a row from before issue 15, or whose text changed
since) has its text neutralised here and counted by the engine: never skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from django.db import connection
from django.db.models import Case, CharField, F, Func, TextField, Value, When
from django.utils import timezone

from matching import evidence as skill_evidence
from matching import scoring
from matching.extraction import (
    SkillExtractor,
    decide_requirements,
    extract_qualifications,
    extract_years_experience,
    role_skills,
)
from matching.fairness import neutralise
from matching.models import VacancyTerms
from matching.terms import TERMS_VERSION, TermCounts, source_digest, source_digest_sql
from matching.vocabulary_store import cv_evidence, cv_roles, language_of, skill_extractor
from recruiting.models import Candidate, CandidateSkill, Qualification, SkillOrigin, Vacancy

_ID_SLICE = 5000  # ids per query (SQLite caps bound parameters)
# What a stored candidate's document needs besides its text (``candidate_documents``).
_CANDIDATE_FIELDS = (
    "pk",
    "name",
    "years_experience",
    "keyword_list",
    "language",
    "role_titles",
    "role_skills",
    "role_claims",
)


class SourceDigest(Func):
    """``matching.terms.source_digest`` of a text and names computed by PostgreSQL (``source_digest_sql``), e.g.
    ``SourceDigest(F("cv_text"), F("name"))``: the first expression is the text, the others the names."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        compiled = [compiler.compile(e) for e in self.get_source_expressions()]
        sql = source_digest_sql(compiled[0][0], [part for part, _ in compiled[1:]])
        return sql, tuple(p for _, params in compiled for p in params)


def _digests_in_database() -> bool:
    """Whether the database computes source digests (PostgreSQL); on SQLite Python does, from the texts."""
    return connection.vendor == "postgresql"


def _slices(ids: Sequence[int]) -> Iterator[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), _ID_SLICE):
        yield ids[start : start + _ID_SLICE]


def candidate_documents(
    candidate_ids: Sequence[int], *, evidence: bool = True
) -> list[tuple[Candidate, scoring.CandidateDocument, dict[str, str]]]:
    """``(candidate, document, evidence by skill)`` for each id that exists, ordered by id.

    Reads plain values (three queries per 5,000 ids), not related model instances, so 100,000 candidates load in
    seconds; the ``Candidate`` objects carry only ``pk``, ``name``, ``years_experience`` and
    ``language`` (``cv_text`` is ``""``).  ``evidence=False``
    skips the evidence lines (scans that only rank).  Each document carries its CV's stored term counts
    (``terms``, ``text`` empty) when they are current — their source digest matches the CV text and name —, else
    the neutralised text (counted by the engine; ``matching.term_store`` stores counts, this never writes).
    On PostgreSQL the database compares the digests (``SourceDigest``) and sends a CV's text only when its counts
    are missing or stale; on SQLite Python does, from every text (``matching.terms.source_digest``).
    """
    out = []
    in_database = _digests_in_database()
    for ids in _slices(sorted(set(candidate_ids))):
        skills: dict[int, dict[str, float]] = {}
        levels: dict[int, dict[str, str]] = {}
        lines: dict[int, dict[str, str]] = {}
        link_fields = (
            ("candidate_id", "skill__name", "strength", "evidence_level", "origin", "evidence")
            if evidence
            else ("candidate_id", "skill__name", "strength", "evidence_level", "origin")
        )
        for row in CandidateSkill.objects.filter(candidate_id__in=ids).values_list(*link_fields):
            name = row[1]
            skills.setdefault(row[0], {})[name] = row[2]
            levels.setdefault(row[0], {})[name] = row[3] or (
                "entered" if row[4] == SkillOrigin.ENTERED else ""
            )
            if evidence:
                lines.setdefault(row[0], {})[name] = row[5]
        quals: dict[int, list[tuple[int, str]]] = {}
        for cid, level, field_name in Qualification.objects.filter(candidate_id__in=ids).values_list(
            "candidate_id", "level", "field"
        ):
            quals.setdefault(cid, []).append((level, field_name))
        rows = (
            Candidate.objects.filter(pk__in=ids)
            .only(*_CANDIDATE_FIELDS, *(() if in_database else ("cv_text",)))
            .annotate(stored_terms=F("text_terms__terms"), stored_words=F("text_terms__words"))
            .order_by("pk")
        )
        # On PostgreSQL the text only when its counts are missing or stale: NULL (never a CV text) when current.
        if in_database:
            rows = rows.annotate(
                stale_text=Case(
                    When(
                        text_terms__terms_version=TERMS_VERSION,
                        text_terms__source_digest=SourceDigest(F("cv_text"), F("name")),
                        then=Value(None),
                    ),
                    default=F("cv_text"),
                    output_field=TextField(),
                )
            )
        else:
            rows = rows.annotate(
                stored_version=F("text_terms__terms_version"), stored_digest=F("text_terms__source_digest")
            )
        for c in rows:
            if in_database:
                current = c.stale_text is None
            else:
                current = c.stored_version == TERMS_VERSION and c.stored_digest == source_digest(
                    c.cv_text, [c.name]
                )
                c.stale_text = c.cv_text
            terms = TermCounts.from_bytes(c.stored_terms, c.stored_words) if current else None
            found = quals.get(c.pk, [])
            doc = scoring.CandidateDocument(
                text="" if terms is not None else neutralise(c.stale_text, names=[c.name]),
                skills=skills.get(c.pk, {}),
                qualification_level=max((level for level, _ in found), default=0),
                fields=[f for _, f in found if f],
                years_experience=c.years_experience,
                evidence_levels=levels.get(c.pk, {}),
                keyword_list=c.keyword_list,
                keyword_reason=skill_evidence.KEYWORD_LIST_MESSAGE if c.keyword_list else "",
                language=c.language,
                roles=tuple(c.role_skills or ()),
                role_titles=tuple(c.role_titles or ()),
                role_claims=tuple(c.role_claims or ()),
                terms=terms,
            )
            # the document holds the (neutralised) text: don't keep two copies of 100k CVs, nor a deferred field
            # a caller's read would fetch
            c.cv_text, c.stale_text, c.stored_terms = "", None, None
            out.append((c, doc, lines.get(c.pk, {})))
    return out


def _current_terms(row: tuple | None, digest: str) -> TermCounts | None:
    """The stored counts of ``(terms, words, source digest)`` when they were read from the text of ``digest``."""
    if row is None or row[2] != digest:
        return None
    return TermCounts.from_bytes(row[0], row[1])


def vacancy_documents(vacancy_ids: Sequence[int]) -> list[tuple[Vacancy, scoring.VacancyDocument]]:
    """``(vacancy, document)`` for each id, in a constant number of queries; the description's stored term counts
    when current (see ``candidate_documents``), else its neutralised text."""
    vacancies = (
        Vacancy.objects.filter(pk__in=vacancy_ids)
        .prefetch_related("skill_links__skill", "qualifications")
        .order_by("pk")
    )
    extractor, _ = skill_extractor()  # once, not per vacancy: on PostgreSQL each call is a digest query
    stored = {
        pk: (data, words, digest)
        for pk, data, words, digest in VacancyTerms.objects.filter(
            vacancy_id__in=vacancy_ids, terms_version=TERMS_VERSION
        ).values_list("vacancy_id", "terms", "words", "source_digest")
    }
    out = []
    for v in vacancies:
        required = {ln.skill.name: ln.mentions for ln in v.skill_links.all() if ln.importance == "required"}
        desirable = {ln.skill.name: ln.mentions for ln in v.skill_links.all() if ln.importance == "desirable"}
        quals = list(v.qualifications.all())
        min_level = scoring.minimum_qualification_level(v.min_qualification_level, (q.level for q in quals))
        terms = _current_terms(stored.get(v.pk), source_digest(v.description))
        doc = scoring.VacancyDocument(
            text="" if terms is not None else neutralise(v.description),
            required=required,
            desirable=desirable,
            min_qualification_level=min_level,
            fields=[q.field for q in quals if q.field],
            min_years_experience=v.min_years_experience,
            weights=scoring.ComponentWeights.from_mapping(v.weights),
            core=title_skills(v.title, {**desirable, **required}, extractor=extractor),
            language=v.language,
            terms=terms,
        )
        out.append((v, doc))
    return out


def title_skills(
    title: str, skills: Iterable[str], *, extractor: SkillExtractor | None = None
) -> tuple[str, ...]:
    """The vacancy's skills its title names ("Machine Learning Engineer" → Machine learning, "Data Scientist" →
    Data science; ``matching.extraction.role_skills``): the engine weighs them ``1 + TITLE_BOOST`` times among the
    requirements and matches the candidates' own job titles against them (the ``role`` component).  ``extractor``: the stored vocabulary's, when the caller
    already has it (default: ``skill_extractor()``)."""
    if extractor is None:
        extractor, _ = skill_extractor()
    named = set(role_skills([title], extractor)) if title else set()
    return tuple(sorted(named & set(skills)))


def scorable_vacancy_ids() -> list[int]:
    """Vacancies that get scores: every one that is not closed."""
    return list(
        Vacancy.objects.exclude(status=Vacancy.Status.CLOSED).order_by("pk").values_list("pk", flat=True)
    )


def documents_from_text(
    *, vacancy_text: str, cv_texts: Sequence[str], vacancy_title: str = ""
) -> tuple[scoring.VacancyDocument, list[scoring.CandidateDocument]]:
    """Engine documents for texts that are not stored, extracted exactly as stored ones are."""
    extractor, _ = skill_extractor()
    today = timezone.now().date()
    vacancy_text = neutralise(vacancy_text)
    cv_texts = [neutralise(t) for t in cv_texts]
    decision = decide_requirements(vacancy_text, extractor, title=vacancy_title)
    importance, counts = decision.importance, decision.counts
    vquals = extract_qualifications(vacancy_text)
    vacancy = scoring.VacancyDocument(
        text=vacancy_text,
        required={s: n for s, n in counts.items() if importance.get(s) == "required"},
        desirable={s: n for s, n in counts.items() if importance.get(s) == "desirable"},
        min_qualification_level=scoring.minimum_qualification_level(None, (q.level for q in vquals)),
        fields=[q.field for q in vquals if q.field],
        core=title_skills(vacancy_title, counts),
        language=language_of(vacancy_text),
    )
    candidates = []
    for text in cv_texts:
        quals = extract_qualifications(text)
        found = cv_evidence(text)
        candidates.append(
            scoring.CandidateDocument(
                text=text,
                skills={name: e.strength for name, e in found.skills.items()},
                qualification_level=max((q.level for q in quals), default=0),
                fields=[q.field for q in quals if q.field],
                years_experience=extract_years_experience(text, today),
                evidence_levels={name: e.level for name, e in found.skills.items()},
                keyword_list=found.keyword_list,
                keyword_reason=found.reason,
                language=language_of(text),
                roles=tuple((roles := cv_roles(text, found))[1]),
                role_titles=tuple(roles[0]),
                role_claims=tuple(roles[2]),
            )
        )
    return vacancy, candidates
