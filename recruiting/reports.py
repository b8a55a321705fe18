"""The hiring reports under the workspace's Reports menu: pipeline funnel, time in stage, candidates by source,
and score vs decision.  Each page has a server-rendered SVG chart, a table, a CSV export (``?format=csv``) and
date-range and vacancy filters.

Scope: the applications *received* between "from" and "to" (both dates inclusive, in the site's time zone) on
the chosen vacancy or on every vacancy the user may see, each followed through its whole history to today.
Recruiters see every vacancy; hiring managers see their own (``recruiting.permissions``) and do not export.
Reports hold counts and durations only, never a candidate's name or CV.

Selectors (``recruiting.selectors``, "hiring reports") fetch rows; ``recruiting.hiring_stats`` computes; this
module builds the table and chart and renders them.  Each report runs a fixed number of queries, whatever the
number of applications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from recruiting import csvsafe, hiring_stats, permissions, selectors
from recruiting.models import Application, Vacancy
from recruiting.report_charts import BarRow, Layer, hbar_chart, paired_histogram
from recruiting.services import PIPELINE_ORDER

STAGE_LABELS = dict(Application.Stage.choices)
SOURCE_LABELS = dict(Application.Source.choices)
PIPELINE = [str(stage) for stage in PIPELINE_ORDER]
TIMED_STAGES = PIPELINE[:-1]  # hired is where the pipeline ends: nobody leaves it
SCORE_BINS = 10


@dataclass(frozen=True)
class ReportInfo:
    slug: str
    title: str
    summary: str


REPORTS = {
    r.slug: r
    for r in (
        ReportInfo(
            "funnel",
            "Pipeline funnel",
            "How many applications reached each stage, per vacancy and overall, and the conversion "
            "from one stage to the next.",
        ),
        ReportInfo(
            "time-in-stage",
            "Time in stage",
            "How long applications stay in each stage (median and 90th percentile) and the time to hire.",
        ),
        ReportInfo(
            "sources",
            "Candidates by source",
            "Applications from the portal, the API, imports and recruiters' sourcing, and how far each "
            "source's candidates get.",
        ),
        ReportInfo(
            "scores",
            "Score vs decision",
            "The match scores of hired and rejected candidates, and how well the score predicts the "
            "decision (ROC AUC).",
        ),
    )
}


# --- filters ------------------------------------------------------------------------------------------------
class VacancyChoiceField(forms.ModelChoiceField):
    """Vacancies named so that two with one title can be told apart: "title (reference, status)"."""

    def label_from_instance(self, obj: Vacancy) -> str:
        return f"{obj.title} ({obj.reference}, {obj.get_status_display().lower()})"


class ReportFilterForm(forms.Form):
    """Date range (inclusive) and vacancy; the vacancy choices are the vacancies the user may see."""

    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    vacancy = VacancyChoiceField(queryset=Vacancy.objects.none(), required=False, empty_label="All vacancies")

    def __init__(self, *args, vacancies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if vacancies is not None:
            self.fields["vacancy"].queryset = vacancies.order_by("title", "reference").only(
                "pk", "title", "reference", "status"
            )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("“From” must be on or before “To”.")
        return data

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """``(since, before)``: the start of "from" and the start of the day after "to" in the current time zone
        (aware datetimes), None when not given.  Call after ``is_valid``."""
        zone = timezone.get_current_timezone()
        day_from, day_to = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        since = datetime.combine(day_from, time.min, tzinfo=zone) if day_from else None
        before = datetime.combine(day_to + timedelta(days=1), time.min, tzinfo=zone) if day_to else None
        return since, before


# --- formatting ---------------------------------------------------------------------------------------------
def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} d"


def _raw(value: float | None, digits: int) -> float | str:
    return "" if value is None else round(value, digits)


def _vacancy_name(row: dict) -> str:
    return f"{row['vacancy__title']} ({row['vacancy__reference']})"


# --- the four reports: rows in, {"table", "csv", "chart", …} out ---------------------------------------------
def _furthest(rows: list[dict], histories: dict) -> dict[int, int]:
    return {
        row["pk"]: hiring_stats.furthest_stage(
            [s for s, _ in histories.get(row["pk"], [])], row["stage"], PIPELINE
        )
        for row in rows
    }


def funnel_report(rows: list[dict], histories: dict) -> dict:
    """Overall funnel (chart and first table row) and one row per vacancy."""
    furthest = _furthest(rows, histories)
    overall = hiring_stats.funnel(furthest.values(), PIPELINE)
    names = {row["vacancy_id"]: _vacancy_name(row) for row in rows}
    per_vacancy = hiring_stats.funnels_by(
        ((row["vacancy_id"], furthest[row["pk"]]) for row in rows), PIPELINE
    )
    head = ["Vacancy", *[STAGE_LABELS[s] for s in PIPELINE], "Hired of applied"]
    csv_head = ["vacancy_id", "vacancy"]
    for stage in PIPELINE:
        csv_head += [stage] if stage == PIPELINE[0] else [stage, f"{stage}_conversion"]
    csv_head.append("hired_of_applied")

    def cells(steps):
        return (
            [str(steps[0].reached)]
            + [f"{s.reached} ({_pct(s.conversion)})" for s in steps[1:]]
            + [_pct(steps[-1].of_first)]
        )

    def raw(steps):
        out = [steps[0].reached]
        for s in steps[1:]:
            out += [s.reached, _raw(s.conversion, 4)]
        return out + [_raw(steps[-1].of_first, 4)]

    table = [{"cells": ["All vacancies in this report", *cells(overall)], "total": True}]
    csv_rows = [["", "all", *raw(overall)]]
    for vacancy_id, steps in per_vacancy.items():
        table.append({"cells": [names[vacancy_id], *cells(steps)], "total": False})
        csv_rows.append([vacancy_id, names[vacancy_id], *raw(steps)])
    chart = hbar_chart(
        [
            BarRow(
                STAGE_LABELS[s.stage],
                [Layer(s.reached, "main", f"{STAGE_LABELS[s.stage]}: {s.reached} reached")],
                f"{s.reached} · {_pct(s.of_first)} of applied"
                + ("" if s.conversion is None else f" · {_pct(s.conversion)} step"),
            )
            for s in overall
        ]
    )
    return {
        "head": head,
        "table": table,
        "csv_head": csv_head,
        "csv_rows": csv_rows,
        "bar_chart": chart,
        "count": len(rows),
    }


def time_in_stage_report(rows: list[dict], histories: dict) -> dict:
    """Median and p90 days per stage (completed stays), applications there now, and time to hire."""
    chosen = [histories.get(row["pk"], []) for row in rows]
    stages = hiring_stats.time_in_stage(chosen, TIMED_STAGES)
    hire = hiring_stats.time_to_hire(chosen, Application.Stage.HIRED)
    lines = [(STAGE_LABELS[t.stage], t.summary, str(t.open)) for t in stages] + [("Time to hire", hire, "")]
    head = ["Stage", "Completed stays", "Median", "90th percentile", "In this stage now"]
    table = [
        {"cells": [label, str(s.n), _days(s.median), _days(s.p90), now], "total": label == "Time to hire"}
        for label, s, now in lines
    ]
    csv_head = ["stage", "completed", "median_days", "p90_days", "in_stage_now"]
    csv_rows = [
        [t.stage, t.summary.n, _raw(t.summary.median, 2), _raw(t.summary.p90, 2), t.open] for t in stages
    ]
    csv_rows.append(["time_to_hire", hire.n, _raw(hire.median, 2), _raw(hire.p90, 2), ""])
    chart = hbar_chart(
        [
            BarRow(
                label,
                [
                    Layer(s.p90 or 0, "light", f"{label}: 90th percentile {_days(s.p90)}"),
                    Layer(s.median or 0, "main", f"{label}: median {_days(s.median)}"),
                ],
                "no completed stays" if not s.n else f"median {_days(s.median)} · p90 {_days(s.p90)}",
            )
            for label, s, _ in lines
        ]
    )
    return {
        "head": head,
        "table": table,
        "csv_head": csv_head,
        "csv_rows": csv_rows,
        "bar_chart": chart,
        "count": len(rows),
    }


def sources_report(rows: list[dict], histories: dict) -> dict:
    """Per source (every source listed, also with none): applications and how many reached each later stage."""
    furthest = _furthest(rows, histories)
    by_source = hiring_stats.funnels_by(((row["source"], furthest[row["pk"]]) for row in rows), PIPELINE)
    empty = hiring_stats.funnel([], PIPELINE)
    head = ["Source", "Applications", *[f"Reached {STAGE_LABELS[s].lower()}" for s in PIPELINE[1:]]]
    csv_head = ["source", "applications"]
    for stage in PIPELINE[1:]:
        csv_head += [f"reached_{stage}", f"{stage}_of_applications"]
    table, csv_rows, bars = [], [], []
    for source, label in SOURCE_LABELS.items():
        steps = by_source.get(source, empty)
        table.append(
            {
                "cells": [label, str(steps[0].reached)]
                + [f"{s.reached} ({_pct(s.of_first)})" for s in steps[1:]],
                "total": False,
            }
        )
        line = [source, steps[0].reached]
        for s in steps[1:]:
            line += [s.reached, _raw(s.of_first, 4)]
        csv_rows.append(line)
        bars.append(
            BarRow(
                label,
                [
                    Layer(steps[0].reached, "light", f"{label}: {steps[0].reached} applications"),
                    Layer(steps[1].reached, "mid", f"{label}: {steps[1].reached} reached screening"),
                    Layer(steps[-1].reached, "main", f"{label}: {steps[-1].reached} hired"),
                ],
                f"{steps[0].reached} · {_pct(steps[1].of_first)} screened · {_pct(steps[-1].of_first)} hired",
            )
        )
    return {
        "head": head,
        "table": table,
        "csv_head": csv_head,
        "csv_rows": csv_rows,
        "bar_chart": hbar_chart(bars),
        "count": len(rows),
        "legend": [("light", "applications"), ("mid", "reached screening"), ("main", "hired")],
    }


def scores_report(decisions: list[tuple[str, float]]) -> dict:
    """Score histograms of hired and rejected candidates and the ROC AUC of the score with its interval."""
    hired = [score for stage, score in decisions if stage == Application.Stage.HIRED]
    rejected = [score for stage, score in decisions if stage == Application.Stage.REJECTED]
    hired_bins = hiring_stats.score_bins(hired, bins=SCORE_BINS)
    rejected_bins = hiring_stats.score_bins(rejected, bins=SCORE_BINS)
    auc = hiring_stats.roc_auc_with_interval(
        [(stage == Application.Stage.HIRED, score) for stage, score in decisions]
    )
    head = ["Score", "Hired", "Rejected"]
    table = [
        {"cells": [f"{lo:.0f}–{hi:.0f}", str(h), str(r)], "total": False}
        for (lo, hi, h), (_, _, r) in zip(hired_bins, rejected_bins, strict=True)
    ]
    table.append({"cells": ["All", str(len(hired)), str(len(rejected))], "total": True})
    csv_head = ["score_from", "score_to", "hired", "rejected"]
    csv_rows = [[lo, hi, h, r] for (lo, hi, h), (_, _, r) in zip(hired_bins, rejected_bins, strict=True)]
    csv_rows += [
        [],
        ["decisions", "hired", "rejected", "roc_auc", "interval_low", "interval_high", "note"],
        [
            auc.decisions,
            auc.hired,
            auc.rejected,
            _raw(auc.auc, 4),
            _raw(auc.low, 4),
            _raw(auc.high, 4),
            auc.reason,
        ],
    ]
    return {
        "head": head,
        "table": table,
        "csv_head": csv_head,
        "csv_rows": csv_rows,
        "auc": auc,
        "level": hiring_stats.CONFIDENCE_LEVEL,
        "min_decisions": hiring_stats.MIN_DECISIONS,
        "histogram": paired_histogram(hired_bins, rejected_bins),
        "count": len(decisions),
        "legend": [("first", "hired"), ("second", "rejected")],
    }


def build_report(slug: str, *, applications, scores) -> dict:
    """Fetch (selectors) and compute (hiring_stats) report ``slug`` over ``applications`` (a scoped queryset)
    and the match ``scores`` the user may see.  Two queries, one for "scores"."""
    if slug == "scores":
        return scores_report(selectors.report_decision_scores(applications=applications, scores=scores))
    rows = selectors.report_application_rows(applications=applications)
    histories = selectors.report_stage_histories(applications=applications)
    return {"funnel": funnel_report, "time-in-stage": time_in_stage_report, "sources": sources_report}[slug](
        rows, histories
    )


# --- the view -----------------------------------------------------------------------------------------------
def hiring_report_view(request: HttpRequest, report: str) -> HttpResponse:
    """``/admin/reports/<report>/[?date_from=YYYY-MM-DD&date_to=…&vacancy=<id>][&format=csv]``.

    403 for users who may not read reports (and for a CSV a hiring manager asks for); 404 for an unknown report;
    a bad filter is shown on the page (400), or answered as plain text for a CSV."""
    if not permissions.can_view_hiring_reports(request.user):
        raise PermissionDenied
    info = REPORTS.get(report)
    if info is None:
        raise Http404("No such report.")
    want_csv = request.GET.get("format") == "csv"
    can_export = permissions.can_export_hiring_reports(request.user)
    if want_csv and not can_export:
        raise PermissionDenied
    form = ReportFilterForm(request.GET or None, vacancies=permissions.visible_vacancies(request.user))
    valid = form.is_valid() if form.is_bound else True
    if want_csv and not valid:
        errors = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in form.errors.items())
        return HttpResponse(
            f"Bad report filter: {errors}\n", status=400, content_type="text/plain; charset=utf-8"
        )
    data: dict = {}
    if valid:
        since, before = form.bounds() if form.is_bound else (None, None)
        vacancy = form.cleaned_data.get("vacancy") if form.is_bound else None
        scope = selectors.report_applications_scope(
            applications=permissions.visible_applications(request.user),
            vacancy=vacancy,
            since=since,
            before=before,
        )
        data = build_report(report, applications=scope, scores=permissions.visible_match_scores(request.user))
    if want_csv:
        return _csv(report, data)
    from django.contrib import admin

    query = request.GET.copy()
    query.pop("format", None)
    query["format"] = "csv"
    return TemplateResponse(
        request,
        "admin/recruiting/reports/report.html",
        {
            **admin.site.each_context(request),
            "title": info.title,
            "info": info,
            "reports": REPORTS.values(),
            "form": form,
            "valid": valid,
            "report": data,
            "can_export": can_export,
            "csv_query": query.urlencode(),
            "filter_query": request.GET.urlencode(),
            "index_url": reverse("admin:index"),
        },
        status=200 if valid else 400,
    )


def _csv(slug: str, data: dict) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="report-{slug}-{stamp}.csv"'
    writer = csvsafe.SafeWriter(response)  # escapes spreadsheet formulas (vacancy titles come from imports)
    writer.writerow(data["csv_head"])
    writer.writerows(data["csv_rows"])
    return response
