from django.urls import path

from sessions import views

urlpatterns = [
    path("", views.offer_list, name="home"),
    path("offers/<slug:slug>/", views.offer_detail, name="offer-detail"),
]
