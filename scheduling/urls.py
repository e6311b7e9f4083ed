from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from scheduling.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path(
        "accessibility/",
        TemplateView.as_view(template_name="pages/accessibility.html"),
        name="accessibility",
    ),
    path("privacy/", TemplateView.as_view(template_name="pages/privacy.html"), name="privacy"),
    path("contact/", TemplateView.as_view(template_name="pages/contact.html"), name="contact"),
    path("", include("peers.urls")),
    path("", include("sessions.urls")),
]
