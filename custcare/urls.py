from django.contrib import admin
from django.urls import include, path

from custcare.api.main import api

admin.site.site_header = "CustCare administration"
admin.site.site_title = "CustCare admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("batch/", include("custcare.web.urls_batch")),
    path("reminders/", include("custcare.web.urls_reminders")),
    path("todo/", include("custcare.web.urls_todo")),
    path("events/", include("custcare.web.urls_events")),
    path("central/", include("custcare.web.urls_central")),
    path("", include("custcare.web.urls")),
]
