"""Development mail: one .eml file per message, which a mail program opens as it arrived."""

import email
from email import policy

from django.core.mail import EmailMultiAlternatives, mailers


def test_each_message_is_one_eml_file_in_the_folder(settings, tmp_path):
    settings.MAILERS = {
        "default": {
            "BACKEND": "scheduling.mail_files.EmlFileBackend",
            "OPTIONS": {"file_path": str(tmp_path / "mail")},
        }
    }
    for n in (1, 2):
        message = EmailMultiAlternatives(
            subject=f"Invitation {n}", body="Plain words", to=[f"peer{n}@example.org"]
        )
        message.attach_alternative("<p>Plain words</p>", "text/html")
        assert mailers.default.send_messages([message]) == 1
    files = sorted((tmp_path / "mail").iterdir())
    assert [path.suffix for path in files] == [".eml", ".eml"]
    read = [email.message_from_bytes(path.read_bytes(), policy=policy.default) for path in files]
    assert [str(m["Subject"]) for m in read] == ["Invitation 1", "Invitation 2"]
    assert read[0].get_body(("plain",)).get_content().strip() == "Plain words"
    assert read[0].get_body(("html",)).get_content().strip() == "<p>Plain words</p>"
