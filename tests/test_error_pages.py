"""The service's own pages for a server error and for a form whose CSRF check failed, instead of
Django's unstyled defaults."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_a_server_error_is_the_services_own_page_and_needs_no_context():
    # Django renders 500.html with no request and no context: the page must stand alone.
    response = server_error(RequestFactory().get("/bookings/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert '<h1 class="govuk-heading-l">Sorry, there is a problem with the service</h1>' in page
    assert "/static/build/site.css" in page
    assert 'href="/contact/"' in page and 'id="main-content"' in page


def test_a_form_sent_without_its_csrf_token_says_it_has_expired_and_saves_nothing():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/sign-in/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your form has expired" in page and "Nothing was saved" in page
    assert 'href="#main-content"' in page  # the site's layout, with its skip link
    assert not get_user_model().objects.exists()
