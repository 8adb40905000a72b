"""Batch operation pages under /batch/."""

from django.urls import path

from custcare.web import batch_views

app_name = "batch"

urlpatterns = [
    path("", batch_views.run_list, name="runs"),
    path("runs/<int:run_id>/", batch_views.run_page, name="run"),
    path("runs/<int:run_id>/tree/", batch_views.run_tree, name="run_tree"),
    path("runs/<int:run_id>/restart/", batch_views.run_restart, name="run_restart"),
    path("runs/<int:run_id>/cancel/", batch_views.run_cancel, name="run_cancel"),
]
