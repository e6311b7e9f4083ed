"""Django's password reset, with the mail written to files as in development."""

import email
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_folder(settings, tmp_path) -> Path:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(tmp_path)},
        }
    }
    return tmp_path


def written_mail(folder: Path) -> list[str]:
    """Each message the file backend wrote, as headers and its decoded text."""
    texts = []
    for path in sorted(folder.iterdir()):
        message = email.message_from_string(path.read_text().split("\n" + "-" * 79)[0])
        body = message.get_payload(decode=True).decode()
        texts.append(f"To: {message['To']}\nSubject: {message['Subject']}\n\n{body}")
    return texts


def test_the_link_arrives_by_file_mail_and_sets_a_new_password(client, mail_folder):
    make_user("sam", password="the old passphrase", email="sam@wigan.gov.uk")
    response = client.post("/accounts/password-reset/", {"email": "sam@wigan.gov.uk"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"

    (text,) = written_mail(mail_folder)
    assert "To: sam@wigan.gov.uk" in text
    assert "Subject: Reset your password for LGA peer support scheduling" in text
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", text).group(1)

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    mismatch = client.post(
        set_url, {"new_password1": "a new passphrase", "new_password2": "another one"}
    )
    assert "The two passwords do not match: type the same password twice." in (
        mismatch.content.decode()
    )
    done = client.post(
        set_url, {"new_password1": "a new passphrase", "new_password2": "a new passphrase"}
    )
    assert done["Location"] == "/accounts/password-reset/done/"
    assert get_user_model().objects.get(username="sam").check_password("a new passphrase")

    # The link works once.
    assert "This link has expired" in client.get(link, follow=True).content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, mail_folder):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert written_mail(mail_folder) == []


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter your e-mail address, such as name@council.gov.uk."),
        ("sam at wigan", "Enter an e-mail address in the right form, such as name@council.gov.uk."),
    ],
)
def test_a_bad_address_is_explained(client, mail_folder, email, message):
    html = client.post("/accounts/password-reset/", {"email": email}).content.decode()
    assert "There is a problem" in html
    assert '<a href="#id_email">' in html
    assert message in html


def test_a_weak_password_is_refused_with_a_sentence(client, mail_folder):
    make_user("sam", password="the old passphrase", email="sam@wigan.gov.uk")
    client.post("/accounts/password-reset/", {"email": "sam@wigan.gov.uk"})
    (text,) = written_mail(mail_folder)
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", text).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    html = client.post(set_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert "This password is too common." in html.content.decode()
    assert get_user_model().objects.get(username="sam").check_password("the old passphrase")
