"""What an uploaded file is, read from its content (never its name), the name it is shown by,
and the one way a stored file leaves the service. Below the pre-reading packs and the webinars'
materials, which both take files.

`filetype` reads the first bytes. The Office formats since 2007 and OpenDocument are zip
files; `filetype` recognises them only when the entry that names the format comes early (as
Word and LibreOffice write them), so a plain zip is opened and its members looked at: the
OpenDocument `mimetype` member, or the Office part that names the kind.
"""

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

import filetype
from django.core.files import File
from django.http import FileResponse, Http404

HEAD_BYTES = 8192  # what filetype reads


@dataclass(frozen=True)
class Format:
    extension: str
    content_type: str
    label: str  # what a person calls it


ACCEPTED = {
    f.content_type: f
    for f in (
        Format("pdf", "application/pdf", "PDF"),
        Format("doc", "application/msword", "Word"),
        Format(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Word",
        ),
        Format("xls", "application/vnd.ms-excel", "Excel"),
        Format(
            "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"
        ),
        Format("ppt", "application/vnd.ms-powerpoint", "PowerPoint"),
        Format(
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "PowerPoint",
        ),
        Format("odt", "application/vnd.oasis.opendocument.text", "OpenDocument text"),
        Format("ods", "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet"),
        Format(
            "odp", "application/vnd.oasis.opendocument.presentation", "OpenDocument presentation"
        ),
    )
}
ACCEPTED_TEXT = "a PDF, Word, Excel, PowerPoint or OpenDocument file"
# Short videos a webinar's registrants watch before it (besides the documents above).
VIDEOS = {
    f.content_type: f
    for f in (
        Format("mp4", "video/mp4", "MP4 video"),
        Format("webm", "video/webm", "WebM video"),
    )
}
# The one member of an Office file that says which kind it is.
OFFICE_PARTS = {
    "word/document.xml": ACCEPTED[
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ],
    "xl/workbook.xml": ACCEPTED[
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ],
    "ppt/presentation.xml": ACCEPTED[
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ],
}


def format_of(file: BinaryIO, accepted: dict[str, Format] = ACCEPTED) -> Format | None:
    """The accepted format the file's content is, or None. Reads from the start and leaves the
    file at the start. `accepted`: the documents, unless the caller takes more (videos)."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    kind = filetype.guess(head)
    if kind is not None and kind.mime in accepted:
        return accepted[kind.mime]
    if kind is not None and kind.mime == "application/zip":
        found = _zipped_format(file)
        return found if found is not None and found.content_type in accepted else None
    return None


def _zipped_format(file: BinaryIO) -> Format | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return ACCEPTED.get(declared) if "opendocument" in declared else None
            if "[Content_Types].xml" in names:
                return next((f for part, f in OFFICE_PARTS.items() if part in names), None)
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return None
    finally:
        file.seek(0)
    return None


NAME_MAX = 150


def display_name(name: str, extension: str) -> str:
    """The uploader's name for the file, as display data only: no folders, no control or
    odd characters, not too long, and ending in the extension its content showed."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] not in "CZ" or c == " ")
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" .")[: NAME_MAX - len(extension) - 1] or "document"
    return f"{stem}.{extension}"


def attachment_response(file: File, *, name: str, content_type: str, missing: str) -> FileResponse:
    """A stored file as an attachment, with the type its content showed and `nosniff`, so no
    browser renders it in the service's origin. `missing` is the 404's sentence if the stored
    file has gone. Whoever calls this has checked who may read it."""
    try:
        opened = file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(missing) from None
    response = FileResponse(opened, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
