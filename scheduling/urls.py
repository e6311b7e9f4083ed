from django.contrib import admin
from django.urls import include, path, re_path

from scheduling.api import api, not_found
from scheduling.health import healthz, readyz
from scheduling.metrics import metrics
from scheduling.password_reset import ResetRequestView

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    re_path(r"^api/", not_found),
    path("accounts/password-reset/", ResetRequestView.as_view(), name="password_reset"),
    path("", include("peers.urls")),
    path("", include("sessions.urls")),
]
