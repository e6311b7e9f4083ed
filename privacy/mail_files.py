"""Development mail files (one .eml per message under EMAIL_FILE_PATH, written by the file
backend that settings.py chooses when there is no EMAIL_HOST): pruned by the retention policy
and searched by the erasure, since they hold people's names and addresses."""

import email
from datetime import datetime
from email import policy
from pathlib import Path

from django.conf import settings

FILE_BACKEND = "scheduling.mail_files.EmlFileBackend"


def mail_folder() -> Path | None:
    """The development mail folder, when mail goes to files (None when it goes by SMTP)."""
    mailer = settings.MAILERS.get("default", {})
    if mailer.get("BACKEND") != FILE_BACKEND:
        return None
    return Path(mailer.get("OPTIONS", {}).get("file_path", ""))


def mail_file_text(path: Path) -> str:
    """A message's headers and text parts, decoded (addresses and names may be encoded in
    the raw bytes: base64 parts, RFC 2047 headers)."""
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    parts = [f"{key}: {value}" for key, value in message.items()]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            try:
                parts.append(str(part.get_content()))
            except (LookupError, ValueError):
                parts.append(part.get_payload(decode=True).decode("utf-8", "replace"))
    return "\n".join(parts)


def mail_files_remove_mentioning(needles) -> int:
    """Delete the development mail files that mention any of `needles` (a person's addresses
    and names); returns how many."""
    folder = mail_folder()
    needles = [n.lower() for n in needles if n]
    if folder is None or not folder.is_dir() or not needles:
        return 0
    removed = 0
    for path in folder.glob("*.eml"):
        text = mail_file_text(path).lower()
        if any(needle in text for needle in needles):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def mail_files_prune(*, older_than: datetime) -> int:
    """Delete the development mail files written before `older_than`; returns how many."""
    folder = mail_folder()
    if folder is None or not folder.is_dir():
        return 0
    removed = 0
    for path in folder.glob("*.eml"):
        if path.stat().st_mtime < older_than.timestamp():
            path.unlink(missing_ok=True)
            removed += 1
    return removed
