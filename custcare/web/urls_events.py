"""System event administration pages under /events/."""

from django.urls import path

from custcare.web import events_views

app_name = "events"

urlpatterns = [
    path("", events_views.queue, name="queue"),
    path("<int:event_pk>/", events_views.event_page, name="event"),
    path("<int:event_pk>/retry/", events_views.event_retry_view, name="retry"),
    path("<int:event_pk>/discard/", events_views.event_discard_view, name="discard"),
    path("algorithms/<str:code>/", events_views.algorithm_page, name="algorithm"),
    path("dry-run/", events_views.dry_run, name="dry_run"),
]
