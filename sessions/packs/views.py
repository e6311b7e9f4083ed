"""The pre-reading's pages: a booking's pack for its readers (the peers reach it from My
sessions and their letters), removing documents (adding is a form of the booking page: sessions/views/bookings.py), and every
download, each checked against the rules (rules.py). Anyone else is answered 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from peers.selectors import caller_for
from sessions.packs import selectors, services
from sessions.packs.downloads import document_download
from sessions.packs.pages import pack_section
from sessions.rules import may_read_booking


def _back_to_booking(booking_id: int):
    return redirect(reverse("booking-detail", args=[booking_id]) + "#pre-reading")


@login_required
def pack_detail(request, booking_id: int):
    caller = caller_for(request.user)
    booking = selectors.pack_booking(caller=caller, booking_id=booking_id)
    return render(
        request,
        "sessions/packs/pack_detail.html",
        {
            "booking": booking,
            "sessions": list(booking.sessions.all()),
            "pack": pack_section(caller, booking),
            "may_see_booking": may_read_booking(caller, booking),
        },
    )


@login_required
@require_POST
def document_remove(request, booking_id: int, document_id: int):
    caller = caller_for(request.user)
    document = selectors.document_get(caller=caller, booking_id=booking_id, document_id=document_id)
    services.document_remove(caller=caller, document=document)
    messages.success(request, f"{document.name} is removed from the pre-reading.")
    return _back_to_booking(booking_id)


@login_required
def document_file(request, booking_id: int, document_id: int):
    caller = caller_for(request.user)
    return document_download(
        selectors.document_get(caller=caller, booking_id=booking_id, document_id=document_id)
    )


urlpatterns = [
    path("bookings/<int:booking_id>/pre-reading/", pack_detail, name="pack-detail"),
    path(
        "bookings/<int:booking_id>/pre-reading/<int:document_id>/",
        document_file,
        name="document-file",
    ),
    path(
        "bookings/<int:booking_id>/pre-reading/<int:document_id>/remove/",
        document_remove,
        name="document-remove",
    ),
]
