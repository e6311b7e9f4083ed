"""Small real files of each kind a pack takes (and of kinds it refuses), built here, and the
calls the pre-reading tests make."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import bearer

PANEL = "recovery-and-renewal-panel"

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
# An executable and a web page, each given a document's name.
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 100
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100 + b"PE\x00\x00"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def zipped(members: list[tuple[str, bytes]], *, compression=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def docx() -> bytes:
    """A Word document as Word writes one: its content types first, then the document."""
    return zipped(
        [
            (
                "[Content_Types].xml",
                b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                b'package/2006/content-types"><Override PartName="/word/document.xml" '
                b'ContentType="application/vnd.openxmlformats-officedocument.'
                b'wordprocessingml.document.main+xml"/></Types>',
            ),
            ("_rels/.rels", b'<?xml version="1.0"?><Relationships/>'),
            (
                "word/document.xml",
                b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Budget 2027</w:t></w:r>'
                b"</w:p></w:body></w:document>",
            ),
        ]
    )


def odt(*, compressed_mimetype: bool = False) -> bytes:
    """An OpenDocument text; `compressed_mimetype` as some tools write it (against the
    standard), which only the zip's own `mimetype` member shows."""
    return zipped(
        [
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b'<?xml version="1.0"?><office:document-content/>'),
        ],
        compression=zipfile.ZIP_DEFLATED if compressed_mimetype else zipfile.ZIP_STORED,
    )


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def stored_files(storage) -> list:
    return sorted(p for p in storage.rglob("*") if p.is_file()) if storage.exists() else []


def api(client, method: str, path: str, user=None, **kwargs):
    """An API call through the whole stack (middleware included), as a script makes it."""
    headers = {"HTTP_AUTHORIZATION": bearer(user)["Authorization"]} if user else {}
    return getattr(client, method)(f"/api{path}", **kwargs, **headers)


def add(client, booking, user, name: str, data: bytes, capture=None):
    """Upload a file to the booking's pre-reading through the API."""
    path = f"/bookings/{booking.pk}/documents"
    if capture is None:
        return api(client, "post", path, user, data={"file": upload(name, data)})
    with capture(execute=True):
        return api(client, "post", path, user, data={"file": upload(name, data)})
