"""Pages for peers' sessions and answers to invites."""

urlpatterns = []
