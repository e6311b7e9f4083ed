"""The programme dashboard and its CSV export (LGA staff; Principal Advisers for their councils)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from peers.forms import add_service_errors
from peers.selectors import caller_for
from scheduling.engine.uk_time import LONDON
from sessions.forms_programme import PeriodForm
from sessions.programme.export import programme_export
from sessions.programme.figures import (
    Period,
    programme_period,
    programme_scope,
    programme_summary,
)


def _period(request) -> tuple[PeriodForm, Period | None]:
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return form, None
    try:
        period = programme_period(
            first_day=form.cleaned_data["start"],
            last_day=form.cleaned_data["end"],
            today=timezone.now().astimezone(LONDON).date(),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return form, None
    if not request.GET:
        form = PeriodForm(initial={"start": period.first_day, "end": period.last_day})
    return form, period


def bars(rows: list[dict], *, label: str, value: str, scale: int | None = None) -> list[dict]:
    """Rows of a bar chart: each bar's length as a percentage of the longest (or of `scale`)."""
    top = scale if scale is not None else max((row[value] or 0 for row in rows), default=0)
    return [
        {
            "label": row[label],
            "value": row[value] or 0,
            "percent": round(100 * (row[value] or 0) / top, 1) if top else 0,
        }
        for row in rows
    ]


@login_required
def programme(request):
    caller = caller_for(request.user)
    scope = programme_scope(caller)
    form, period = _period(request)
    if period is None:
        return render(
            request,
            "sessions/programme.html",
            {"form": form, "invalid": form, "summary": None},
            status=422,
        )
    summary = programme_summary(caller=caller, period=period)
    load, take_up, webinars = summary["load"], summary["take_up"], summary["webinars"]
    actions = summary["feedback"]["actions"]
    return render(
        request,
        "sessions/programme.html",
        {
            "form": form,
            "invalid": None,
            "scope": scope,
            "period": period,
            "summary": summary,
            "export_query": f"start={period.first_day.isoformat()}&end={period.last_day.isoformat()}",
            "charts": {
                "histogram": bars(load["histogram"], label="sessions", value="peers"),
                "facilitators_histogram": bars(
                    load["facilitators"]["histogram"], label="sessions", value="peers"
                ),
                "by_offer": bars(take_up["by_offer"], label="label", value="bookings"),
                "by_region": bars(take_up["by_region"], label="label", value="bookings"),
                "by_council_type": bars(
                    take_up["by_council_type"], label="label", value="bookings"
                ),
                "themes": bars(summary["learning"]["themes"], label="label", value="points"),
                "actions": bars(
                    [
                        {"label": "On track", "actions": actions["on_track"]},
                        {"label": "Overdue", "actions": actions["overdue"]},
                        {"label": "Done", "actions": actions["done"]},
                    ],
                    label="label",
                    value="actions",
                ),
            },
            "webinar_rows": [
                {**row, "percent": min(100, round(100 * (row["fill"] or 0), 1))}
                for row in webinars["sessions"]
            ],
        },
    )


@login_required
def programme_csv(request):
    caller = caller_for(request.user)
    programme_scope(caller)
    form, period = _period(request)
    if period is None:
        return render(
            request,
            "sessions/programme.html",
            {"form": form, "invalid": form, "summary": None},
            status=422,
        )
    response = HttpResponse(
        programme_export(caller=caller, period=period), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="lga-programme-{period.first_day}-to-{period.last_day}.csv"'
    )
    return response


urlpatterns = [
    path("programme/", programme, name="programme"),
    path("programme/export.csv", programme_csv, name="programme-export"),
]
