from django.contrib import admin
from django.urls import include, path, re_path

from scheduling.api import api, not_found
from scheduling.password_reset import ResetRequestView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    re_path(r"^api/", not_found),
    path("accounts/password-reset/", ResetRequestView.as_view(), name="password_reset"),
    path("", include("peers.urls")),
    path("", include("sessions.urls")),
]
