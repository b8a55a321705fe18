"""A full rescore through its own table (PostgreSQL, ``matching.rescore_table``): what it stores equals upserting
into the live table, the swapped-in table is the live table's twin, and writes made while the run is in flight
are neither lost nor doubled."""

import pytest
from django.db import connection

from matching import model_store, rescore_table, runs, services
from matching.models import MatchScore, ScoringRun
from matching.storage import ROW_COLUMNS
from recruiting.models import Candidate, Vacancy
from recruiting.services import candidate_upsert
from tests.matching.test_storage_policy import pool  # noqa: F401 (fixture)
from tests.matching.test_tasks import DS_CV

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a full rescore writes its own table on PostgreSQL only"
    ),
]

# Every stored column but the time it was computed, and the id (the ranking's tie-break) first.
COLUMNS = ["id", *(c for c in ROW_COLUMNS if c != "computed_at")]


def stored() -> list[tuple]:
    return list(MatchScore.objects.order_by("candidate_id", "vacancy_id").values_list(*COLUMNS))


def full_run(capture) -> ScoringRun:
    with capture(execute=True):
        run = runs.scoring_run_start(scope="all")
    run.refresh_from_db()
    return run


def catalogue() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1",
            [MatchScore._meta.db_table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass ORDER BY 1",
            [MatchScore._meta.db_table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT attidentity FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'id'",
            [MatchScore._meta.db_table],
        )
        identity = cursor.fetchone()[0]
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [MatchScore._meta.db_table])
        sequence = cursor.fetchone()[0]
        cursor.execute(
            "SELECT to_regclass(%s), to_regclass(%s)", [rescore_table.TABLE, rescore_table.OLD_TABLE]
        )
        leftovers = cursor.fetchone()
    return indexes, constraints, identity, sequence, leftovers


def test_a_full_rescore_through_its_own_table_stores_what_upserting_stores_with_the_same_ids(
    pool,  # noqa: F811
    settings,
    django_capture_on_commit_callbacks,
):
    settings.MATCHING_RESCORE_TABLE = False
    run = full_run(django_capture_on_commit_callbacks)
    assert run.status == "done" and not run.params.get("run_table")
    upserted = stored()
    assert upserted

    settings.MATCHING_RESCORE_TABLE = True
    run = full_run(django_capture_on_commit_callbacks)
    assert run.status == "done" and run.params["run_table"]
    assert stored() == upserted  # every value, and each pair's id (the ranking's tie-break)
    assert not rescore_table.exists()


def test_the_swapped_in_table_has_the_live_tables_indexes_constraints_and_identity(
    pool,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    before = catalogue()
    full_run(django_capture_on_commit_callbacks)
    assert catalogue() == before
    # The identity continues after the ids taken: a new pair gets a new id, not one a stored row holds.
    top = MatchScore.objects.order_by("-id").values_list("id", flat=True).first()
    candidate, _ = candidate_upsert(source="t", reference="late", cv_text=DS_CV + " Late.")
    services.score_pairs(candidate_ids=[candidate.pk])
    assert MatchScore.objects.filter(candidate=candidate).exists()
    assert min(MatchScore.objects.filter(candidate=candidate).values_list("id", flat=True)) > top


def test_scores_written_while_the_run_is_in_flight_survive_the_swap_once(pool):  # noqa: F811
    candidates, vacancies = pool
    model = model_store.model_load_or_fit()
    services.score_pairs(model=model)
    rescore_table.create()
    services.score_pairs(candidate_ids=[c.pk for c in candidates], model=model, run_table=True)
    # A CV saved while the run is in flight: scored into the live table, copied into the run table.
    late, _ = candidate_upsert(source="t", reference="late", cv_text=DS_CV + " Late.")
    services.score_pairs(candidate_ids=[late.pk], model=model)
    live_rows = sorted(MatchScore.objects.filter(candidate=late).values_list("vacancy_id", "score"))
    assert live_rows
    # And a chunk of the run sent again: its candidates' rows replaced, not doubled.
    services.score_pairs(candidate_ids=[c.pk for c in candidates[:4]], model=model, run_table=True)
    rescore_table.swap(connection, run_vacancy_ids=[v.pk for v in vacancies])
    assert sorted(MatchScore.objects.filter(candidate=late).values_list("vacancy_id", "score")) == live_rows
    pairs = list(MatchScore.objects.values_list("candidate_id", "vacancy_id"))
    assert len(pairs) == len(set(pairs))
    assert {c for c, _ in pairs} == {c.pk for c in candidates} | {late.pk}


def test_a_candidate_deleted_while_the_run_is_in_flight_comes_back_with_no_score(pool):  # noqa: F811
    candidates, vacancies = pool
    model = model_store.model_load_or_fit()
    rescore_table.create()
    services.score_pairs(candidate_ids=[c.pk for c in candidates], model=model, run_table=True)
    gone = candidates[0].pk
    Candidate.objects.filter(pk=gone).delete()
    rescore_table.swap(connection, run_vacancy_ids=[v.pk for v in vacancies])
    assert not MatchScore.objects.filter(candidate_id=gone).exists()
    assert MatchScore.objects.exists()
    assert rescore_table.constraints_validate() == 3  # both foreign keys and the score's range, checked after
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = %s::regclass AND NOT convalidated",
            [MatchScore._meta.db_table],
        )
        assert cursor.fetchone()[0] == 0


def test_a_closed_vacancys_scores_are_kept_by_a_full_rescore(
    pool,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    _, vacancies = pool
    full_run(django_capture_on_commit_callbacks)
    closed = vacancies[0]
    kept = stored()
    kept_closed = [row for row in kept if row[2] == closed.pk]
    assert kept_closed
    Vacancy.objects.filter(pk=closed.pk).update(status=Vacancy.Status.CLOSED)
    run = full_run(django_capture_on_commit_callbacks)
    assert run.status == "done" and run.params["run_table"]
    assert [row for row in stored() if row[2] == closed.pk] == kept_closed


def test_a_failed_run_drops_its_table_and_leaves_the_stored_scores_alone(
    pool,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    full_run(django_capture_on_commit_callbacks)
    before = stored()
    run = ScoringRun.objects.create(scope="all", status=ScoringRun.Status.RUNNING, params={"run_table": True})
    rescore_table.create()
    with django_capture_on_commit_callbacks(execute=True):
        runs.scoring_run_fail(run_id=run.pk, error="OperationalError")
    assert not rescore_table.exists()
    assert stored() == before


def test_a_second_full_run_while_one_holds_the_table_upserts_into_the_live_table(
    pool,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    ScoringRun.objects.create(scope="all", status=ScoringRun.Status.RUNNING, params={"run_table": True})
    rescore_table.create()
    run = full_run(django_capture_on_commit_callbacks)
    assert run.status == "done" and not run.params.get("run_table")
    # Its writes went to both tables: the other run's swap keeps them.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {rescore_table.TABLE}")
        assert cursor.fetchone()[0] == MatchScore.objects.count() > 0


def test_a_run_table_whose_columns_no_longer_match_is_refused_and_the_run_fails(
    pool,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    full_run(django_capture_on_commit_callbacks)
    before = stored()
    run = ScoringRun.objects.create(
        scope="all", status=ScoringRun.Status.RUNNING, params={"run_table": True, "vacancy_ids": []}
    )
    rescore_table.create()
    with connection.cursor() as cursor:  # as if a migration had changed the table while the run was in flight
        cursor.execute(f"ALTER TABLE {rescore_table.TABLE} ADD COLUMN surplus integer")
    with django_capture_on_commit_callbacks(execute=True):
        assert runs.scoring_run_swap(run_id=run.pk) is False
    run.refresh_from_db()
    assert run.status == "failed" and "columns changed" in run.error
    assert not rescore_table.exists()
    assert stored() == before
