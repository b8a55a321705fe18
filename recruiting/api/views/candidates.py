"""``/api/candidates/``: list, read, create, a candidate's match scores; and bulk imports of candidates
(``/api/imports/candidates/``: CV files, a CSV or JSON rows)."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from matching.models import MatchScore
from recruiting import import_reading, importers, services
from recruiting.api import filters
from recruiting.api.exceptions import Conflict, ImportFailedError
from recruiting.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from recruiting.api.parsers import BoundedJSONParser
from recruiting.api.permissions import (
    IsRecruiter,
)
from recruiting.api.schema import error_response
from recruiting.api.serializers.candidates import (
    CandidateCreateInputSerializer,
    CandidateDetailSerializer,
    CandidateImportInputSerializer,
    CandidateImportUploadSerializer,
    CandidateSerializer,
    CandidateUpdateInputSerializer,
    ImportReportSerializer,
)
from recruiting.api.serializers.scores import MatchScoreSerializer
from recruiting.api.views.common import (
    API_SOURCE,
    MATCH_SCORE_PARAMETERS,
    SEARCHABLE,
    ApiMixin,
    NonAtomicReadsMixin,
    explained,
    filtered,
    match_scores,
    ranked,
    skill_links,
)
from recruiting.models import (
    Candidate,
    CandidateSkill,
)


# --- candidates ---------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(tags=["candidates"], summary="List candidates (recruiters)"),
    retrieve=extend_schema(
        tags=["candidates"],
        summary="One candidate with the CV text (recruiters)",
        responses={200: CandidateDetailSerializer},
        description="Reading a CV is recorded in the audit log.",
    ),
)
class CandidateViewSet(
    NonAtomicReadsMixin, ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    non_atomic_actions = frozenset({"match_scores"})  # read-only: no BEGIN / COMMIT per page
    serializer_class = CandidateSerializer
    permission_classes = [IsRecruiter]
    filterset_class = filters.CandidateFilter
    filter_backends = SEARCHABLE
    search_fields = ["name", "reference", "headline", "location"]
    ordering_fields = ["reference", "name", "created_at", "updated_at"]
    ordering = ["reference"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        queryset = Candidate.objects.prefetch_related(skill_links(CandidateSkill))
        return queryset if self.action == "retrieve" else queryset.defer("cv_text")

    def retrieve(self, request, pk=None):
        candidate = self.get_object()
        services.audit_log(actor=request.user, action="view_cv", obj=candidate, detail={"via": "api"})
        return Response(CandidateDetailSerializer(candidate).data)

    @extend_schema(
        tags=["candidates"],
        summary="Add a candidate from a CV text (recruiters)",
        request=CandidateCreateInputSerializer,
        responses={201: CandidateDetailSerializer, 409: error_response(409)},
    )
    def create(self, request):
        data = CandidateCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        if Candidate.objects.filter(source=API_SOURCE, reference=d["reference"]).exists():
            raise Conflict(f"A candidate with reference {d['reference']!r} already exists.")
        try:
            candidate, _ = services.candidate_upsert(source=API_SOURCE, **d)
        except ValueError as exc:
            raise ValidationError({"cv_text": [str(exc)]}) from None
        candidate = Candidate.objects.prefetch_related(skill_links(CandidateSkill)).get(pk=candidate.pk)
        return Response(CandidateDetailSerializer(candidate).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=["candidates"],
        summary="Change a candidate's CV text, name, e-mail or label (recruiters)",
        request=CandidateUpdateInputSerializer,
        responses={200: CandidateDetailSerializer},
    )
    def partial_update(self, request, pk=None):
        candidate = self.get_object()
        data = CandidateUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        candidate = Candidate.objects.get(pk=candidate.pk)  # with the CV text
        try:
            candidate, _ = services.candidate_upsert(
                source=candidate.source,
                reference=candidate.reference,
                cv_text=d.get("cv_text", candidate.cv_text),
                name=d.get("name", ""),
                email=d.get("email", ""),
                source_label=d.get("source_label", candidate.source_label),
            )
        except ValueError as exc:
            raise ValidationError({"cv_text": [str(exc)]}) from None
        candidate = Candidate.objects.prefetch_related(skill_links(CandidateSkill)).get(pk=candidate.pk)
        return Response(CandidateDetailSerializer(candidate).data)

    @extend_schema(
        tags=["match scores"],
        summary="A candidate's match scores, best first (recruiters)",
        responses={200: MatchScoreSerializer(many=True)},
        parameters=MATCH_SCORE_PARAMETERS,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="match-scores",
        filter_backends=[],
        serializer_class=MatchScoreSerializer,
    )
    def match_scores(self, request, pk=None):
        candidate = self.get_object()
        queryset = match_scores(MatchScore.objects.filter(candidate=candidate))
        queryset = ranked(filtered(filters.MatchScoreFilter, request, queryset))
        page = explained(self.paginate_queryset(queryset))
        return self.get_paginated_response(MatchScoreSerializer(page, many=True).data)

    def filter_queryset(self, queryset):
        if self.action == "match_scores":
            return queryset
        return super().filter_queryset(queryset)


# --- imports ------------------------------------------------------------------------------------------------
class CandidateImportView(APIView):
    permission_classes = [IsRecruiter]
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    @extend_schema(
        tags=["imports"],
        summary="Import candidates (recruiters): JSON rows or a CSV file",
        request={
            "application/json": CandidateImportInputSerializer,
            "multipart/form-data": CandidateImportUploadSerializer,
        },
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: ImportReportSerializer, 422: error_response(422)},
        description="All or nothing: every row is checked first and every problem is reported together "
        '(code import_failed, details.problems). Candidates are keyed by (source "api", reference): '
        "importing again updates them; unchanged ones are counted, not saved. Send an "
        "`Idempotency-Key` header to make a retry harmless.",
        examples=[
            OpenApiExample(
                "JSON",
                request_only=True,
                media_type="application/json",
                value={
                    "candidates": [
                        {
                            "reference": "ext-17",
                            "cv_text": "Python, PyTorch …",
                            "name": "Ada Lovelace",
                            "email": "ada@example.com",
                            "label": "job board",
                        }
                    ]
                },
            )
        ],
    )
    @idempotent
    def post(self, request):
        if "file" in request.FILES or request.content_type.startswith("multipart/"):
            upload = CandidateImportUploadSerializer(data=request.data)
            upload.is_valid(raise_exception=True)
            batch = _read_candidate_csv_upload(upload.validated_data["file"])
        else:
            rows = CandidateImportInputSerializer(data=request.data)
            rows.is_valid(raise_exception=True)
            try:
                batch = import_reading.read_candidate_rows(rows.validated_data["candidates"])
            except import_reading.ImportFailed as exc:
                raise ImportFailedError(exc.problems) from None
        try:
            report = importers.candidates_write(batch, source=API_SOURCE)
        except import_reading.ImportFailed as exc:
            raise ImportFailedError(exc.problems) from None
        return Response(
            {
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "duplicates_dropped": report.duplicates_dropped,
                "total": report.total,
                "summary": report.summary("candidates"),
            }
        )


CSV_COLUMNS = {
    "id_column": "reference",
    "name_column": "name",
    "email_column": "email",
    "label_column": "label",
}


def _read_candidate_csv_upload(upload) -> import_reading.Batch:
    """Read an uploaded CSV through ``import_reading.read_candidate_csv`` (columns cv_text, reference, name, email,
    label; only cv_text is required)."""
    name = Path(upload.name or "upload.csv").name or "upload.csv"
    with tempfile.TemporaryDirectory(prefix="api-import-") as folder:
        path = Path(folder) / name
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        with path.open("rb") as handle:
            first = handle.readline(1024 * 1024).decode("utf-8-sig", errors="replace")
        try:
            header = {h.strip() for h in next(csv.reader(io.StringIO(first)), [])}
        except csv.Error:  # binary or otherwise not CSV: the importer below says so clearly
            header = set()
        optional = {arg: column for arg, column in CSV_COLUMNS.items() if column in header}
        try:
            return import_reading.read_candidate_csv(path, text_column="cv_text", **optional)
        except import_reading.ImportFailed as exc:
            raise ImportFailedError(exc.problems) from None
