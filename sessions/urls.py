from django.urls import path

from sessions.attendance import views as attendance
from sessions.feedback import views as feedback
from sessions.learning import views as learning
from sessions.packs import views as packs
from sessions.participants import views as participants
from sessions.views import booking_journey, invites, programme, requests, staffing
from sessions.views import bookings as views
from sessions.webinars import views as webinars

urlpatterns = [
    path("", views.offer_list, name="home"),
    path("offers/<slug:slug>/", views.offer_detail, name="offer-detail"),
    path("offers/<slug:slug>/book/", booking_journey.booking_new, name="booking-new"),
    path("offers/<slug:slug>/book/check/", booking_journey.booking_check, name="booking-check"),
    path("bookings/", views.booking_list, name="booking-list"),
    path("bookings/<int:booking_id>/", views.booking_detail, name="booking-detail"),
    path(
        "bookings/<int:booking_id>/confirmation/",
        booking_journey.booking_confirmation,
        name="booking-confirmation",
    ),
    path("bookings/<int:booking_id>/cancel/", views.booking_cancel, name="booking-cancel"),
    path(
        "bookings/<int:booking_id>/pre-reading/add/",
        views.booking_document_add,
        name="document-add",
    ),
]
urlpatterns += (
    requests.urlpatterns
    + staffing.urlpatterns
    + invites.urlpatterns
    + webinars.urlpatterns
    + programme.urlpatterns
    + packs.urlpatterns
    + feedback.urlpatterns
    + participants.urlpatterns
    + attendance.urlpatterns
    + learning.urlpatterns
)
