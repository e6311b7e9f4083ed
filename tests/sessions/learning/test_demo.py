"""The demo's learning points: past panels with points still to give and points at every
visibility, library items among them, made once."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from peers.selectors import caller_for
from sessions.learning.models import LearningPoint, Visibility
from sessions.learning.selectors import LibraryFilters, learning_tasks, library_search

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_learning_points_at_every_visibility_once():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Learning points: 8 on past panels" in out.getvalue()
    assert set(LearningPoint.objects.values_list("visibility", flat=True)) == set(Visibility)
    users = {u.username: caller_for(u) for u in get_user_model().objects.all()}
    # Pending: a panel two days ago asks the peer and the lead for their points.
    assert learning_tasks(peer=users["peer"].peer)
    assert learning_tasks(peer=users["lead"].peer)
    waiting = LearningPoint.objects.filter(published_at__isnull=True)
    assert waiting.filter(visibility=Visibility.NAMED).exists()  # for the booker to agree
    assert waiting.filter(visibility=Visibility.ANONYMOUS).exists()  # for the lead to check
    found = library_search(caller=users["booker"], filters=LibraryFilters())
    assert found.count() == 4
    assert {p.booking.council.name for p in found} >= {"Wigan Council", "Lancashire County Council"}
    assert [
        p.theme
        for p in library_search(
            caller=users["booker"], filters=LibraryFilters(q="hospital discharge")
        )
    ] == ["adult-care"]

    call_command("seed_demo", stdout=StringIO())
    assert LearningPoint.objects.count() == 8
