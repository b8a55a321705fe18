"""Candidate profiles extracted in bulk (issue 15, ingestion): ``matching.profiles.candidates_refresh_profiles``
gives every candidate the profile the one-candidate path gives it, keeps what a recruiter entered, changes
nothing on a re-run and writes with a number of queries that does not grow with the number of CVs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching import profiles
from matching.models import CandidateTerms, Skill
from recruiting.models import Candidate, CandidateSkill, Qualification, SkillOrigin
from tests.matching.test_language import ENGLISH, GERMAN
from tests.matching.test_tasks import DS_CV, SALES_CV

pytestmark = pytest.mark.django_db

ROLES_CV = (
    "Jane Smith\n"
    "Machine Learning Engineer, Acme (2019 - 2023)\n"
    "Built forecasting models in Python and PyTorch; deployed them with Docker and Kubernetes.\n"
    "Data Analyst, Beta Corp (2016 - 2019)\n"
    "Skills: SQL, Tableau, Excel\n"
    "Education: MSc in Statistics, BSc in Mathematics. Certified AWS architect."
)
KEYWORDS_CV = "Python, SQL, Docker, PyTorch, Java, Excel, Tableau, Kubernetes, Spark, Hadoop"
TEXTS = [DS_CV, SALES_CV, ROLES_CV, KEYWORDS_CV, ENGLISH, GERMAN]

CANDIDATE_FIELDS = (
    "years_experience",
    "keyword_list",
    "language",
    "profile_version",
    "role_titles",
    "role_skills",
    "role_claims",
    "cv_name",
)


def _candidates(source: str, texts=TEXTS) -> list[Candidate]:
    Candidate.objects.bulk_create(
        [
            Candidate(source=source, reference=f"cv{i}", name=f"Person {i}", cv_text=text)
            for i, text in enumerate(texts)
        ]
    )
    return list(Candidate.objects.filter(source=source).order_by("reference"))


def _profile(candidate_id: int) -> dict:
    """Everything extraction stores for a candidate, without row ids."""
    return {
        "fields": Candidate.objects.filter(pk=candidate_id).values(*CANDIDATE_FIELDS, "updated_at").get(),
        "skills": sorted(
            CandidateSkill.objects.filter(candidate_id=candidate_id).values_list(
                "skill__name", "origin", "mentions", "evidence", "evidence_level", "strength"
            )
        ),
        "qualifications": sorted(
            Qualification.objects.filter(candidate_id=candidate_id).values_list(
                "level", "field", "origin", "evidence"
            )
        ),
        "terms": CandidateTerms.objects.filter(candidate_id=candidate_id)
        .values_list("terms", "words", "source_digest")
        .get(),
    }


def _without_stamp(profile: dict) -> dict:
    return {**profile, "fields": {k: v for k, v in profile["fields"].items() if k != "updated_at"}}


def test_bulk_extraction_gives_each_candidate_the_profile_one_by_one_extraction_gives():
    one_by_one = _candidates("single")
    for candidate in one_by_one:
        profiles.candidate_refresh_profile(candidate=candidate)
    together = _candidates("bulk")
    profiles.candidates_refresh_profiles(candidates=together)

    for single, bulk in zip(one_by_one, together, strict=True):
        assert _without_stamp(_profile(bulk.pk)) == _without_stamp(_profile(single.pk))
    # The fixtures exercise every part of the profile.
    stored = [_profile(c.pk) for c in together]
    assert all(p["skills"] for p in stored)
    assert {p["fields"]["language"] for p in stored} >= {"en", "de"}
    assert any(p["fields"]["keyword_list"] for p in stored)
    assert any(p["fields"]["role_titles"] for p in stored)
    assert any(p["fields"]["cv_name"] == "Jane Smith" for p in stored)
    assert any(p["qualifications"] for p in stored)
    assert any(p["fields"]["years_experience"] for p in stored)
    # The instances carry what was stored.
    for candidate in together:
        assert {f: getattr(candidate, f) for f in CANDIDATE_FIELDS} == {
            f: v for f, v in _profile(candidate.pk)["fields"].items() if f != "updated_at"
        }


def test_links_a_recruiter_entered_are_kept_and_win_over_extraction():
    candidates = _candidates("bulk")
    python = Skill.objects.get(name="Python")
    roles = next(c for c in candidates if c.cv_text == ROLES_CV)
    CandidateSkill.objects.create(
        candidate=roles, skill=python, origin=SkillOrigin.ENTERED, evidence="by hand"
    )
    Qualification.objects.create(candidate=roles, level=4, field="physics", origin=SkillOrigin.ENTERED)

    profiles.candidates_refresh_profiles(candidates=candidates)
    profiles.candidates_refresh_profiles(candidates=candidates)  # extracted rows replaced, entered ones kept

    links = CandidateSkill.objects.filter(candidate=roles, skill=python)
    assert list(links.values_list("origin", "evidence")) == [(SkillOrigin.ENTERED, "by hand")]
    assert Qualification.objects.filter(candidate=roles, origin=SkillOrigin.ENTERED).count() == 1
    # Other candidates naming Python get their extracted link as usual.
    others = CandidateSkill.objects.filter(skill=python, origin=SkillOrigin.EXTRACTED).exclude(
        candidate=roles
    )
    assert others.exists()


def test_a_rerun_changes_nothing():
    candidates = _candidates("bulk")
    profiles.candidates_refresh_profiles(candidates=candidates)
    before = [_profile(c.pk) for c in candidates]

    fresh = list(Candidate.objects.filter(source="bulk").order_by("reference"))
    with CaptureQueriesContext(connection) as queries:
        profiles.candidates_refresh_profiles(candidates=fresh)

    assert [_profile(c.pk) for c in candidates] == before  # updated_at included: scores are not made stale
    assert not [q for q in queries.captured_queries if q["sql"].startswith('UPDATE "recruiting_candidate"')]


def _statements(queries) -> list[str]:
    """The statements sent, a ``bulk_create`` split by the backend's cap on query parameters counted once: on
    SQLite (999 parameters) Django splits the skill links of a chunk every ~110 rows, which is not a query per CV.
    Only an ``INSERT`` following a *full* batch of the same statement is folded, so a per-CV insert (or a per-CV
    ``bulk_create``) still counts once per CV; on PostgreSQL (no cap) nothing is folded."""
    cap = connection.features.max_query_params
    out: list[str] = []
    for sql in (q["sql"] for q in queries):
        head = sql.split(" VALUES ", 1)[0]
        if cap and sql.startswith("INSERT") and out and out[-1].startswith(head + " VALUES "):
            rows, columns = out[-1].count("), (") + 1, head.count(",") + 1
            if (rows + 1) * columns > cap:  # the previous batch was full: this one continues it
                out[-1] = sql
                continue
        out.append(sql)
    return out


def test_queries_do_not_grow_with_the_number_of_cvs():
    def count(texts, source) -> int:
        candidates = _candidates(source, texts)
        with CaptureQueriesContext(connection) as queries:
            profiles.candidates_refresh_profiles(candidates=candidates)
        return len(_statements(queries.captured_queries))

    profiles.candidates_refresh_profiles(candidates=_candidates("warm", [DS_CV]))  # vocabulary caches filled
    assert count(TEXTS * 4, "many") == count(TEXTS[:2], "few")


def test_no_candidates_no_queries(django_assert_num_queries):
    with django_assert_num_queries(0):
        profiles.candidates_refresh_profiles(candidates=[])


def test_links_written_by_copy_are_the_rows_bulk_create_writes():
    """On PostgreSQL a chunk's skill links and qualifications are written by COPY (``profiles._rows_insert``); the
    stored rows equal those ``bulk_create`` stores for the same instances — awkward text included (tabs, line
    breaks, backslashes, quotes, non-ASCII, empty), a null vacancy, a float's every digit — and the field defaults
    are applied.  Elsewhere ``_rows_insert`` is ``bulk_create`` itself."""
    copied, created = _candidates("copied", TEXTS[:1]), _candidates("created", TEXTS[:1])
    skills = list(Skill.objects.order_by("pk")[:4])
    awkward = ["tab\there", "line\nbreak \\ back\\slash", "quotes ' \" and \\N", "Zürich — 東京 ✓", ""]

    def links(candidate):
        return [
            CandidateSkill(
                candidate_id=candidate.pk,
                skill_id=skill.pk,
                mentions=i + 1,
                origin=SkillOrigin.EXTRACTED,
                evidence=awkward[i],
                evidence_level="used" if i % 2 else "",
                strength=0.1 + i / 3,
            )
            for i, skill in enumerate(skills)
        ] + [CandidateSkill(candidate_id=candidate.pk, skill_id=Skill.objects.order_by("-pk")[0].pk)]

    def qualifications(candidate):
        return [
            Qualification(candidate_id=candidate.pk, level=level, field=text, evidence=text[::-1])
            for level, text in zip((3, 4, 5, 6, 7), awkward, strict=True)
        ]

    profiles._rows_insert(CandidateSkill, links(copied[0]))
    profiles._rows_insert(Qualification, qualifications(copied[0]))
    CandidateSkill.objects.bulk_create(links(created[0]))
    Qualification.objects.bulk_create(qualifications(created[0]))

    def stored(candidate) -> tuple[list, list]:
        return (
            sorted(
                CandidateSkill.objects.filter(candidate=candidate).values_list(
                    "skill_id", "origin", "mentions", "evidence", "evidence_level", "strength"
                )
            ),
            sorted(
                Qualification.objects.filter(candidate=candidate).values_list(
                    "level", "field", "origin", "evidence"
                )
            ),
        )

    by_copy, by_bulk_create = stored(copied[0]), stored(created[0])
    assert len(by_copy[0]) == 5 and len(by_copy[1]) == 5
    assert by_copy == by_bulk_create
    assert Qualification.objects.filter(candidate=copied[0], vacancy__isnull=True).count() == 5
    profiles._rows_insert(CandidateSkill, [])  # nothing to write: no statement, no error
