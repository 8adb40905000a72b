from django.urls import path

from custcare.web import reminder_views

app_name = "reminders"

urlpatterns = [
    path("contact/<str:contact_id>/", reminder_views.reminder_panel, name="panel"),
    path("<int:reminder_id>/edit/", reminder_views.reminder_edit, name="edit"),
    path("<int:reminder_id>/cancel/", reminder_views.reminder_cancel_view, name="cancel"),
]
