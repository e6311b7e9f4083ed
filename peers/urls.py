from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import TemplateView

from peers import views

urlpatterns = [
    # The footer's pages about the service itself.
    path(
        "accessibility/",
        TemplateView.as_view(template_name="pages/accessibility.html"),
        name="accessibility",
    ),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("contact/", TemplateView.as_view(template_name="pages/contact.html"), name="contact"),
    path("accounts/sign-in/", views.SignInView.as_view(), name="login"),
    path("accounts/sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    # accounts/password-reset/ itself is wired in scheduling.urls (its e-mail is a letter).
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        views.NewPasswordView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("account/", views.account, name="account"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
    path("councils/", views.council_list, name="council-list"),
    path("availability/", views.availability, name="availability"),
    path(
        "availability/overrides/<int:override_id>/remove/",
        views.override_remove,
        name="override-remove",
    ),
    path("availability/leave/<int:leave_id>/remove/", views.leave_remove, name="leave-remove"),
    path("availability/calendar/remove/", views.busy_calendar_remove, name="busy-calendar-remove"),
]
