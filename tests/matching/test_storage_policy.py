"""What is stored at scale: applied pairs, the top K per vacancy and the top N per candidate; the rest on demand."""

import numpy as np
import pytest

from matching import model_store, runs, scoring, selectors, services, vocabulary_store
from matching.models import MatchScore, ScoringRun, ShortlistThreshold
from recruiting.models import Candidate, Vacancy
from recruiting.services import application_create, candidate_upsert, vacancy_upsert
from tests.matching.test_tasks import DS_CV, SALES_CV, VACANCY

pytestmark = pytest.mark.django_db

VACANCY_2 = (
    "Data engineer. Required: SQL, Spark, Airflow, Kafka and Python; ETL pipelines and data warehousing. "
    "Docker is a plus."
)
VACANCY_3 = (
    "Sales manager. You must have negotiation, communication and leadership skills; Salesforce and "
    "Excel required."
)


@pytest.fixture
def pool(settings, django_capture_on_commit_callbacks):
    settings.MATCHING_TOP_K_PER_VACANCY = 3
    settings.MATCHING_TOP_N_PER_CANDIDATE = 1
    settings.MATCHING_CHUNK_SIZE = 4
    texts = [
        DS_CV,
        SALES_CV,
        DS_CV.replace("NLP", "Spark, Airflow and Kafka"),
        SALES_CV + " Salesforce and Excel.",
        DS_CV.replace("TensorFlow, Keras", "SQL, ETL"),
        SALES_CV.replace("Sales", "Regional sales"),
        DS_CV + " Docker and Kubernetes.",
        SALES_CV + " Leadership of a team of ten.",
        DS_CV.replace("MSc", "PhD"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for ref, text in (("mle", VACANCY), ("de", VACANCY_2), ("sales", VACANCY_3)):
            vacancy_upsert(source="t", reference=ref, title=ref, description=text)
        for i, text in enumerate(texts):
            candidate_upsert(source="t", reference=f"cv{i}", cv_text=f"{text} Ref {i}.")
    return Candidate.objects.order_by("pk"), Vacancy.objects.order_by("pk")


def dense_reference(candidates, vacancies):
    model = model_store.model_load_or_fit()
    cdocs = selectors.candidate_documents([c.pk for c in candidates])
    vdocs = selectors.vacancy_documents([v.pk for v in vacancies])
    m = scoring.score_chunk(model, [d for _, d, _ in cdocs], [d for _, d in vdocs])
    return np.where(m.insufficient, -1.0, m.score)


def test_a_full_run_stores_top_k_per_vacancy_top_n_per_candidate_and_applied_pairs(
    pool, django_capture_on_commit_callbacks
):
    candidates, vacancies = pool
    applicant = candidates[1]
    application_create(candidate=applicant, vacancy=vacancies[0])
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.scoring_run_start(scope="all")
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.DONE
    assert (run.done, run.total, run.chunks_done, run.chunks_total) == (27, 27, 3, 3)  # progress adds up

    ref = dense_reference(candidates, vacancies)
    expected = set()
    for j, v in enumerate(vacancies):
        for i in np.argsort(-ref[:, j], kind="stable")[:3]:
            expected.add((candidates[int(i)].pk, v.pk))
        assert ShortlistThreshold.objects.get(vacancy=v).kth_score == pytest.approx(
            np.sort(ref[:, j])[::-1][2], abs=1e-3
        )
    for i, c in enumerate(candidates):
        expected.add((c.pk, vacancies[int(np.argmax(ref[i]))].pk))
    expected.add((applicant.pk, vacancies[0].pk))
    stored = set(MatchScore.objects.values_list("candidate_id", "vacancy_id"))
    assert stored == expected
    assert len(stored) < 27  # the policy did drop pairs
    for s in MatchScore.objects.all():
        i = list(candidates).index(s.candidate)
        j = list(vacancies).index(s.vacancy)
        assert s.score == pytest.approx(ref[i, j], abs=0.01)


def test_an_on_demand_pair_equals_the_stored_one(pool, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        runs.scoring_run_start(scope="all")
    stored = MatchScore.objects.select_related("candidate", "vacancy").first()
    fresh = services.match_score_on_demand(candidate=stored.candidate, vacancy=stored.vacancy)
    assert fresh.pk is None and not MatchScore.objects.filter(pk=None).exists()
    assert fresh.score == pytest.approx(stored.score, abs=1e-6)
    assert fresh.matched_skills == stored.matched_skills and fresh.missing_skills == stored.missing_skills
    assert fresh.explanation["components"] == stored.explanation["components"]
    # and for a pair the policy did not keep, it is still computable
    candidates, vacancies = pool
    kept = set(MatchScore.objects.values_list("candidate_id", "vacancy_id"))
    c, v = next((c, v) for c in candidates for v in vacancies if (c.pk, v.pk) not in kept)
    assert services.match_score_on_demand(candidate=c, vacancy=v).state in ("scored", "insufficient_data")


def test_a_redelivered_chunk_of_a_run_changes_nothing(pool, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.scoring_run_start(scope="all")
    before = sorted(MatchScore.objects.values_list("candidate_id", "vacancy_id", "score"))
    candidates, vacancies = pool
    model = model_store.model_load_or_fit()
    runs.scoring_run_chunk(
        run_id=run.pk,
        index=0,
        candidate_ids=[c.pk for c in candidates[:4]],
        vacancy_ids=[v.pk for v in vacancies],
        model_version=model.version,
    )
    run.refresh_from_db()
    assert sorted(MatchScore.objects.values_list("candidate_id", "vacancy_id", "score")) == before
    assert (run.done, run.chunks_done) == (27, 3)


def test_saving_one_candidate_scores_it_against_every_open_vacancy_without_refitting(
    pool, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        runs.scoring_run_start(scope="all")
    version = model_store.model_load_or_fit().version
    with django_capture_on_commit_callbacks(execute=True):
        new, _ = candidate_upsert(source="t", reference="new", cv_text=DS_CV + " Brand new.")
    assert model_store.model_load_or_fit().version == version
    assert MatchScore.objects.filter(candidate=new).count() >= 1  # at least its own top N


def test_rows_kept_only_as_a_candidates_top_n_are_stored_narrow_and_explained_on_request(
    pool, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        runs.scoring_run_start(scope="all")
    narrow = list(MatchScore.objects.filter(explained=False))
    assert narrow, "with K=3 of 9 candidates some pairs are kept only as a candidate's best vacancy"
    assert all(r.matched_skills == [] and r.explanation == {} and r.score is not None for r in narrow)
    # Reading the row leaves it as stored; explaining it (what the selectors that show it do) fills in the
    # explanation, saves it and changes nothing else.
    row = MatchScore.objects.select_related("candidate", "vacancy").get(pk=narrow[0].pk)
    assert not row.explained and row.explanation == {}
    services.match_scores_explain([row])
    assert row.explained and row.explanation["components"]
    fresh = services.match_score_on_demand(candidate=row.candidate, vacancy=row.vacancy)
    assert row.score == pytest.approx(fresh.score, abs=1e-6) == pytest.approx(narrow[0].score, abs=1e-6)
    assert (row.skills_score, row.qualifications_score, row.text_score) == (
        narrow[0].skills_score,
        narrow[0].qualifications_score,
        narrow[0].text_score,
    )
    assert row.matched_skills == fresh.matched_skills and row.missing_skills == fresh.missing_skills
    assert MatchScore.objects.get(pk=row.pk).explained
    # Shortlist rows (the vacancy's top K) were explained when stored.
    for v in pool[1]:
        kth = ShortlistThreshold.objects.get(vacancy=v).kth_score
        on_shortlist = MatchScore.objects.filter(vacancy=v, score__gte=kth - 1e-6)
        assert on_shortlist.exists() and all(r.explained for r in on_shortlist)


def test_a_worker_sees_a_vacancy_requirement_edit_made_without_saving_the_vacancy(
    pool, django_capture_on_commit_callbacks
):
    """The vacancy side is cached per worker; a changed skill link must still invalidate it."""
    from recruiting.models import VacancySkill

    candidates, vacancies = pool
    cand = candidates[0]
    services.score_pairs(candidate_ids=[cand.pk])
    link = VacancySkill.objects.filter(vacancy=vacancies[0], importance="required").order_by("pk").first()
    VacancySkill.objects.filter(pk=link.pk).update(
        importance="desirable"
    )  # no vacancy.save(): no updated_at bump
    services.score_pairs(candidate_ids=[cand.pk], vacancy_ids=[v.pk for v in vacancies])
    stored = MatchScore.objects.get(candidate=cand, vacancy=vacancies[0])
    fresh = services.match_score_on_demand(candidate=cand, vacancy=vacancies[0])
    assert stored.score == pytest.approx(fresh.score, abs=1e-6)
    skill = link.skill.name
    assert [
        m["importance"] for m in stored.matched_skills + stored.missing_skills if m["skill"] == skill
    ] == ["desirable"]


def test_scoring_a_new_vacancy_against_a_large_pool_sets_its_threshold_first(
    pool, django_capture_on_commit_callbacks
):
    """A vacancy scored against every candidate keeps its top K, not every pair."""
    from tests.matching.test_tasks import VACANCY as MLE

    with django_capture_on_commit_callbacks(execute=True):
        runs.scoring_run_start(scope="all")
    with django_capture_on_commit_callbacks(execute=True):
        new, _ = vacancy_upsert(source="t", reference="mle2", title="mle2", description=MLE + " Also Spark.")
    assert ShortlistThreshold.objects.get(vacancy=new).kth_score is not None
    stored = MatchScore.objects.filter(vacancy=new)
    assert 3 <= stored.count() < 9  # its top 3 (ties kept) plus candidates whose best vacancy it is


def test_narrow_rows_read_together_are_explained_as_each_pair_alone_in_queries_that_do_not_grow(
    pool, settings, django_capture_on_commit_callbacks
):
    """A page of narrow rows (a candidate's own scores, a recruiter's list) is explained in one vectorised chunk:
    the same explanation as each pair on its own, and as many queries for many rows as for one (issue 16, load:
    a candidate's 20 scores took 3.7 s when explained one by one)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.MATCHING_TOP_K_PER_VACANCY = 1
    settings.MATCHING_TOP_N_PER_CANDIDATE = 3
    with django_capture_on_commit_callbacks(execute=True):
        runs.scoring_run_start(scope="all")
    narrow = list(MatchScore.objects.filter(explained=False).order_by("pk"))
    assert len({r.candidate_id for r in narrow}) >= 5 and len({r.vacancy_id for r in narrow}) == 3
    model_store.model_load_or_fit()  # loaded once per process, not per read
    vocabulary_store.skill_extractor()
    with CaptureQueriesContext(connection) as one:
        services.match_scores_explain(list(MatchScore.objects.filter(pk=narrow[0].pk)))
    with CaptureQueriesContext(connection) as many:
        rows = services.match_scores_explain(
            list(MatchScore.objects.filter(pk__in=[r.pk for r in narrow[1:]]).order_by("pk"))
        )
    assert len(many) == len(one), [q["sql"][:60] for q in many]
    assert not MatchScore.objects.filter(explained=False).exists()
    for row in rows:
        fresh = services.match_score_on_demand(candidate=row.candidate, vacancy=row.vacancy)
        assert row.explained and row.score == pytest.approx(fresh.score, abs=1e-6)
        assert (row.matched_skills, row.missing_skills) == (fresh.matched_skills, fresh.missing_skills)
        assert row.explanation == fresh.explanation


def test_every_stored_row_holds_what_its_pair_computed_alone_gives(
    pool, settings, django_capture_on_commit_callbacks
):
    """A chunk's rows are built for all its pairs at once (the explanations' evidence per chunk, the narrow rows'
    values out of the matrices); each stored row, explained or narrow, holds what its pair computed on its own
    (``match_score_on_demand``) gives: state, score, group scores, confidence, weights and versions, and when
    explained the same explanation."""
    settings.MATCHING_TOP_K_PER_VACANCY = 2
    settings.MATCHING_TOP_N_PER_CANDIDATE = 2
    candidates, vacancies = pool
    application_create(candidate=candidates[4], vacancy=vacancies[2])
    with django_capture_on_commit_callbacks(execute=True):
        runs.scoring_run_start(scope="all")
    rows = list(MatchScore.objects.select_related("candidate", "vacancy").order_by("pk"))
    assert {r.explained for r in rows} == {True, False}
    same = [
        "state",
        "confidence",
        "weights",
        "engine_version",
        "vocabulary_version",
        "model_version",
        "stale",
    ]
    for row in rows:
        fresh = services.match_score_on_demand(candidate=row.candidate, vacancy=row.vacancy)
        assert [getattr(row, f) for f in same] == [getattr(fresh, f) for f in same]
        for f in ("score", "skills_score", "qualifications_score", "text_score"):
            assert getattr(row, f) == pytest.approx(getattr(fresh, f), abs=1e-9)
        if row.explained:
            assert (row.matched_skills, row.missing_skills) == (fresh.matched_skills, fresh.missing_skills)
            assert row.explanation == fresh.explanation
        else:
            assert (row.matched_skills, row.missing_skills, row.explanation) == ([], [], {})


def test_narrow_rows_are_stored_field_for_field_in_their_places_beside_explained_and_existing_rows(pool):
    """A chunk's narrow rows are handed over lean (``storage.NarrowRows``: their own values, the chunk's shared
    values once, the weights once per vacancy; on PostgreSQL staged that way) and stored exactly as their rows in
    full: every field, on either database.  An existing pair is overwritten; new rows get their ids in the order
    given, as the ranking breaks ties by id."""
    import json

    from django.utils import timezone

    from matching import storage
    from matching.models import MatchScore

    candidates, vacancies = pool
    cands, vacs = list(candidates[:3]), list(vacancies[:2])
    model = model_store.model_load_or_fit()
    _, vocab = vocabulary_store.skill_extractor()
    cdocs = selectors.candidate_documents([c.pk for c in cands])
    vdocs = selectors.vacancy_documents([v.pk for v in vacs])
    m = scoring.score_chunk(model, [d for _, d, _ in cdocs], [d for _, d in vdocs])
    groups = storage.group_scores(m)
    weights = [json.dumps(d.weights.as_dict()) for _, d in vdocs]
    now = timezone.now()
    MatchScore.objects.all().delete()  # what saving the pool scored
    # (0, 1) is stored already, with other values: the upsert overwrites it.
    MatchScore.objects.create(
        candidate=cands[0], vacancy=vacs[1], score=1.0, engine_version="old", computed_at=now, stale=True
    )
    narrow = storage.narrow_rows_values(
        [c.pk for c in cands],
        [v.pk for v in vacs],
        [0, 1, 2],
        [1, 0, 1],
        m,
        model,
        vocab,
        weights,
        now,
        groups,
    )
    pair = scoring.explain_pair(
        model, m, 1, 1, cdocs[1][1], vdocs[1][1], vocabulary_store.skill_categories(vocab), cdocs[1][2]
    )
    explained = storage.row_values(cands[1].pk, vacs[1].pk, pair, model, vocab, weights[1], now, groups, 1, 1)

    storage.rows_upsert([None, explained, None, None], narrow)

    full = narrow.rows()
    expected = {(r[0], r[1]): r for r in [full[0], explained, full[1], full[2]]}
    stored = {(r.candidate_id, r.vacancy_id): r for r in MatchScore.objects.all()}
    assert stored.keys() == expected.keys()
    for key, row in expected.items():
        want = storage.row_object(row)
        assert [getattr(stored[key], c) for c in storage.ROW_COLUMNS] == [
            getattr(want, c) for c in storage.ROW_COLUMNS
        ], key
    # Spelled out for the narrow rows: the pair's own scores and confidence, nothing explained, this pass's stamp.
    for n, (i, j) in enumerate([(0, 1), (1, 0), (2, 1)]):
        row = stored[(cands[i].pk, vacs[j].pk)]
        assert (row.state, row.explained, row.stale, row.computed_at) == ("scored", False, False, now)
        assert (row.matched_skills, row.missing_skills, row.explanation) == ([], [], {})
        assert (row.engine_version, row.vocabulary_version, row.model_version) == (
            scoring.ENGINE_VERSION,
            vocab,
            model.version,
        )
        assert row.weights == vdocs[j][1].weights.as_dict()
        assert row.score == round(float(m.score[i, j]), 2)
        assert (row.skills_score, row.qualifications_score, row.text_score) == tuple(
            float(groups[g][i, j]) for g in ("skills_score", "qualifications_score", "text_score")
        )
        assert row.confidence == m.confidence_at(i, j) == narrow.values[n][-1]
    new = [
        (r.candidate_id, r.vacancy_id)
        for r in MatchScore.objects.exclude(pk=stored[(cands[0].pk, vacs[1].pk)].pk).order_by("pk")
    ]
    assert new == [(cands[1].pk, vacs[1].pk), (cands[1].pk, vacs[0].pk), (cands[2].pk, vacs[1].pk)]
    with pytest.raises(ValueError):
        storage.rows_upsert([None, explained], narrow)


def test_explanations_are_stored_compressed_with_lz4_where_postgresql_can_and_read_back_unchanged(pool):
    """On a PostgreSQL server built with LZ4, the explained rows a scoring pass stores have their JSON compressed
    with LZ4 (cheaper for the server than the default pglz, written millions of times by a full rescore) and read
    back exactly as computed."""
    from django.db import connection

    from matching import storage

    if connection.vendor != "postgresql":
        pytest.skip("TOAST compression is PostgreSQL's")
    if not storage.toast_compression_lz4(connection):
        pytest.skip("this PostgreSQL server was built without LZ4")
    row = MatchScore.objects.filter(explained=True).select_related("candidate", "vacancy").first()
    big = {**row.explanation, "padding": ["a long reason " * 40] * 10}  # well over the 2 kB TOAST threshold
    values = [getattr(row, c) if c != "explanation" else big for c in storage.ROW_COLUMNS]
    import json

    values = [json.dumps(v) if c in storage._JSON_COLUMNS else v for c, v in zip(storage.ROW_COLUMNS, values)]
    storage.rows_upsert([tuple(values)])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(explanation) FROM matching_matchscore WHERE id = %s", [row.pk]
        )
        assert cursor.fetchone()[0] == "lz4"
    stored = MatchScore.objects.get(pk=row.pk)
    assert stored.explanation == big and stored.score == row.score


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_finished_run_leaves_the_scores_all_visible_so_the_shortlist_counts_never_visit_the_table():
    """After a full run rewrites the match scores, the run vacuums the table (``storage.scores_table_vacuum``): its
    pages are all-visible again, so the shortlist's rank and count queries are index-only scans that fetch no
    row from the table.  Without it every rewritten row is a heap visit until autovacuum comes (the API fell from
    45 to 2.5 requests/s at 100k x 1k)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("VACUUM and index-only scans are PostgreSQL's")
    from tests.conftest import ensure_vocabulary

    ensure_vocabulary()  # a transactional test starts from a flushed database: no skills, no scores
    vacancy, _ = vacancy_upsert(source="t", reference="mle", title="MLE", description=VACANCY)
    for i in range(12):
        candidate_upsert(source="t", reference=f"cv{i}", cv_text=(DS_CV if i % 2 else SALES_CV) + f" #{i}")
    run = runs.scoring_run_start(scope="all")  # eager: planning, chunks and the vacuum run here, in order
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.DONE
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'matching_matchscore'")
        pages, visible = cursor.fetchone()
        assert pages >= 1 and visible == pages
        cursor.execute("SET enable_seqscan = off; SET enable_bitmapscan = off")
        cursor.execute(
            "EXPLAIN (ANALYZE, FORMAT JSON) SELECT COUNT(*) FROM matching_matchscore "
            "WHERE vacancy_id = %s AND score IS NOT NULL",
            [vacancy.pk],
        )
        plan = cursor.fetchone()[0]
        cursor.execute("RESET enable_seqscan; RESET enable_bitmapscan")
    scan = plan[0]["Plan"]["Plans"][0]
    assert scan["Node Type"] == "Index Only Scan" and scan["Actual Rows"] == 12
    assert scan["Heap Fetches"] == 0


def test_no_vacuum_inside_a_transaction_or_off_postgresql():
    """``VACUUM`` cannot run in a transaction block: inside one (a request, a test) the step is skipped, not an
    error."""
    from django.db import connection

    from matching import storage

    assert storage.scores_table_vacuum(connection) is False
