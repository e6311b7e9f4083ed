"""The dashboard's learning figures: the share of panels whose learning was captured within 10
days, and the themes most often raised this quarter."""

from datetime import timedelta

import pytest
from django.test import Client

from peers.selectors import caller_for
from scheduling.engine.uk_time import LONDON
from sessions.learning import services
from sessions.programme.figures import programme_period, programme_summary
from tests.sessions.learning.points import words

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_broker")]


def test_learning_captured_within_10_days_and_themes_this_quarter(pool, roles, panel, time_machine):
    services.point_give(seat=panel.lead_seat, words=words(), caller=caller_for(roles.peer))
    services.point_give(
        seat=panel.chair_seat, words=words(theme="digital"), caller=caller_for(roles.lga_lead)
    )
    services.point_give(seat=panel.lead_seat, words=words(), caller=caller_for(roles.peer))
    day = panel.lead_seat.session.start.astimezone(LONDON).date()
    period = programme_period(first_day=day, last_day=day, today=day)

    learning = programme_summary(caller=caller_for(roles.staff), period=period)["learning"]
    assert learning["panels"] == 0  # ended less than 10 days ago: it may yet be captured

    time_machine.shift(timedelta(days=10))
    learning = programme_summary(caller=caller_for(roles.adviser), period=period)["learning"]
    assert (learning["panels"], learning["captured"], learning["share_captured"]) == (1, 1, 1.0)
    if learning["quarter_from"] <= day:
        assert [(t["theme"], t["points"]) for t in learning["themes"]] == [
            ("finance", 2),
            ("digital", 1),
        ]
    client = Client()
    client.force_login(roles.staff)
    page = client.get(f"/programme/?start={day}&end={day}").content.decode()
    assert "Panels with learning captured within 10 days" in page and "1 of 1 (100%)" in page
    assert "Themes most often raised this quarter" in page
    if learning["themes"]:  # a chart with its table, as the dashboard's other charts
        chart = page[page.index('aria-labelledby="themes-title"') :]
        chart = chart[: chart.index("</figure>")]
        label = learning["themes"][0]["label"]
        assert 'class="app-bar-chart__row"' in chart
        assert f'<th scope="row" class="govuk-table__header">{label}</th>' in chart
