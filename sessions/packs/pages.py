"""What the pages show of a pack: its documents in words, and what the reader may do."""

from dataclasses import dataclass
from datetime import datetime

from peers.selectors import Caller
from sessions.models import Booking
from sessions.packs import selectors
from sessions.packs.formats import ACCEPTED
from sessions.packs.forms import DocumentForm
from sessions.packs.rules import may_add_to_pack, may_remove_document, pack_open


@dataclass(frozen=True)
class DocumentRow:
    id: int
    name: str
    url: str
    kind: str  # e.g. "PDF, 1.2 MB"
    uploaded_at: datetime
    uploaded_by: str
    may_remove: bool


def pack_section(caller: Caller, booking: Booking, *, form: DocumentForm | None = None) -> dict:
    rows = []
    for document in selectors.pack_documents(booking):
        kind = ACCEPTED.get(document.content_type)
        rows.append(
            DocumentRow(
                id=document.pk,
                name=document.name,
                url=selectors.document_path(document),
                kind=f"{kind.label if kind else document.extension}, "
                f"{selectors.size_text(document.size)}",
                uploaded_at=document.uploaded_at,
                uploaded_by=selectors.uploader_name(document),
                may_remove=may_remove_document(caller, document),
            )
        )
    return {
        "documents": rows,
        "count_text": selectors.documents_text(len(rows)),
        "may_add": may_add_to_pack(caller, booking) and pack_open(booking),
        "form": form or DocumentForm(),
    }
