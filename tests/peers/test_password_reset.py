"""Django's password reset, its e-mail a letter in the one layout, with the mail written to
files as in development."""

import email
import re
from email import policy
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from tests.factories import make_user
from tests.sent_mail import sent_mail

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
    """Each message the file backend wrote, as headers and its decoded plain-text part."""
    texts = []
    for path in sorted(folder.iterdir()):
        message = email.message_from_string(
            path.read_text().split("\n" + "-" * 79)[0], policy=policy.default
        )
        body = message.get_body(preferencelist=("plain",)).get_content()
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


def test_the_reset_mail_is_a_letter_with_the_link_in_both_parts(client, settings):
    make_user(
        "sam", email="sam@wigan.gov.uk", first_name="Sam", last_name="Patel", password="old one"
    )
    client.post("/accounts/password-reset/", {"email": "sam@wigan.gov.uk"})

    (sent,) = sent_mail()
    message = sent.message
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert sent.subject == "Reset your password for LGA peer support scheduling"
    assert str(message["From"]) == settings.DEFAULT_FROM_EMAIL
    assert [str(message["To"])] == ["sam@wigan.gov.uk"]
    for other in ("Cc", "Bcc", "Reply-To"):
        assert message[other] is None
    text, html = sent.text, sent.html
    # Only the service's own address is in the letter (as its named contact).
    addresses = set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text + html))
    assert addresses == {"peer-scheduling@local.gov.uk"}
    with_addresses = {k for k, v in message.items() if "@" in str(v)} - {"Message-ID"}
    assert with_addresses == {"From", "To"}
    assert text.startswith("Hello Sam Patel,")
    assert "your account (sam)" in text
    text_link = re.search(r"Choose a new password:\n(http://testserver/\S+/)\n", text).group(1)
    assert f'<a href="{text_link}" class="action-primary"' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert ">LGA</p>" in html  # the letters' header
    assert "Questions?</strong> Write to LGA peer support" in html
    assert "Questions? Write to LGA peer support: peer-scheduling@local.gov.uk" in text
    assert "The link works once, for three days." in text
    assert "The link works once, for three days." in html

    # The link in the mail works: it leads to choosing a new password.
    page = client.get(text_link.removeprefix("http://testserver"), follow=True)
    assert "Choose a new password" in page.content.decode()
