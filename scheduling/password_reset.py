"""Asking for a password reset link. Wired here, in the project, because its e-mail is a
`Letter` (the one layout every e-mail has, kept by sessions) while its form and pages are the
peers app's, and peers imports nothing from sessions."""

import logging

from django.contrib.auth import views as auth_views
from django.urls import reverse

from peers.forms import ResetRequestForm
from sessions.mail.letters import Letter

logger = logging.getLogger(__name__)


def password_reset_letter(*, name: str, username: str, link: str) -> Letter:
    return Letter(
        subject="Reset your password for LGA peer support scheduling",
        greeting=f"Hello {name},",
        paragraphs=(
            f"Someone asked to reset the password of your account ({username}) on the Local "
            "Government Association's peer support scheduling service.",
        ),
        actions=(("Choose a new password", link),),
        notes=(
            "The link works once, for three days. If you did not ask for it, you can ignore "
            "this e-mail: your password stays as it is.",
        ),
    )


class ResetLetterForm(ResetRequestForm):
    """Sends the link as a letter: plain text and HTML, to the account's address only."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        user, to_email = context["user"], context["email"]
        path = reverse(
            "password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]}
        )
        letter = password_reset_letter(
            name=user.get_full_name() or user.get_username(),
            username=user.get_username(),
            link=f"{context['protocol']}://{context['domain']}{path}",
        )
        try:
            letter.message(to_email).send()
        except Exception:
            # As Django's own form does: the page answers the same whether or not mail went.
            logger.exception("Failed to send password reset email to %s", user.pk)


class ResetRequestView(auth_views.PasswordResetView):
    """Django's password reset: a signed, single-use link by e-mail, valid for three days."""

    form_class = ResetLetterForm
