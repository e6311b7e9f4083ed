from django.contrib import admin
from django.urls import include, path, re_path

from scheduling.api import api, not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    re_path(r"^api/", not_found),
    path("", include("peers.urls")),
    path("", include("sessions.urls")),
]
