"""Pages for webinars, registrations and calendar feeds."""

urlpatterns = []
