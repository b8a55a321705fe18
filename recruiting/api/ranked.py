"""The ranked shortlist page built by PostgreSQL: the JSON of ``MatchScoreSerializer`` for one page of match
scores, assembled in one query with ``json_build_object`` (the stored JSON explanations are passed through, never
decoded and re-encoded in Python).

A vacancy's page of 50 explained scores is ~180 KB of JSON; through DRF serializers it costs ~25 ms of Python per
request, which is most of the shortlist endpoint's service time (profiled with cProfile, benchmarks/README.md).
The same response, field for field (tests/api/test_ranked_page.py compares it with the serializer's), comes back
from the database ready to send.  Used only on PostgreSQL and for the JSON renderer; everything else (SQLite, the
browsable API) goes through the serializer.
"""

from __future__ import annotations

import hashlib
import json

from django.db import connection
from django.db.models import QuerySet
from django.http import HttpResponse
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from matching.models import MatchScore
from matching.ranking import RANKING_ORDER_SQL
from matching.services import match_scores_explain
from recruiting import shortlist_cache
from recruiting.models import Candidate, Vacancy

# ``MatchScoreSerializer.Meta.fields`` in order; DRF writes a UTC datetime as ISO 8601 with "Z", without the
# fraction when it is zero.
_PAGE_SQL = """
SELECT COALESCE(json_agg(json_build_object(
    'id', m.id,
    'candidate', json_build_object('id', c.id, 'reference', c.reference, 'name', c.name),
    'vacancy', json_build_object('id', v.id, 'reference', v.reference, 'title', v.title, 'status', v.status),
    'state', m.state,
    'score', m.score,
    'rank', page.rank,
    'tied', page.tied,
    'candidates_ranked', (SELECT COUNT(*) FROM {scores} r WHERE r.vacancy_id = %s AND r.score IS NOT NULL),
    'confidence', m.confidence,
    'confidence_reason', CASE WHEN jsonb_typeof(m.explanation -> 'confidence_reason') = 'string'
                              THEN m.explanation -> 'confidence_reason' ELSE '""'::jsonb END,
    'flags', CASE WHEN jsonb_typeof(m.explanation -> 'flags') = 'array' THEN m.explanation -> 'flags'
                  ELSE '[]'::jsonb END,
    'components', CASE WHEN jsonb_typeof(m.explanation -> 'components') = 'array' THEN m.explanation -> 'components'
                       ELSE '[]'::jsonb END,
    'skills_score', m.skills_score,
    'qualifications_score', m.qualifications_score,
    'text_score', m.text_score,
    'matched_skills', m.matched_skills,
    'missing_skills', m.missing_skills,
    'explanation', m.explanation,
    'engine_version', m.engine_version,
    'vocabulary_version', m.vocabulary_version,
    'model_version', m.model_version,
    'stale', m.stale,
    'computed_at', to_char(m.computed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN date_part('microseconds', m.computed_at)::bigint %% 1000000 = 0 THEN ''
                ELSE to_char(m.computed_at AT TIME ZONE 'UTC', '.US') END || 'Z'
) ORDER BY {order}), '[]'::json)::text,
    COALESCE(array_agg(m.id) FILTER (WHERE NOT m.explained), '{{}}'),
    (SELECT COUNT(*) FROM ({counted}) AS counted)
FROM ({page}) AS page(id, rank, tied)
JOIN {scores} m ON m.id = page.id
JOIN {candidates} c ON c.id = m.candidate_id
JOIN {vacancies} v ON v.id = m.vacancy_id
"""


#: The page's format: changes with the SQL that builds it, so a deploy never serves a page cached in an older shape.
PAGE_FORMAT = hashlib.sha256((_PAGE_SQL + RANKING_ORDER_SQL).encode()).hexdigest()[:12]


def ranked_page_applies(request) -> bool:
    """Whether the database-built page answers ``request``: PostgreSQL, and the JSON renderer negotiated (the
    browsable API and SQLite go through the serializer)."""
    renderer = getattr(request, "accepted_renderer", None)
    return (
        connection.vendor == "postgresql"
        and isinstance(renderer, JSONRenderer)
        and not isinstance(renderer, BrowsableAPIRenderer)
    )


def ranked_page_cached(request, *, shared: bool) -> shortlist_cache.PageLookup:
    """The shortlist page cache's answer for ``request`` (``recruiting.shortlist_cache.page_lookup``), looked up
    before any queryset is built: ``.body`` is the cached page's bytes, or None.  Only when ``shared`` (the page
    is the same for every user who may ask for it: a recruiter's, every row of the ranking) and the fast path
    applies; otherwise an empty lookup that stores nothing."""
    if not shared or not ranked_page_applies(request):
        return shortlist_cache.PageLookup()
    return shortlist_cache.page_lookup(
        PAGE_FORMAT, request.accepted_renderer.media_type, request.build_absolute_uri()
    )


def ranked_page_response(
    view, request, queryset: QuerySet, *, vacancy_id: int, cached: shortlist_cache.PageLookup | None = None
) -> HttpResponse | None:
    """The paginated JSON response of ``queryset`` (vacancy ``vacancy_id``'s scores, already filtered, ranked and
    annotated with ``vacancy_rank`` / ``vacancy_tied`` by ``recruiting.selectors.with_vacancy_rank``), or ``None``
    when this fast path does not apply (``ranked_page_applies``) and the caller must serialise.

    Rows stored narrow on the page are explained first (``matching.services.match_scores_explain``), as the
    serializer path does.
    ``cached``: the ``ranked_page_cached`` lookup made for this request; the page built here is stored where it
    says (not when rows were explained: that write replaces the cache's generation at commit anyway).
    The page's order is the ranking of ``matching.ranking`` (``score`` best first, no score last, then ``id``);
    ``candidates_ranked`` (the vacancy's scored candidates) is counted once per page, not per row.
    """
    if not ranked_page_applies(request):
        return None
    paginator = view.paginator
    limit = paginator.get_limit(request)
    offset = paginator.get_offset(request)
    # The page's ids, ranks and ties in the queryset's own order (the ranking: score best first, no score last,
    # then id — the order json_agg repeats) and the count of the whole ranking, as subqueries: one round trip.
    page_sql, page_params = queryset.values_list("pk", "vacancy_rank", "vacancy_tied")[
        offset : offset + limit
    ].query.sql_with_params()
    count_sql, count_params = queryset.order_by().values_list("pk").query.sql_with_params()
    sql = _PAGE_SQL.format(
        page=page_sql,
        counted=count_sql,
        scores=MatchScore._meta.db_table,
        candidates=Candidate._meta.db_table,
        vacancies=Vacancy._meta.db_table,
        order=RANKING_ORDER_SQL,
    )
    params = [vacancy_id, *count_params, *page_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        results, narrow, count = cursor.fetchone()
        if narrow:  # rows stored narrow: explain and save them; then the page again
            match_scores_explain(list(MatchScore.objects.filter(pk__in=narrow)))
            cursor.execute(sql, params)
            results, _, count = cursor.fetchone()
    paginator.count, paginator.limit, paginator.offset, paginator.request = count, limit, offset, request
    head = json.dumps(
        {"count": count, "next": paginator.get_next_link(), "previous": paginator.get_previous_link()},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    body = (head[:-1] + ',"results":' + results + "}").encode("utf-8")
    if cached is not None and not narrow:
        shortlist_cache.page_store(cached, body)
    return HttpResponse(body, content_type="application/json")
