"""Looking for a person everywhere the service keeps anything, and running the worker dry."""

from pathlib import Path

from django.apps import apps

from privacy.mail_files import mail_file_text
from tests.sent_mail import run_queued_tasks


def traces(needles, mail_folder: Path | None = None) -> list[str]:
    """Where any needle occurs: any field of any row of any model (history, the admin's log and
    the task queue's records included), and the development mail files."""
    lowered = [n.lower() for n in needles]
    found = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        fields = model._meta.concrete_fields
        for row in model._base_manager.all():
            for field in fields:
                value = getattr(row, field.attname)
                text = (
                    bytes(value).decode("utf-8", "replace")
                    if isinstance(value, bytes | memoryview)
                    else str(value)
                ).lower()
                for needle in lowered:
                    if needle in text:
                        found.append(f"{model._meta.label}.{field.name} #{row.pk}: {needle}")
    if mail_folder is not None:
        for path in mail_folder.glob("*.eml"):
            text = mail_file_text(path).lower()
            found += [f"mail {path.name}: {n}" for n in lowered if n in text]
    return found


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if not model._meta.proxy
    }


def deliver_all(capture) -> None:
    """Run the worker until nothing is queued (deliveries, re-staffing and what they queue)."""
    for _ in range(5):
        with capture(execute=True):
            if not run_queued_tasks():
                return
